#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <xtensor/xmanipulation.hpp>
#include <xtensor/xsort.hpp>
#include <xtensor/xview.hpp>

#include "check.hpp"
#include "layers/dense.hpp"
#include "layers/simple_rnn.hpp"

using namespace elman;
using elman::test::randn;
using elman::test::require_close;

namespace {

struct Config {
    Activation activation = Activation::tanh;
    bool use_bias = true;
    bool go_backwards = false;
    bool return_sequences = false;
    bool initial_state = false;
    std::size_t timesteps = 4;
};

std::string describe(const Config& c)
{
    return to_string(c.activation) + (c.use_bias ? " bias" : " no-bias") +
           (c.go_backwards ? " go_backwards" : "") +
           (c.return_sequences ? " return_sequences" : " last") +
           (c.initial_state ? " initial_state" : "") + " T=" + std::to_string(c.timesteps);
}

std::vector<Config> all_configs()
{
    std::vector<Config> cs;
    for (Activation a :
         {Activation::tanh, Activation::relu, Activation::sigmoid, Activation::linear})
        for (bool bias : {true, false})
            for (bool back : {false, true})
                for (bool seq : {false, true})
                    for (bool h0 : {false, true}) cs.push_back({a, bias, back, seq, h0, 4});
    return cs;
}

SimpleRNNOptions options_for(const Config& c, std::size_t units, bool fused)
{
    SimpleRNNOptions o;
    o.units = units;
    o.activation = c.activation;
    o.use_bias = c.use_bias;
    o.go_backwards = c.go_backwards;
    o.return_sequences = c.return_sequences;
    o.seed = 7;
    o.fused = fused;
    // A non-zero bias, so that a wrong bias gradient cannot hide behind zeros.
    o.bias_initializer = "random_normal";
    return o;
}

double act_ref(Activation a, double v)
{
    switch (a) {
    case Activation::tanh: return std::tanh(v);
    case Activation::relu: return v > 0 ? v : 0;
    case Activation::sigmoid: return 1 / (1 + std::exp(-v));
    case Activation::linear: return v;
    case Activation::softmax: break;  // refused by SimpleRNN (test_activation.cpp)
    case Activation::hard_sigmoid: return std::clamp(v / 6 + 0.5, 0.0, 1.0);
    case Activation::hard_sigmoid_keras2: return std::clamp(0.2 * v + 0.5, 0.0, 1.0);
    }
    return v;
}

// The recurrence written out with plain loops, independent of the layer's code:
// h_t = act(x_t·W + h_{t−1}·U + b); returns every h in processing order, [B,T,U].
Tensor<double> reference_sequence(const Tensor<double>& x, const Tensor<double>& w,
                                  const Tensor<double>& u, const Tensor<double>* b,
                                  const Tensor<double>* h0, Activation act, bool go_backwards)
{
    const std::size_t nb = x.shape()[0], nt = x.shape()[1], nf = x.shape()[2];
    const std::size_t nu = u.shape()[0];
    Tensor<double> out = xt::zeros<double>({nb, nt, nu});
    for (std::size_t bi = 0; bi < nb; ++bi) {
        std::vector<double> h(nu, 0.0);
        if (h0)
            for (std::size_t j = 0; j < nu; ++j) h[j] = (*h0)(bi, j);
        for (std::size_t s = 0; s < nt; ++s) {
            const std::size_t t = go_backwards ? nt - 1 - s : s;
            std::vector<double> a(nu, 0.0);
            for (std::size_t j = 0; j < nu; ++j) {
                double v = b ? (*b)(j) : 0.0;
                for (std::size_t f = 0; f < nf; ++f) v += x(bi, t, f) * w(f, j);
                for (std::size_t k = 0; k < nu; ++k) v += h[k] * u(k, j);
                a[j] = v;
            }
            for (std::size_t j = 0; j < nu; ++j) {
                h[j] = act_ref(act, a[j]);
                out(bi, s, j) = h[j];
            }
        }
    }
    return out;
}

double max_abs(const Tensor<double>& t)
{
    double m = 0;
    for (double v : t) m = std::max(m, std::abs(v));
    return m;
}

// Everything one pass produces: the output, the state, and the gradients of a fixed random
// projection of the output with respect to x, h0 and every weight.
struct Pass {
    Tensor<double> output, state, dx, dh0;
    std::vector<Tensor<double>> dweights;
};

Pass run_pass(SimpleRNN<double>& layer, const Tensor<double>& x, const Tensor<double>* h0)
{
    for (auto* p : layer.parameters()) p->zero_grad();
    Tape<double> tape;
    auto xv = tape.variable(x, "x");
    Var<double> hv;
    if (h0) hv = tape.variable(*h0, "h0");
    auto r = layer.call(tape, xv, h0 ? &hv : nullptr);
    const Tensor<double> u = randn(r.output.shape(), 99);
    tape.backward(r.output, u);
    Pass p{r.output.value(), r.state.value(), xv.grad(), {}, {}};
    if (h0) p.dh0 = hv.grad();
    for (auto* w : layer.parameters()) p.dweights.push_back(w->grad);
    return p;
}

}  // namespace

