#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <memory>

#include <xtensor/xview.hpp>

#include "check.hpp"
#include "layers/dense.hpp"
#include "layers/masking.hpp"
#include "layers/sequential.hpp"
#include "layers/simple_rnn.hpp"

using namespace elman;
using elman::test::randn;
using elman::test::require_close;

namespace {

// x [2,4,3] with some steps made entirely of v: (0,0), (0,1), (1,3); (1,1) has one v only.
Tensor<double> padded_input(double v)
{
    Tensor<double> x = randn({2, 4, 3}, 1);
    for (std::size_t f = 0; f < 3; ++f) x(0, 0, f) = x(0, 1, f) = x(1, 3, f) = v;
    x(1, 1, 0) = v;
    return x;
}

}  // namespace

TEST_CASE("masking: a step is padding when every feature equals mask_value, and becomes zeros", "[masking]")
{
    for (double v : {0.0, -1.0}) {
        INFO("mask_value " << v);
        Masking<double> layer({.mask_value = v});
        Tape<double> tape;
        const Tensor<double> x = padded_input(v);
        const Var<double> xv = tape.constant(x);
        const Tensor<double> y = layer.forward(tape, xv).value();
        const auto m = layer.compute_mask(xv, nullptr);
        REQUIRE(m.has_value());
        for (std::size_t b = 0; b < 2; ++b)
            for (std::size_t t = 0; t < 4; ++t) {
                const bool padded = (b == 0 && t < 2) || (b == 1 && t == 3);
                REQUIRE((*m)(b, t) == !padded);
                for (std::size_t f = 0; f < 3; ++f)
                    REQUIRE(y(b, t, f) == (padded ? 0.0 : x(b, t, f)));
            }
    }
    REQUIRE(Masking<double>().type() == "Masking");
    REQUIRE(Masking<double>().name() == "masking");
    REQUIRE(Masking<double>().built());
}

TEST_CASE("masking: the gradient is the output's at real steps and zero at padded ones", "[masking]")
{
    // (Not a gradcheck: moving one feature of a padded step off mask_value makes the step real,
    // so the layer is not differentiable there; Keras' mask is a constant too.)
    Masking<double> layer;
    const Tensor<double> x = padded_input(0.0);
    Tape<double> tape;
    const Var<double> xv = tape.variable(x);
    const Var<double> y = layer.forward(tape, xv);
    const Tensor<double> u = randn({2, 4, 3}, 3);
    tape.backward(y, u);
    const Mask m = padding_mask(x, 0.0, "test");
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t t = 0; t < 4; ++t)
            for (std::size_t f = 0; f < 3; ++f)
                REQUIRE(xv.grad()(b, t, f) == (m(b, t) ? u(b, t, f) : 0.0));
    // nothing padded: the input itself comes back, no node
    const Var<double> plain = tape.variable(randn({2, 3, 2}, 4));
    REQUIRE(layer.forward(tape, plain).index() == plain.index());
}

TEST_CASE("masking: Masking -> SimpleRNN in a Sequential equals the RNN called with the mask", "[masking][rnn]")
{
    for (bool fused : {true, false}) {
        INFO((fused ? "fused" : "composed"));
        Sequential<double> model;
        model.emplace<Masking<double>>();
        auto rnn = model.emplace<SimpleRNN<double>>(
            SimpleRNNOptions{.units = 3, .return_sequences = true, .seed = 2, .fused = fused});
        model.emplace<Dense<double>>(DenseOptions{.units = 1, .seed = 3});
        const Tensor<double> x = padded_input(0.0);
        Tape<double> tape;
        const Tensor<double> y = model.forward(tape, tape.constant(x)).value();
        const Mask m = padding_mask(x, 0.0, "test");
        const auto r = rnn->call(tape, tape.constant(x), nullptr, &m);
        const Tensor<double> by_hand = model.layers()[2]->forward(tape, r.output).value();
        REQUIRE((y == by_hand));
        // Dense keeps the mask on: the model's output mask is the input's
        const auto out_mask = model.compute_mask(tape.constant(x), nullptr);
        REQUIRE(out_mask.has_value());
        REQUIRE((*out_mask == m));
    }
}

TEST_CASE("masking: a left-padded batch gives each sequence's unpadded prediction", "[masking][rnn]")
{
    // The class of issue 15's report: sequences of different lengths, left-padded with zero
    // steps to one length, must predict what each gives alone.
    Sequential<double> model;
    model.emplace<Masking<double>>();
    model.emplace<SimpleRNN<double>>(SimpleRNNOptions{.units = 4, .bias_initializer = "ones",
                                                      .seed = 5});
    model.emplace<Dense<double>>(DenseOptions{.units = 2, .seed = 6});
    model.build({0, 1});
    const Tensor<double> a = randn({1, 3, 1}, 7), b = randn({1, 5, 1}, 8);
    Tensor<double> batch = xt::zeros<double>({2, 5, 1});
    xt::view(batch, 0, xt::range(2, 5), xt::all()) = xt::view(a, 0, xt::all(), xt::all());
    xt::view(batch, 1, xt::all(), xt::all()) = xt::view(b, 0, xt::all(), xt::all());
    Tape<double> tape;
    const Tensor<double> together = model.forward(tape, tape.constant(batch)).value();
    const Tensor<double> alone_a = model.forward(tape, tape.constant(a)).value();
    const Tensor<double> alone_b = model.forward(tape, tape.constant(b)).value();
    require_close(xt::view(together, xt::range(0, 1), xt::all()), alone_a, 1e-14);
    require_close(xt::view(together, xt::range(1, 2), xt::all()), alone_b, 1e-14);
    // without Masking the zero steps move the state (bias 1): a different prediction
    Sequential<double> unmasked;
    unmasked.add(model.layers()[1]);
    unmasked.add(model.layers()[2]);
    const Tensor<double> moved = unmasked.forward(tape, tape.constant(batch)).value();
    REQUIRE(std::abs(moved(0, 0) - alone_a(0, 0)) > 1e-3);
}

TEST_CASE("masking: a NaN or infinite mask_value and a wrong rank are errors", "[masking]")
{
    REQUIRE_THROWS_WITH(Masking<float>({.mask_value = std::numeric_limits<double>::quiet_NaN()}),
                        Catch::Contains("masking: mask_value must be finite") &&
                            Catch::Contains("NaN equals nothing"));
    REQUIRE_THROWS_WITH(Masking<float>({.mask_value = std::numeric_limits<double>::infinity()}),
                        Catch::Contains("mask_value must be finite"));
    Masking<double> layer;
    Tape<double> tape;
    REQUIRE_THROWS_WITH(layer.forward(tape, tape.constant(randn({2, 3}, 1))),
                        Catch::Contains("masking: expects input [batch, timesteps, features]") &&
                            Catch::Contains("[2,3]"));
}
