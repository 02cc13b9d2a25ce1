#include <catch2/catch.hpp>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "check.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/fit.hpp"
#include "layers/sequential.hpp"
#include "layers/simple_rnn.hpp"
#include "optim/sgd.hpp"
#include "text.hpp"

using namespace elman;
using elman::test::randn;

namespace {

using elman::test::lines_of;

// The table row that starts with `layer`, or "" if there is none.
std::string row(const std::string& summary, const std::string& layer)
{
    for (const auto& l : lines_of(summary))
        if (l.rfind(" " + layer + " ", 0) == 0) return l;
    return "";
}

}  // namespace

TEST_CASE("sequential: summary shows Keras' counts and the formula behind them", "[sequential]")
{
    for (std::size_t features : {4u, 5u}) {
        Sequential<float> model;
        model.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 1});
        model.build({3, features});
        const std::string s = model.summary();
        INFO(s);
        const std::size_t expected = 1 * (features + 1 + 1);
        const std::string r = row(s, "simple_rnn (SimpleRNN)");
        REQUIRE_FALSE(r.empty());
        REQUIRE_THAT(r, Catch::Contains("(None, 1)"));
        REQUIRE_THAT(r, Catch::Contains(std::to_string(expected) + " = 1·(" +
                                        std::to_string(features) + " + 1 + 1)"));
        REQUIRE_THAT(s, Catch::Contains("Total params: " + std::to_string(expected) + "\n"));
        REQUIRE_THAT(s, Catch::Contains("Trainable params: " + std::to_string(expected) + "\n"));
        REQUIRE_THAT(s, Catch::Contains("Non-trainable params: 0\n"));
        REQUIRE_THAT(s, Catch::Contains("Layer (type)") && Catch::Contains("Output Shape") &&
                            Catch::Contains("Param #"));
    }
}

TEST_CASE("sequential: stacked SimpleRNNs + Dense get auto names, shapes and counts", "[sequential]")
{
    Sequential<double> model;
    model.emplace<SimpleRNN<double>>(SimpleRNNOptions{.units = 4, .return_sequences = true});
    model.emplace<SimpleRNN<double>>(SimpleRNNOptions{.units = 3});
    model.emplace<Dense<double>>(DenseOptions{.units = 1});
    model.emplace<Dense<double>>(DenseOptions{.units = 2});
    model.build({12, 2});
    const auto& ls = model.layers();
    REQUIRE(ls[0]->name() == "simple_rnn");
    REQUIRE(ls[1]->name() == "simple_rnn_1");
    REQUIRE(ls[2]->name() == "dense");
    REQUIRE(ls[3]->name() == "dense_1");
    const std::string s = model.summary();
    INFO(s);
    REQUIRE_THAT(row(s, "simple_rnn (SimpleRNN)"),
                 Catch::Contains("(None, 12, 4)") && Catch::Contains("28 = 4·(2 + 4 + 1)"));
    REQUIRE_THAT(row(s, "simple_rnn_1 (SimpleRNN)"),
                 Catch::Contains("(None, 3)") && Catch::Contains("24 = 3·(4 + 3 + 1)"));
    REQUIRE_THAT(row(s, "dense (Dense)"),
                 Catch::Contains("(None, 1)") && Catch::Contains("4 = 3·1 + 1"));
    REQUIRE_THAT(row(s, "dense_1 (Dense)"),
                 Catch::Contains("(None, 2)") && Catch::Contains("4 = 1·2 + 2"));
    REQUIRE_THAT(s, Catch::Contains("Total params: 60\n"));
    REQUIRE(model.param_count() == 28 + 24 + 4 + 4);

    const auto ps = model.parameters();
    REQUIRE(ps.size() == 10);
    REQUIRE(ps[0]->name == "simple_rnn/kernel");
    REQUIRE(ps[4]->name == "simple_rnn_1/recurrent_kernel");
    REQUIRE(ps[9]->name == "dense_1/bias");

    Tape<double> tape;
    auto y = model.forward(tape, tape.constant(randn({5, 12, 2}, 1)));
    REQUIRE(y.shape() == Shape{5, 2});
}