TEST_CASE("simple_rnn: parameter count is units·(input_dim + units + 1)", "[rnn]")
{
    const std::vector<std::pair<std::size_t, std::size_t>> shapes{
        {1, 1}, {1, 4}, {1, 5}, {4, 1}, {32, 1}, {3, 7}, {64, 8}, {128, 128}};
    for (auto [units, features] : shapes) {
        for (bool bias : {true, false}) {
            INFO("units " << units << " features " << features << " bias " << bias);
            SimpleRNN<float> rnn({.units = units, .use_bias = bias});
            rnn.build({12, features});
            std::size_t stored = 0;
            for (auto* p : rnn.parameters()) stored += p->value.size();
            const std::size_t keras = units * (features + units + (bias ? 1 : 0));
            REQUIRE(stored == keras);
            REQUIRE(rnn.param_count() == keras);
            REQUIRE(rnn.parameters().size() == (bias ? 3u : 2u));
        }
    }
    SimpleRNN<float> rnn({.units = 1});
    rnn.build({3, 5});
    REQUIRE(rnn.param_formula() == "1·(5 + 1 + 1)");
    REQUIRE(rnn.param_count() == 7);
}

TEST_CASE("simple_rnn: weights have Keras layout and names", "[rnn]")
{
    SimpleRNN<double> rnn({.units = 3, .seed = 1});
    rnn.build({5, 2});
    REQUIRE(rnn.kernel.value.shape() == std::vector<std::size_t>{2, 3});
    REQUIRE(rnn.recurrent_kernel.value.shape() == std::vector<std::size_t>{3, 3});
    REQUIRE(rnn.bias.value.shape() == std::vector<std::size_t>{3});
    REQUIRE(rnn.kernel.name == "simple_rnn/kernel");
    REQUIRE(rnn.recurrent_kernel.name == "simple_rnn/recurrent_kernel");
    REQUIRE(rnn.bias.name == "simple_rnn/bias");
    // orthogonal recurrent kernel: Uᵀ·U = I
    const auto& u = rnn.recurrent_kernel.value;
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) {
            double dot = 0;
            for (std::size_t k = 0; k < 3; ++k) dot += u(k, i) * u(k, j);
            REQUIRE(dot == Approx(i == j ? 1.0 : 0.0).margin(1e-12));
        }
    REQUIRE((xt::all(xt::equal(rnn.bias.value, 0.0))));
}

