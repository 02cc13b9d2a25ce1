#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include <xtensor/xmanipulation.hpp>
#include <xtensor/xview.hpp>

#include "check.hpp"
#include "layers/bidirectional.hpp"
#include "layers/dense.hpp"
#include "layers/fit.hpp"
#include "layers/masking.hpp"
#include "layers/sequential.hpp"
#include "layers/simple_rnn.hpp"
#include "optim/adam.hpp"

using namespace elman;
using elman::test::randn;
using elman::test::require_close;

namespace {

Mask right_padded(const std::vector<std::size_t>& lengths, std::size_t nt)
{
    Mask m = Mask::from_shape({lengths.size(), nt});
    for (std::size_t b = 0; b < lengths.size(); ++b)
        for (std::size_t t = 0; t < nt; ++t) m(b, t) = t < lengths[b];
    return m;
}

SimpleRNN<double>& rnn_of(const std::shared_ptr<RecurrentLayer<double>>& l)
{
    return dynamic_cast<SimpleRNN<double>&>(*l);
}

}  // namespace

TEST_CASE("bidirectional: each merge mode merges the forward output and the flipped backward one", "[bidirectional]")
{
    const Tensor<double> x = randn({2, 5, 3}, 1);
    for (bool seq : {true, false})
        for (MergeMode mode : {MergeMode::concat, MergeMode::sum, MergeMode::mul, MergeMode::ave,
                               MergeMode::none}) {
            INFO(to_string(mode) << (seq ? " return_sequences" : " last"));
            Bidirectional<double> bi(SimpleRNN<double>({.units = 4, .return_sequences = seq,
                                                        .seed = 3}),
                                     {.merge_mode = mode});
            Tape<double> tape;
            const auto r = bi.call(tape, tape.constant(x));
            // the two layers by hand: the backward one reads x reversed
            const Tensor<double> y =
                bi.forward_layer()->forward(tape, tape.constant(x)).value();
            Tensor<double> y_rev = bi.backward_layer()->forward(tape, tape.constant(x)).value();
            if (seq) y_rev = xt::flip(y_rev, 1);
            // equivalently: a forward-reading copy of the backward weights on flipped x
            SimpleRNN<double> reader({.units = 4, .return_sequences = seq});
            reader.set_weights(rnn_of(bi.backward_layer()).get_weights());
            Tensor<double> read = reader.forward(tape, tape.constant(xt::flip(x, 1))).value();
            if (seq) read = xt::flip(read, 1);
            require_close(y_rev, read, 1e-14);
            require_close(r.forward_output.value(), y, 0);
            require_close(r.backward_output.value(), y_rev, 0);
            Tensor<double> want;
            switch (mode) {
            case MergeMode::concat: want = xt::concatenate(xt::xtuple(y, y_rev), seq ? 2 : 1); break;
            case MergeMode::sum: want = y + y_rev; break;
            case MergeMode::mul: want = y * y_rev; break;
            case MergeMode::ave: want = (y + y_rev) / 2.0; break;
            case MergeMode::none: break;
            }
            if (mode == MergeMode::none) {
                REQUIRE_THROWS_WITH(bi.forward(tape, tape.constant(x)),
                                    Catch::Contains("merge_mode none gives two outputs"));
                continue;
            }
            require_close(r.output.value(), want, 1e-15);
            Shape s = seq ? Shape{5, 4} : Shape{4};
            if (mode == MergeMode::concat) s.back() = 8;
            REQUIRE(bi.output_shape({5, 3}) == s);
            REQUIRE(r.output.shape()[r.output.shape().size() - 1] == s.back());
        }
}

