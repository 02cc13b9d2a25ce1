// GRU: Keras' layout and counts, the recurrence against plain loops (tests/gru_reference.hpp),
// gradchecks and the agreement of the fused and composed paths, in every configuration.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <xtensor/xmanipulation.hpp>
#include <xtensor/xview.hpp>

#include "check.hpp"
#include "gru_reference.hpp"
#include "layers/dense.hpp"
#include "layers/gru.hpp"

using namespace elman;
using elman::test::gru_reference;
using elman::test::randn;
using elman::test::require_close;

namespace {

struct Config {
    Activation activation = Activation::tanh;
    Activation recurrent_activation = Activation::sigmoid;
    bool reset_after = true;
    bool use_bias = true;
    bool go_backwards = false;
    bool return_sequences = false;
    bool initial_state = false;
};

std::string describe(const Config& c)
{
    return to_string(c.activation) + "/" + to_string(c.recurrent_activation) +
           (c.reset_after ? " reset_after" : " reset_before") +
           (c.use_bias ? " bias" : " no-bias") + (c.go_backwards ? " go_backwards" : "") +
           (c.return_sequences ? " return_sequences" : " last") +
           (c.initial_state ? " initial_state" : "");
}

std::vector<Config> all_configs()
{
    std::vector<Config> cs;
    const std::pair<Activation, Activation> acts[] = {
        {Activation::tanh, Activation::sigmoid},
        {Activation::relu, Activation::hard_sigmoid},
        {Activation::linear, Activation::hard_sigmoid_keras2}};
    for (auto [act, rec] : acts)
        for (bool after : {true, false})
            for (bool bias : {true, false})
                for (bool back : {false, true})
                    for (bool seq : {false, true})
                        for (bool h0 : {false, true})
                            cs.push_back({act, rec, after, bias, back, seq, h0});
    return cs;
}

GRUOptions options_for(const Config& c, std::size_t units, bool fused)
{
    return {.units = units, .activation = c.activation,
            .recurrent_activation = c.recurrent_activation, .use_bias = c.use_bias,
            .reset_after = c.reset_after, .return_sequences = c.return_sequences,
            .go_backwards = c.go_backwards,
            // a non-zero bias, so that a wrong bias gradient cannot hide behind zeros
            .bias_initializer = "random_normal", .seed = 7, .fused = fused};
}

// The output, the state and the gradients of a fixed random projection of the output.
struct Pass {
    Tensor<double> output, state, dx, dh0;
    std::vector<Tensor<double>> dweights;
};

Pass run_pass(GRU<double>& layer, const Tensor<double>& x, const Tensor<double>* h0)
{
    for (auto* p : layer.parameters()) p->zero_grad();
    Tape<double> tape;
    auto xv = tape.variable(x, "x");
    Var<double> hv;
    if (h0) hv = tape.variable(*h0, "h0");
    auto r = layer.call(tape, xv, h0 ? &hv : nullptr);
    tape.backward(r.output, randn(r.output.shape(), 99));
    Pass p{r.output.value(), r.state.value(), xv.grad(), {}, {}};
    if (h0) p.dh0 = hv.grad();
    for (auto* w : layer.parameters()) p.dweights.push_back(w->grad);
    return p;
}

}  // namespace

TEST_CASE("gru: parameter count is 3·units·(input_dim + units + 2) with reset_after, + 1 "
          "without", "[gru]")
{
    for (auto [units, features] : std::vector<std::pair<std::size_t, std::size_t>>{
             {1, 1}, {4, 1}, {1, 5}, {32, 1}, {3, 7}, {64, 8}})
        for (bool after : {true, false})
            for (bool bias : {true, false}) {
                INFO("units " << units << " features " << features << " reset_after " << after
                              << " bias " << bias);
                GRU<float> gru({.units = units, .use_bias = bias, .reset_after = after});
                gru.build({12, features});
                std::size_t stored = 0;
                for (auto* p : gru.parameters()) stored += p->value.size();
                const std::size_t keras =
                    3 * units * (features + units + (bias ? (after ? 2 : 1) : 0));
                REQUIRE(stored == keras);
                REQUIRE(gru.param_count() == keras);
            }
    GRU<float> gru({.units = 4});
    gru.build({10, 3});
    REQUIRE(gru.param_formula() == "3·4·(3 + 4 + 2)");
    REQUIRE(gru.param_count() == 108);
    GRU<float> old({.units = 4, .reset_after = false});
    old.build({10, 3});
    REQUIRE(old.param_formula() == "3·4·(3 + 4 + 1)");
    REQUIRE(old.param_count() == 96);
}

