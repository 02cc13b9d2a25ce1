#include <catch2/catch.hpp>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "check.hpp"
#include "layers/dense.hpp"
#include "layers/sequential.hpp"
#include "layers/simple_rnn.hpp"
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
    REQUIRE_THROWS_WITH(model.summary(), Catch::Contains("not built"));
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