TEST_CASE("simple_rnn: the seed picks the weights, each initializer its own stream", "[rnn]")
{
    SimpleRNN<double> a({.units = 3, .kernel_initializer = "orthogonal", .seed = 5});
    SimpleRNN<double> b({.units = 3, .kernel_initializer = "orthogonal", .seed = 5});
    SimpleRNN<double> c({.units = 3, .kernel_initializer = "orthogonal", .seed = 6});
    for (auto* l : {&a, &b, &c}) l->build({2, 3});
    REQUIRE((a.kernel.value == b.kernel.value));
    REQUIRE((a.recurrent_kernel.value == b.recurrent_kernel.value));
    REQUIRE((a.kernel.value != c.kernel.value));
    // same initializer and shape for both, yet different values: distinct derived seeds
    REQUIRE((a.kernel.value != a.recurrent_kernel.value));
}

TEST_CASE("simple_rnn: output equals final state (seed example x [2,3,1], units 4)", "[rnn]")
{
    const Tensor<double> x = randn({2, 3, 1}, 3);
    for (bool fused : {true, false}) {
        INFO("fused " << fused);
        SimpleRNN<double> rnn({.units = 4, .return_state = true, .seed = 11, .fused = fused});
        Tape<double> tape;
        auto r = rnn.call(tape, tape.constant(x));
        REQUIRE(r.output.shape() == Shape{2, 4});
        REQUIRE(r.state.shape() == Shape{2, 4});
        REQUIRE((r.output.value() == r.state.value()));
        const auto ref = reference_sequence(x, rnn.kernel.value, rnn.recurrent_kernel.value,
                                            &rnn.bias.value, nullptr, Activation::tanh, false);
        require_close(r.output.value(), xt::view(ref, xt::all(), 2, xt::all()), 1e-12);
    }
}

TEST_CASE("simple_rnn: matches the plain-loop recurrence in every configuration", "[rnn]")
{
    const Tensor<double> x = randn({2, 4, 2}, 1);
    const Tensor<double> h0 = randn({2, 3}, 2);
    for (const Config& c : all_configs()) {
        for (bool fused : {true, false}) {
            INFO(describe(c) << (fused ? " fused" : " composed"));
            SimpleRNN<double> rnn(options_for(c, 3, fused));
            Tape<double> tape;
            auto hv = tape.constant(h0);
            auto r = rnn.call(tape, tape.constant(x), c.initial_state ? &hv : nullptr);
            const auto ref = reference_sequence(
                x, rnn.kernel.value, rnn.recurrent_kernel.value,
                c.use_bias ? &rnn.bias.value : nullptr, c.initial_state ? &h0 : nullptr,
                c.activation, c.go_backwards);
            const Tensor<double> last = xt::view(ref, xt::all(), 3, xt::all());
            require_close(r.output.value(), c.return_sequences ? ref : last, 1e-12);
            require_close(r.state.value(), last, 1e-12);
        }
    }
}

TEST_CASE("simple_rnn: go_backwards equals the forward pass on the time-reversed input", "[rnn]")
{
    const Tensor<double> x = randn({2, 5, 3}, 4);
    const Tensor<double> reversed = xt::flip(x, 1);
    for (bool fused : {true, false}) {
        SimpleRNN<double> back({.units = 3, .return_sequences = true, .go_backwards = true,
                                .seed = 2, .fused = fused});
        SimpleRNN<double> fwd({.units = 3, .return_sequences = true, .seed = 2, .fused = fused});
        Tape<double> tape;
        auto yb = back.forward(tape, tape.constant(x));
        auto yf = fwd.forward(tape, tape.constant(reversed));
        require_close(yb.value(), yf.value(), 1e-14);
        // output[:,0] is h after the LAST input step alone: tanh(x[:,T−1]·W + b)
        for (std::size_t b = 0; b < 2; ++b)
            for (std::size_t j = 0; j < 3; ++j) {
                double a = back.bias.value(j);
                for (std::size_t f = 0; f < 3; ++f) a += x(b, 4, f) * back.kernel.value(f, j);
                REQUIRE(yb.value()(b, 0, j) == Approx(std::tanh(a)).epsilon(1e-12));
            }
    }
}