TEST_CASE("gru: weights have Keras' layout, names and initializers", "[gru]")
{
    GRU<double> gru({.units = 3, .seed = 1});
    gru.build({5, 2});
    REQUIRE(gru.kernel.value.shape() == std::vector<std::size_t>{2, 9});
    REQUIRE(gru.recurrent_kernel.value.shape() == std::vector<std::size_t>{3, 9});
    REQUIRE(gru.bias.value.shape() == std::vector<std::size_t>{2, 9});
    REQUIRE(gru.kernel.name == "gru/kernel");
    REQUIRE(gru.recurrent_kernel.name == "gru/recurrent_kernel");
    REQUIRE(gru.bias.name == "gru/bias");
    REQUIRE((xt::all(xt::equal(gru.bias.value, 0.0))));
    // orthogonal [U,3U]: orthonormal rows, R·Rᵀ = I
    const auto& r = gru.recurrent_kernel.value;
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) {
            double dot = 0;
            for (std::size_t k = 0; k < 9; ++k) dot += r(i, k) * r(j, k);
            REQUIRE(dot == Approx(i == j ? 1.0 : 0.0).margin(1e-12));
        }
    GRU<double> old({.units = 3, .reset_after = false});
    old.build({5, 2});
    REQUIRE(old.bias.value.shape() == std::vector<std::size_t>{9});
}

TEST_CASE("gru: matches Keras' cell written out in plain loops, in every configuration", "[gru]")
{
    const Tensor<double> x = randn({2, 4, 2}, 1);
    const Tensor<double> h0 = randn({2, 3}, 2);
    for (const Config& c : all_configs())
        for (bool fused : {true, false}) {
            INFO(describe(c) << (fused ? " fused" : " composed"));
            GRU<double> gru(options_for(c, 3, fused));
            Tape<double> tape;
            auto hv = tape.constant(h0);
            auto r = gru.call(tape, tape.constant(x), c.initial_state ? &hv : nullptr);
            const auto ref = gru_reference(x, gru, c.initial_state ? &h0 : nullptr);
            require_close(r.output.value(), ref.output, 1e-12);
            require_close(r.state.value(), ref.state, 1e-12);
        }
}

// Every activation pair × reset form × bias, each with another of the eight (go_backwards,
// return_sequences, initial state) combinations and on one path, alternating (CI time): the
// next test holds the paths equal to 1e-10 in all 96 configurations.
TEST_CASE("gru: gradcheck of the whole layer, every activation, reset form and bias, both paths",
          "[gru][gradcheck]")
{
    const Tensor<double> x = randn({2, 4, 2}, 5);
    const Tensor<double> h0 = randn({2, 3}, 6);
    const std::vector<Config> cs = all_configs();
    for (std::size_t k = 0; k < cs.size() / 8; ++k) {
        const Config& c = cs[8 * k + (3 * k) % 8];
        const bool fused = k % 2 == 0;
        INFO(describe(c) << (fused ? " fused" : " composed"));
        GRU<double> gru(options_for(c, 3, fused));
        gru.build({4, 2});
        std::vector<Tensor<double>> inputs{x};
        if (c.initial_state) inputs.push_back(h0);
        test::require_gradcheck(
            [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
                return gru.call(tape, in[0], c.initial_state ? &in[1] : nullptr).output;
            },
            inputs, gru.parameters());
    }
}

TEST_CASE("gru: composed and fused paths agree to 1e-10 (values and gradients)", "[gru]")
{
    const Tensor<double> h0 = randn({2, 3}, 8);
    for (const Config& c : all_configs()) {
        INFO(describe(c));
        const Tensor<double> x = randn({2, 4, 2}, 7);
        GRU<double> fused(options_for(c, 3, true)), composed(options_for(c, 3, false));
        const Pass a = run_pass(fused, x, c.initial_state ? &h0 : nullptr);
        const Pass b = run_pass(composed, x, c.initial_state ? &h0 : nullptr);
        require_close(a.output, b.output, 1e-10);
        require_close(a.state, b.state, 1e-10);
        require_close(a.dx, b.dx, 1e-10);
        if (c.initial_state) require_close(a.dh0, b.dh0, 1e-10);
        REQUIRE(a.dweights.size() == b.dweights.size());
        for (std::size_t k = 0; k < a.dweights.size(); ++k)
            require_close(a.dweights[k], b.dweights[k], 1e-10);
    }
}

TEST_CASE("gru: 200 steps, both reset_after forms: the paths agree and h_0's gradient passes "
          "gradcheck", "[gru][gradcheck]")
{
    const Tensor<double> x = randn({2, 200, 2}, 10);
    const Tensor<double> h0 = randn({2, 3}, 11);
    for (bool after : {true, false}) {
        INFO("reset_after " << after);
        Config c{.reset_after = after, .return_sequences = true, .initial_state = true};
        GRU<double> fused(options_for(c, 3, true)), composed(options_for(c, 3, false));
        const Pass a = run_pass(fused, x, &h0);
        const Pass b = run_pass(composed, x, &h0);
        require_close(a.output, b.output, 1e-10);
        require_close(a.dx, b.dx, 1e-10);
        require_close(a.dh0, b.dh0, 1e-10);
        for (std::size_t k = 0; k < a.dweights.size(); ++k)
            require_close(a.dweights[k], b.dweights[k], 1e-10);
        // the gradient that travelled back through all 200 steps
        test::require_gradcheck(
            [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
                return fused.call(tape, tape.constant(x), &in[0]).output;
            },
            {h0}, fused.parameters());
    }
}