TEST_CASE("sequential: forward equals the layers applied by hand, and builds lazily", "[sequential]")
{
    auto rnn = std::make_shared<SimpleRNN<double>>(SimpleRNNOptions{.units = 3, .seed = 2});
    auto head = std::make_shared<Dense<double>>(DenseOptions{.units = 1, .seed = 3});
    Sequential<double> model;
    model.add(rnn);
    model.add(head);
    REQUIRE_FALSE(model.built());
    // an unbuilt model's summary and param_count say which shapes are missing
    const std::string unbuilt = model.summary();
    INFO(unbuilt);
    REQUIRE_THAT(row(unbuilt, "simple_rnn (SimpleRNN)"),
                 Catch::Contains("?") && Catch::Contains("0 (unbuilt)"));
    REQUIRE_THAT(unbuilt, Catch::Contains("The model is not built: layers 'simple_rnn' "
                                          "(SimpleRNN) needs its input shape {timesteps, "
                                          "features} and 'dense' (Dense) needs its input shape "
                                          "{features} or {timesteps, features}; call "
                                          "build(input_shape)"));
    REQUIRE_THROWS_WITH(model.param_count(),
                        Catch::Contains("param_count: the model is not built") &&
                            Catch::Contains("'simple_rnn' (SimpleRNN) needs its input shape "
                                            "{timesteps, features}"));
    const Tensor<double> x = randn({2, 6, 2}, 4);
    Tape<double> tape;
    const Tensor<double> y = model.forward(tape, tape.constant(x)).value();
    REQUIRE(model.built());
    REQUIRE(model.input_shape() == Shape{6, 2});
    const Tensor<double> by_hand = head->forward(tape, rnn->forward(tape, tape.constant(x))).value();
    REQUIRE((y == by_hand));
    REQUIRE_THAT(model.summary(), Catch::Contains("Total params: 22\n"));
}

TEST_CASE("sequential: a layer named by the user keeps its name", "[sequential]")
{
    auto rnn = std::make_shared<SimpleRNN<float>>(
        SimpleRNNOptions{.units = 2, .return_sequences = true});
    rnn->set_name("encoder");
    Sequential<float> model;
    model.add(rnn);
    model.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 2});
    model.build({3, 1});
    REQUIRE(model.layers()[0]->name() == "encoder");
    REQUIRE(model.layers()[1]->name() == "simple_rnn");
    REQUIRE(model.parameters()[0]->name == "encoder/kernel");
}

TEST_CASE("sequential: shape mistakes surface as errors naming the layer", "[sequential]")
{
    Sequential<double> model;
    model.emplace<SimpleRNN<double>>(SimpleRNNOptions{.units = 2});
    model.emplace<SimpleRNN<double>>(SimpleRNNOptions{.units = 2});
    // the second RNN receives [B,2] (no return_sequences on the first): not a sequence
    REQUIRE_THROWS_WITH(model.build({3, 1}),
                        Catch::Contains("simple_rnn_1") && Catch::Contains("{timesteps, features}"));
}

namespace {

// Records what forward() received and makes a mask of its own: step t is real when t is even.
struct Probe : Module<float> {
    bool saw_training = false;
    bool saw_mask = false;
    Mask received;
    Var<float> forward(Tape<float>&, const Var<float>& x, const CallContext& ctx = {}) override
    {
        saw_training = ctx.training;
        saw_mask = ctx.mask != nullptr;
        if (ctx.mask) received = *ctx.mask;
        return x;
    }
    std::optional<Mask> compute_mask(const Var<float>& x, const Mask*) const override
    {
        const Shape s = x.shape();
        Mask m = Mask::from_shape({s[0], s[1]});
        for (std::size_t b = 0; b < s[0]; ++b)
            for (std::size_t t = 0; t < s[1]; ++t) m(b, t) = t % 2 == 0;
        return m;
    }
    std::string default_name() const override { return "probe"; }
};

}  // namespace

TEST_CASE("sequential: the mask a layer makes reaches the next layer, and training reaches all", "[sequential]")
{
    Sequential<float> model;
    auto first = model.emplace<Probe>();
    auto second = model.emplace<Probe>();
    Tape<float> tape;
    const Var<float> x = tape.constant(Tensor<float>(randn({2, 3, 1}, 5)));
    model.forward(tape, x, {.training = true});
    CHECK(first->saw_training);
    CHECK(second->saw_training);
    CHECK_FALSE(first->saw_mask);
    REQUIRE(second->saw_mask);
    CHECK(second->received(0, 0));
    CHECK_FALSE(second->received(1, 1));
    const auto out = model.compute_mask(x, nullptr);
    REQUIRE(out.has_value());
    CHECK(out->shape()[1] == 3);

    model.forward(tape, x);
    CHECK_FALSE(first->saw_training);
}