TEST_CASE("simple_rnn: gradcheck of the whole layer in every configuration", "[rnn][gradcheck]")
{
    const Tensor<double> x = randn({2, 4, 2}, 5);
    const Tensor<double> h0 = randn({2, 3}, 6);
    for (const Config& c : all_configs()) {
        for (bool fused : {true, false}) {
            INFO(describe(c) << (fused ? " fused" : " composed"));
            SimpleRNN<double> rnn(options_for(c, 3, fused));
            rnn.build({4, 2});
            std::vector<Tensor<double>> inputs{x};
            if (c.initial_state) inputs.push_back(h0);
            test::require_gradcheck(
                [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
                    return rnn.call(tape, in[0], c.initial_state ? &in[1] : nullptr).output;
                },
                inputs, rnn.parameters());
        }
    }
}

TEST_CASE("simple_rnn: composed and fused paths agree to 1e-10 (values and gradients)", "[rnn]")
{
    const Tensor<double> x = randn({2, 4, 2}, 7);
    const Tensor<double> h0 = randn({2, 3}, 8);
    auto configs = all_configs();
    configs.push_back({Activation::tanh, true, false, true, true, 200});
    for (const Config& c : configs) {
        INFO(describe(c));
        const Tensor<double> xc = c.timesteps == 4 ? x : randn({2, c.timesteps, 2}, 9);
        SimpleRNN<double> fused(options_for(c, 3, true));
        SimpleRNN<double> composed(options_for(c, 3, false));
        const Pass a = run_pass(fused, xc, c.initial_state ? &h0 : nullptr);
        const Pass b = run_pass(composed, xc, c.initial_state ? &h0 : nullptr);
        require_close(a.output, b.output, 1e-10);
        require_close(a.state, b.state, 1e-10);
        require_close(a.dx, b.dx, 1e-10);
        if (c.initial_state) require_close(a.dh0, b.dh0, 1e-10);
        REQUIRE(a.dweights.size() == b.dweights.size());
        for (std::size_t k = 0; k < a.dweights.size(); ++k)
            require_close(a.dweights[k], b.dweights[k], 1e-10);
    }
}

TEST_CASE("simple_rnn: gradcheck over a 200-step sequence", "[rnn][gradcheck]")
{
    // The initial state is the checked input: its gradient is the one that has travelled back
    // through all 200 steps (dL/dx_t for early t vanishes below finite differences' noise; the
    // paths' agreement on dx over 200 steps is checked in the composed-vs-fused test).
    const Tensor<double> x = randn({2, 200, 2}, 10);
    const Tensor<double> h0 = randn({2, 3}, 11);
    for (bool fused : {true, false}) {
        INFO("fused " << fused);
        SimpleRNN<double> rnn({.units = 3, .return_sequences = true, .seed = 3, .fused = fused});
        rnn.build({200, 2});
        test::require_gradcheck(
            [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
                return rnn.call(tape, tape.constant(x), &in[0]).output;
            },
            {h0}, rnn.parameters());
    }
}

TEST_CASE("simple_rnn: stacked RNNs + Dense head + MSE pass gradcheck", "[rnn][gradcheck]")
{
    const Tensor<double> x = randn({2, 5, 2}, 12);
    const Tensor<double> y = randn({2, 1}, 13);
    for (bool fused : {true, false}) {
        INFO("fused " << fused);
        SimpleRNN<double> r1({.units = 3, .return_sequences = true,
                              .bias_initializer = "random_normal", .seed = 1, .fused = fused});
        SimpleRNN<double> r2({.units = 3,
                              .bias_initializer = "random_normal", .seed = 2, .fused = fused});
        Dense<double> head({.units = 1, .seed = 3});
        r1.set_name("simple_rnn");
        r2.set_name("simple_rnn_1");
        r1.build({5, 2});
        r2.build({5, 3});
        head.build({3});
        std::vector<Parameter<double>*> params;
        for (Module<double>* m : std::vector<Module<double>*>{&r1, &r2, &head})
            for (auto* p : m->parameters()) params.push_back(p);
        REQUIRE(params.size() == 8);
        test::require_gradcheck(
            [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
                auto pred = head.forward(tape, r2.forward(tape, r1.forward(tape, in[0])));
                // MSE = mean((pred − y)²)
                return mean(square(pred - tape.constant(y)));
            },
            {x}, params);
    }
}