TEST_CASE("gru: go_backwards equals the forward pass on the time-reversed input", "[gru]")
{
    const Tensor<double> x = randn({2, 5, 3}, 4);
    const Tensor<double> reversed = xt::flip(x, 1);
    for (bool fused : {true, false}) {
        GRU<double> back({.units = 3, .return_sequences = true, .go_backwards = true, .seed = 2,
                          .fused = fused});
        GRU<double> fwd({.units = 3, .return_sequences = true, .seed = 2, .fused = fused});
        Tape<double> tape;
        require_close(back.forward(tape, tape.constant(x)).value(),
                      fwd.forward(tape, tape.constant(reversed)).value(), 1e-14);
    }
}

TEST_CASE("gru: stacked GRUs + Dense head + MSE pass gradcheck", "[gru][gradcheck]")
{
    const Tensor<double> x = randn({2, 5, 2}, 12);
    const Tensor<double> y = randn({2, 1}, 13);
    for (bool fused : {true, false}) {
        INFO("fused " << fused);
        GRU<double> g1({.units = 3, .return_sequences = true, .bias_initializer = "random_normal",
                        .seed = 1, .fused = fused});
        GRU<double> g2({.units = 2, .reset_after = false, .bias_initializer = "random_normal",
                        .seed = 2, .fused = fused});
        Dense<double> head({.units = 1, .seed = 3});
        g1.build({5, 2});
        g2.build({5, 3});
        head.build({2});
        std::vector<Parameter<double>*> params;
        for (Module<double>* m : std::vector<Module<double>*>{&g1, &g2, &head})
            for (auto* p : m->parameters()) params.push_back(p);
        test::require_gradcheck(
            [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
                auto pred = head.forward(tape, g2.forward(tape, g1.forward(tape, in[0])));
                return mean(square(pred - tape.constant(y)));
            },
            {x}, params);
    }
}

TEST_CASE("gru: the float32 fused path matches the float64 one", "[gru]")
{
    const Tensor<double> x = randn({3, 6, 2}, 14);
    for (bool after : {true, false}) {
        GRU<double> g64({.units = 4, .reset_after = after, .return_sequences = true, .seed = 4});
        GRU<float> g32({.units = 4, .reset_after = after, .return_sequences = true, .seed = 4});
        Tape<double> t64;
        Tape<float> t32;
        const Tensor<double> y64 = g64.forward(t64, t64.constant(x)).value();
        const Tensor<float> x32 = xt::cast<float>(x);
        const Tensor<double> y32 = xt::cast<double>(g32.forward(t32, t32.constant(x32)).value());
        require_close(y32, y64, 1e-5);
    }
}

TEST_CASE("gru: stateful carries the state between calls until reset_states", "[gru]")
{
    const Tensor<double> x = randn({2, 6, 2}, 15);
    const Tensor<double> first = xt::view(x, xt::all(), xt::range(0, 3), xt::all());
    const Tensor<double> second = xt::view(x, xt::all(), xt::range(3, 6), xt::all());
    for (bool fused : {true, false}) {
        INFO("fused " << fused);
        GRU<double> whole({.units = 3, .seed = 8, .fused = fused});
        GRU<double> chunked({.units = 3, .stateful = true, .seed = 8, .fused = fused});
        Tape<double> tape;
        const Tensor<double> full = whole.forward(tape, tape.constant(x)).value();
        chunked.forward(tape, tape.constant(first));
        REQUIRE(chunked.has_state());
        require_close(chunked.forward(tape, tape.constant(second)).value(), full, 1e-12);
        chunked.reset_states();
        REQUIRE_FALSE(chunked.has_state());
        require_close(chunked.forward(tape, tape.constant(second)).value(),
                      whole.forward(tape, tape.constant(second)).value(), 1e-12);
    }
}

TEST_CASE("gru: the fused path records one node for the whole sequence", "[gru]")
{
    GRU<double> fused({.units = 3, .seed = 1});
    GRU<double> composed({.units = 3, .seed = 1, .fused = false});
    const Tensor<double> x = randn({2, 10, 2}, 3);
    Tape<double> a, b;
    fused.forward(a, a.variable(x));
    composed.forward(b, b.variable(x));
    REQUIRE(a.recorded() == 1);
    REQUIRE(b.recorded() > 100);
}