TEST_CASE("sequential: a recurrent layer without return_sequences ends the mask", "[sequential]")
{
    SimpleRNN<float> last(SimpleRNNOptions{.units = 2});
    SimpleRNN<float> every(SimpleRNNOptions{.units = 2, .return_sequences = true});
    Tape<float> tape;
    const Var<float> x = tape.constant(Tensor<float>(randn({2, 3, 1}, 5)));
    const Mask m = Mask::from_shape({2, 3});
    CHECK_FALSE(last.compute_mask(x, &m).has_value());
    CHECK(every.compute_mask(x, &m).has_value());
    CHECK_FALSE(every.compute_mask(x, nullptr).has_value());
}

TEST_CASE("sequential: set_weights on each layer builds the model for fit, summary and param_count", "[sequential]")
{
    SimpleRNN<double> donor_rnn({.units = 3, .seed = 1});
    Dense<double> donor_head({.units = 1, .seed = 2});
    donor_rnn.build({4, 2});
    donor_head.build({3});

    Sequential<double> model;
    model.emplace<Dropout<double>>(DropoutOptions{.rate = 0.1});
    auto rnn = model.emplace<SimpleRNN<double>>(SimpleRNNOptions{.units = 3});
    auto head = model.emplace<Dense<double>>(DenseOptions{.units = 1});
    REQUIRE_FALSE(model.built());
    rnn->set_weights(donor_rnn.get_weights());
    REQUIRE_FALSE(model.built());
    head->set_weights(donor_head.get_weights());
    REQUIRE(model.built());
    REQUIRE(model.input_shape() == Shape{0, 2});  // from the kernel: any number of steps
    REQUIRE(model.param_count() == 3 * (2 + 3 + 1) + 3 + 1);
    const std::string s = model.summary();
    INFO(s);
    REQUIRE_THAT(row(s, "simple_rnn (SimpleRNN)"), Catch::Contains("(None, 3)"));
    REQUIRE_THAT(s, Catch::Contains("Total params: 22\n"));
    REQUIRE_THAT(s, !Catch::Contains("not built"));

    const Tensor<double> x = randn({8, 4, 2}, 3), y = randn({8, 1}, 4);
    SGD<double> opt(model.parameters(), {.lr = 0.01});
    const auto h = fit(model, opt, x, y, {.epochs = 2, .batch_size = 4, .verbose = false});
    REQUIRE(h.loss.size() == 2);
}

TEST_CASE("sequential: call takes initial states and returns every layer's states", "[sequential]")
{
    Sequential<double> model;
    auto r1 = model.emplace<SimpleRNN<double>>(
        SimpleRNNOptions{.units = 3, .return_sequences = true, .seed = 1});
    auto r2 = model.emplace<SimpleRNN<double>>(SimpleRNNOptions{.units = 2, .seed = 2});
    model.emplace<Dense<double>>(DenseOptions{.units = 1, .seed = 3});
    const Tensor<double> x = randn({2, 5, 2}, 5);
    const Tensor<double> s1 = randn({2, 3}, 6), s2 = randn({2, 2}, 7);

    Tape<double> tape;
    const Var<double> h1 = tape.variable(s1), h2 = tape.variable(s2);
    const auto r = model.call(tape, tape.constant(x), {{h1}, {h2}, {}});
    REQUIRE(r.states.size() == 3);
    REQUIRE(r.states[0].size() == 1);
    REQUIRE(r.states[1].size() == 1);
    REQUIRE(r.states[2].empty());
    // the same as the layers called by hand with those initial states
    const auto a = r1->call(tape, tape.constant(x), &h1);
    const auto b = r2->call(tape, a.output, &h2);
    const Tensor<double> by_hand = model.layers()[2]->forward(tape, b.output).value();
    REQUIRE((r.output.value() == by_hand));
    REQUIRE((r.states[0][0].value() == a.state.value()));
    REQUIRE((r.states[1][0].value() == b.state.value()));
    tape.backward(sum(r.output));
    REQUIRE(h1.has_grad());
    REQUIRE(h2.has_grad());

    // without initial states: the final states all the same, starting from zeros
    Tape<double> t2;
    const auto z = model.call(t2, t2.constant(x));
    REQUIRE(z.states[1].size() == 1);
    REQUIRE((z.output.value() == model.forward(t2, t2.constant(x)).value()));

    REQUIRE_THROWS_WITH(model.call(tape, tape.constant(x), {{}, {}, {h2}}),
                        Catch::Contains("layer 'dense' (Dense) has no state") &&
                            Catch::Contains("initial_states[2]"));
    REQUIRE_THROWS_WITH(model.call(tape, tape.constant(x), {{h1}}),
                        Catch::Contains("1 entries for 3 layers"));
    REQUIRE_THROWS_WITH(model.call(tape, tape.constant(x), {{h1, h1}, {}, {}}),
                        Catch::Contains("simple_rnn: SimpleRNN has one state, got 2"));
}