TEST_CASE("simple_rnn: the float32 fused path matches the float64 one", "[rnn]")
{
    const Tensor<double> x = randn({3, 6, 2}, 14);
    SimpleRNN<double> r64({.units = 4, .return_sequences = true, .seed = 4});
    SimpleRNN<float> r32({.units = 4, .return_sequences = true, .seed = 4});
    Tape<double> t64;
    Tape<float> t32;
    auto y64 = r64.forward(t64, t64.constant(x));
    const Tensor<float> x32 = xt::cast<float>(x);
    auto y32 = r32.forward(t32, t32.constant(x32));
    const Tensor<double> y32d = xt::cast<double>(y32.value());
    require_close(y32d, y64.value(), 1e-5);
}

TEST_CASE("simple_rnn: stateful carries the state between calls until reset_states", "[rnn]")
{
    const Tensor<double> x = randn({2, 6, 2}, 15);
    const Tensor<double> first = xt::view(x, xt::all(), xt::range(0, 3), xt::all());
    const Tensor<double> second = xt::view(x, xt::all(), xt::range(3, 6), xt::all());
    for (bool fused : {true, false}) {
        INFO("fused " << fused);
        SimpleRNN<double> whole({.units = 3, .seed = 8, .fused = fused});
        SimpleRNN<double> chunked({.units = 3, .stateful = true, .seed = 8, .fused = fused});
        Tape<double> tape;
        auto full = whole.forward(tape, tape.constant(x));
        REQUIRE_FALSE(chunked.has_state());
        chunked.forward(tape, tape.constant(first));
        REQUIRE(chunked.has_state());
        auto y2 = chunked.forward(tape, tape.constant(second));
        // chunk 2 started from chunk 1's final state: the same as running all 6 steps at once
        require_close(y2.value(), full.value(), 1e-12);

        chunked.reset_states();
        REQUIRE_FALSE(chunked.has_state());
        auto fresh = whole.forward(tape, tape.constant(second));
        auto after_reset = chunked.forward(tape, tape.constant(second));
        require_close(after_reset.value(), fresh.value(), 1e-12);
        REQUIRE(max_abs(after_reset.value() - y2.value()) > 1e-6);
    }
}

TEST_CASE("simple_rnn: truncated BPTT cuts the gradient between chunks", "[rnn]")
{
    const Tensor<double> x = randn({2, 6, 2}, 16);
    const Tensor<double> first = xt::view(x, xt::all(), xt::range(0, 3), xt::all());
    const Tensor<double> second = xt::view(x, xt::all(), xt::range(3, 6), xt::all());
    for (bool fused : {true, false}) {
        INFO("fused " << fused);
        SimpleRNN<double> rnn({.units = 3, .stateful = true, .seed = 8, .fused = fused});
        Tape<double> tape;
        auto x1 = tape.variable(first, "x1");
        auto x2 = tape.variable(second, "x2");
        rnn.forward(tape, x1);
        auto y2 = rnn.forward(tape, x2);
        tape.backward(sum(y2));
        REQUIRE(x2.has_grad());
        // the carried state is a constant: no path from chunk 2's loss back into chunk 1
        REQUIRE_FALSE(x1.has_grad());

        // without the cut (state passed as a live Var) the gradient does reach chunk 1
        SimpleRNN<double> plain({.units = 3, .seed = 8, .fused = fused});
        Tape<double> t2;
        auto z1 = t2.variable(first, "x1");
        auto s1 = plain.call(t2, z1).state;
        auto out = plain.call(t2, t2.variable(second, "x2"), &s1).output;
        t2.backward(sum(out));
        REQUIRE(z1.has_grad());
        REQUIRE(max_abs(z1.grad()) > 0.0);
    }
}