TEST_CASE("bidirectional: Keras' layers: forward_ and backward_ copies, fresh weights, names", "[bidirectional]")
{
    SimpleRNN<double> layer({.units = 3, .return_sequences = true, .seed = 9, .dropout = 0.1});
    Sequential<double> model;
    Bidirectional<double>& bi = *model.emplace<Bidirectional<double>>(layer);
    model.build({6, 2});
    REQUIRE(bi.name() == "bidirectional");
    REQUIRE(bi.forward_layer()->name() == "forward_simple_rnn");
    REQUIRE(bi.backward_layer()->name() == "backward_simple_rnn");
    const auto& fw = rnn_of(bi.forward_layer());
    const auto& bw = rnn_of(bi.backward_layer());
    REQUIRE_FALSE(fw.options().go_backwards);
    REQUIRE(bw.options().go_backwards);
    // Keras sets zero_output_for_mask = return_sequences on both, and keeps the other options
    REQUIRE(fw.options().zero_output_for_mask);
    REQUIRE(bw.options().zero_output_for_mask);
    REQUIRE(bw.options().dropout == 0.1);
    REQUIRE((fw.kernel.value != bw.kernel.value));  // each direction its own initial weights
    const auto ps = bi.parameters();
    REQUIRE(ps.size() == 6);
    REQUIRE(ps[0]->name == "bidirectional/forward_simple_rnn/kernel");
    REQUIRE(ps[5]->name == "bidirectional/backward_simple_rnn/bias");
    REQUIRE(bi.param_count() == 2 * 3 * (2 + 3 + 1));
    REQUIRE(bi.param_formula() == "3·(2 + 3 + 1) + 3·(2 + 3 + 1)");
    REQUIRE(bi.state_count() == 2);
    const std::string s = model.summary();
    INFO(s);
    REQUIRE_THAT(s, Catch::Contains("bidirectional (Bidirectional)") &&
                        Catch::Contains("(None, 6, 6)") && Catch::Contains("36 = "));
    bi.set_name("encoder");
    REQUIRE(bi.parameters()[0]->name == "encoder/forward_simple_rnn/kernel");
    REQUIRE(bi.get_weights().size() == 6);
}

TEST_CASE("bidirectional: with a mask each direction skips the padding (Keras' backward reading)", "[bidirectional][mask]")
{
    // Right padding: the backward layer reads the padded steps first and carries its initial
    // state over them; its final state is that of the real steps read in reverse.
    const Tensor<double> x = randn({2, 5, 2}, 4);
    const Mask m = right_padded({5, 3}, 5);
    for (bool fused : {true, false}) {
        INFO((fused ? "fused" : "composed"));
        Bidirectional<double> bi(SimpleRNN<double>(
            {.units = 3, .return_sequences = true, .seed = 1, .fused = fused}));
        Tape<double> tape;
        const auto r = bi.call(tape, tape.constant(x), {}, &m);
        const Tensor<double> trimmed = xt::view(x, xt::range(1, 2), xt::range(0, 3), xt::all());
        const auto alone = bi.call(tape, tape.constant(trimmed));
        const Tensor<double> y = r.output.value();
        for (std::size_t t = 0; t < 3; ++t)
            for (std::size_t j = 0; j < 6; ++j)
                REQUIRE(y(1, t, j) == Approx(alone.output.value()(0, t, j)).epsilon(1e-13));
        for (std::size_t t = 3; t < 5; ++t)
            for (std::size_t j = 0; j < 6; ++j) REQUIRE(y(1, t, j) == 0.0);  // zero_output
        REQUIRE(r.backward_states[0].value()(1, 0) ==
                Approx(alone.backward_states[0].value()(0, 0)).epsilon(1e-13));
        const auto out_mask = bi.compute_mask(tape.constant(x), &m);
        REQUIRE((out_mask.has_value() && *out_mask == m));
    }
}

TEST_CASE("bidirectional: gradcheck with a mask and initial states, each merge mode", "[bidirectional][gradcheck]")
{
    const Tensor<double> x = randn({2, 4, 2}, 5);
    const Tensor<double> hf = randn({2, 3}, 6), hb = randn({2, 3}, 7);
    const Mask m = right_padded({4, 2}, 4);
    for (MergeMode mode : {MergeMode::concat, MergeMode::sum, MergeMode::mul, MergeMode::ave})
        for (bool fused : {true, false}) {
            INFO(to_string(mode) << (fused ? " fused" : " composed"));
            Bidirectional<double> bi(
                SimpleRNN<double>({.units = 3, .return_sequences = true,
                                   .bias_initializer = "random_normal", .seed = 2,
                                   .fused = fused}),
                {.merge_mode = mode});
            bi.build({4, 2});
            test::require_gradcheck(
                [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
                    const auto r = bi.call(tape, in[0], {in[1], in[2]}, &m);
                    return sum(r.output) + sum(r.backward_states[0]);
                },
                {x, hf, hb}, bi.parameters());
        }
}