TEST_CASE("simple_rnn: set_weights / get_weights round trip in Keras order", "[rnn]")
{
    SimpleRNN<double> a({.units = 3, .seed = 1});
    a.build({4, 2});
    const auto w = a.get_weights();
    REQUIRE(w.size() == 3);
    REQUIRE(w[0].shape() == std::vector<std::size_t>{2, 3});
    REQUIRE(w[1].shape() == std::vector<std::size_t>{3, 3});
    REQUIRE(w[2].shape() == std::vector<std::size_t>{3});
    SimpleRNN<double> b({.units = 3, .seed = 2});
    REQUIRE_FALSE(b.built());
    b.set_weights({w[0], w[1], randn({3}, 3)});
    REQUIRE(b.built());
    REQUIRE(b.input_dim() == 2);
    const auto got = b.get_weights();
    REQUIRE((got[0] == w[0]));
    REQUIRE((got[1] == w[1]));
    REQUIRE((got[2] == randn({3}, 3)));
    b.set_weights(w);
    const Tensor<double> x = randn({2, 4, 2}, 4);
    Tape<double> tape;
    const Tensor<double> ya = a.forward(tape, tape.constant(x)).value();
    const Tensor<double> yb = b.forward(tape, tape.constant(x)).value();
    require_close(ya, yb, 1e-14);

    SimpleRNN<double> nb({.units = 3, .use_bias = false});
    nb.set_weights({w[0], w[1]});
    REQUIRE(nb.get_weights().size() == 2);
    REQUIRE(nb.param_count() == 3 * (2 + 3));
}

TEST_CASE("simple_rnn: mistakes throw errors naming the layer, weight and shapes", "[rnn]")
{
    SimpleRNN<double> rnn({.units = 3});
    Tape<double> tape;
    REQUIRE_THROWS_WITH(rnn.forward(tape, tape.constant(randn({2, 4}, 1))),
                        Catch::Contains("simple_rnn") && Catch::Contains("rank 3") &&
                            Catch::Contains("[2,4]"));
    rnn.forward(tape, tape.constant(randn({2, 4, 2}, 1)));
    REQUIRE_THROWS_WITH(rnn.forward(tape, tape.constant(randn({2, 4, 5}, 1))),
                        Catch::Contains("simple_rnn") && Catch::Contains("5 features") &&
                            Catch::Contains("[2,3]"));
    auto bad_h0 = tape.constant(randn({2, 4}, 2));
    REQUIRE_THROWS_WITH(rnn.call(tape, tape.constant(randn({2, 4, 2}, 1)), &bad_h0),
                        Catch::Contains("initial_state") && Catch::Contains("[2,4]") &&
                            Catch::Contains("[2,3]"));
    REQUIRE_THROWS_WITH(rnn.set_weights({randn({2, 3}, 1)}),
                        Catch::Contains("simple_rnn") && Catch::Contains("expects 3") &&
                            Catch::Contains("got 1"));
    REQUIRE_THROWS_WITH(rnn.set_weights({randn({2, 3}, 1), randn({3, 4}, 1), randn({3}, 1)}),
                        Catch::Contains("recurrent_kernel") && Catch::Contains("[3,4]") &&
                            Catch::Contains("[3,3]"));
    REQUIRE_THROWS_WITH(rnn.set_weights({randn({4, 3}, 1), randn({3, 3}, 1), randn({3}, 1)}),
                        Catch::Contains("kernel has shape [4,3]") && Catch::Contains("[2,3]"));
    REQUIRE_THROWS_WITH(rnn.set_weights({randn({2, 3}, 1), randn({3, 3}, 1), randn({2}, 1)}),
                        Catch::Contains("bias has shape [2]") && Catch::Contains("[3]"));
    REQUIRE_THROWS_WITH(SimpleRNN<double>({.units = 0}), Catch::Contains("units"));
    REQUIRE_THROWS_WITH(SimpleRNN<double>({.units = 2, .kernel_initializer = "he_normal"}),
                        Catch::Contains("he_normal"));

    SimpleRNN<double> st({.units = 3, .stateful = true});
    st.forward(tape, tape.constant(randn({2, 4, 2}, 1)));
    REQUIRE_THROWS_WITH(st.forward(tape, tape.constant(randn({5, 4, 2}, 1))),
                        Catch::Contains("stateful") && Catch::Contains("reset_states"));
    st.reset_states();
    REQUIRE(st.forward(tape, tape.constant(randn({5, 4, 2}, 1))).shape() == Shape{5, 3});
}