TEST_CASE("bidirectional: Masking -> Bidirectional -> Dense trains in a Sequential", "[bidirectional]")
{
    // Sign of the sum of a variable-length sequence: needs both the mask and the whole sequence.
    const std::size_t n = 64, nt = 6;
    Tensor<double> x = elman::zeros<double>({n, nt, 1});
    Tensor<double> y = elman::zeros<double>({n, 1});
    const Tensor<double> r = randn({n, nt}, 8);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t len = 2 + i % 5;
        double s = 0;
        for (std::size_t t = 0; t < len; ++t) s += x(i, t, 0) = r(i, t);
        y(i, 0) = s > 0 ? 1.0 : -1.0;
    }
    Sequential<double> model;
    model.emplace<Masking<double>>();
    model.emplace<Bidirectional<double>>(SimpleRNN<double>({.units = 6, .seed = 1}));
    model.emplace<Dense<double>>(DenseOptions{.units = 1, .activation = Activation::tanh,
                                              .seed = 2});
    model.build({nt, 1});
    REQUIRE(model.parameters().size() == 8);
    Adam<double> opt(model.parameters(), AdamOptions<double>::keras(0.02));
    const auto h = fit(model, opt, x, y, {.epochs = 60, .batch_size = 16, .verbose = false});
    INFO("first loss " << h.loss.front() << ", last " << h.loss.back());
    REQUIRE(h.loss.back() < 0.25 * h.loss.front());
}

TEST_CASE("bidirectional: mistakes are errors naming the layer", "[bidirectional]")
{
    REQUIRE_THROWS_WITH(Bidirectional<double>(SimpleRNN<double>({.units = 2, .go_backwards = true})),
                        Catch::Contains("go_backwards"));
    REQUIRE_THROWS_WITH(parse_merge_mode("max"), Catch::Contains("unknown merge_mode \"max\""));
    Bidirectional<double> bi(SimpleRNN<double>({.units = 2}));
    Tape<double> tape;
    const Var<double> x = tape.constant(randn({2, 3, 1}, 1));
    const Var<double> h = tape.constant(randn({2, 2}, 2));
    REQUIRE_THROWS_WITH(bi.call(tape, x, {h}),
                        Catch::Contains("bidirectional: expects 2 initial states") &&
                            Catch::Contains("got 1"));
    REQUIRE_THROWS_WITH(bi.set_weights({randn({1, 2}, 1)}),
                        Catch::Contains("an even count") && Catch::Contains("got 1"));
    REQUIRE_THROWS_WITH(bi.recreate(true, false, 0), Catch::Contains("cannot be wrapped"));
}

TEST_CASE("bidirectional: each direction draws its own dropout masks, stateful resets both", "[bidirectional]")
{
    Bidirectional<double> bi(SimpleRNN<double>({.units = 3, .stateful = true, .seed = 4,
                                                .dropout = 0.5}));
    Tape<double> tape;
    const Var<double> x = tape.constant(randn({4, 3, 2}, 3));
    bi.call(tape, x, {}, nullptr, true);
    const auto& fw = rnn_of(bi.forward_layer());
    const auto& bw = rnn_of(bi.backward_layer());
    REQUIRE((fw.dropout_masks().input != bw.dropout_masks().input));
    REQUIRE(fw.has_state());
    REQUIRE(bw.has_state());
    bi.reset_states();
    REQUIRE_FALSE(fw.has_state());
    REQUIRE_FALSE(bw.has_state());
}