TEST_CASE("simple_rnn: initial_state receives a gradient", "[rnn]")
{
    for (bool fused : {true, false}) {
        SimpleRNN<double> rnn({.units = 3, .seed = 1, .fused = fused});
        Tape<double> tape;
        auto h0 = tape.variable(randn({2, 3}, 1), "h0");
        auto r = rnn.call(tape, tape.constant(randn({2, 4, 2}, 2)), &h0);
        tape.backward(sum(r.output));
        REQUIRE(h0.has_grad());
        REQUIRE(max_abs(h0.grad()) > 0.0);
    }
}

TEST_CASE("simple_rnn: the fused path records one node for the whole sequence", "[rnn]")
{
    SimpleRNN<double> fused({.units = 3, .seed = 1});
    SimpleRNN<double> composed({.units = 3, .seed = 1, .fused = false});
    const Tensor<double> x = randn({2, 10, 2}, 3);
    Tape<double> a, b;
    fused.forward(a, a.variable(x));
    composed.forward(b, b.variable(x));
    REQUIRE(a.recorded() == 1);
    REQUIRE(b.recorded() > 10);
}

TEST_CASE("simple_rnn: a float batch of one (the one-call tanh step) matches the float64 layer",
          "[rnn]")
{
    // Batch 1 with tanh and no trace takes gemm_row_tanh at every step (core/blas.hpp); values
    // and gradients must still be the float64 layer's, forwards and backwards, with padding.
    const std::size_t nt = 20, nf = 2, nu = 64;
    const Tensor<double> x = randn({1, nt, nf}, 21);
    for (bool go_backwards : {false, true})
        for (bool padded : {false, true}) {
            INFO("go_backwards " << go_backwards << " padded " << padded);
            Mask mask = Mask::from_shape({1, nt});
            for (std::size_t t = 0; t < nt; ++t) mask(0, t) = !padded || t < nt - 6;
            CallContext ctx;
            ctx.mask = padded ? &mask : nullptr;
            const SimpleRNNOptions opt{.units = nu, .return_sequences = true,
                                       .go_backwards = go_backwards, .seed = 9};
            SimpleRNN<double> r64(opt);
            SimpleRNN<float> r32(opt);
            Tape<double> t64;
            Tape<float> t32;
            auto x64 = t64.variable(x);
            auto x32 = t32.variable(xt::cast<float>(x));
            auto y64 = r64.forward(t64, x64, ctx);
            auto y32 = r32.forward(t32, x32, ctx);
            require_close(Tensor<double>(xt::cast<double>(y32.value())), y64.value(), 1e-5);
            t64.backward(sum(y64));
            t32.backward(sum(y32));
            require_close(Tensor<double>(xt::cast<double>(x32.grad())), x64.grad(), 1e-4);
            require_close(Tensor<double>(xt::cast<double>(r32.recurrent_kernel.grad)),
                          r64.recurrent_kernel.grad, 1e-4);
        }
}
