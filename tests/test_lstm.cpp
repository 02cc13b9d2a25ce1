// The LSTM layer: Keras' layout and parameter count, both paths against a plain-loop reference
// (tests/lstm_reference.hpp), gradchecks, fused = composed to 1e-10, states and errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <xtensor/xmanipulation.hpp>
#include <xtensor/xview.hpp>

#include "check.hpp"
#include "lstm_reference.hpp"
#include "layers/dense.hpp"
#include "layers/lstm.hpp"
#include "layers/sequential.hpp"

using namespace elman;
using elman::test::randn;
using elman::test::require_close;

namespace {

struct Config {
    Activation act = Activation::tanh, rec = Activation::sigmoid;
    bool use_bias = true;
    bool go_backwards = false;
    bool return_sequences = false;
    bool initial_state = false;
};

std::string describe(const Config& c)
{
    return to_string(c.act) + "/" + to_string(c.rec) + (c.use_bias ? " bias" : " no-bias") +
           (c.go_backwards ? " go_backwards" : "") +
           (c.return_sequences ? " return_sequences" : " last") +
           (c.initial_state ? " initial_state" : "");
}

// Keras' default pair (tanh, sigmoid) runs the cell's inline derivatives; the others its
// generic path.
std::vector<Config> all_configs()
{
    const std::vector<std::pair<Activation, Activation>> pairs{
        {Activation::tanh, Activation::sigmoid},
        {Activation::relu, Activation::sigmoid},
        {Activation::linear, Activation::tanh},
        {Activation::sigmoid, Activation::linear},
        // old Keras 2 LSTMs: recurrent_activation hard_sigmoid (Keras 2's definition)
        {Activation::tanh, Activation::hard_sigmoid_keras2},
        {Activation::tanh, Activation::hard_sigmoid}};
    std::vector<Config> cs;
    for (auto [act, rec] : pairs)
        for (bool bias : {true, false})
            for (bool back : {false, true})
                for (bool seq : {false, true})
                    for (bool h0 : {false, true}) cs.push_back({act, rec, bias, back, seq, h0});
    return cs;
}

LSTMOptions options_for(const Config& c, std::size_t units, bool fused)
{
    // a non-zero random bias everywhere, so that no bias gradient hides behind zeros
    return {.units = units, .activation = c.act, .recurrent_activation = c.rec,
            .use_bias = c.use_bias, .unit_forget_bias = false,
            .return_sequences = c.return_sequences, .go_backwards = c.go_backwards,
            .bias_initializer = "random_normal", .seed = 7, .fused = fused};
}

test::LSTMReference reference_for(const LSTM<double>& l, const Tensor<double>& x,
                                  const Tensor<double>* h0, const Tensor<double>* c0)
{
    const auto& o = l.options();
    return test::lstm_reference(
        x, {.kernel = &l.kernel.value, .recurrent_kernel = &l.recurrent_kernel.value,
            .bias = o.use_bias ? &l.bias.value : nullptr, .h0 = h0, .c0 = c0,
            .act = o.activation, .rec = o.recurrent_activation, .go_backwards = o.go_backwards});
}

// Output, states and every gradient of L = Σ u ⊙ output + Σ v ⊙ h + Σ w ⊙ c.
struct Pass {
    Tensor<double> output, h, c, dx, dh0, dc0;
    std::vector<Tensor<double>> dweights;
};

Pass run_pass(LSTM<double>& l, const Tensor<double>& x, const Tensor<double>* h0,
              const Tensor<double>* c0)
{
    l.build({x.shape()[1], x.shape()[2]});
    for (auto* p : l.parameters()) p->zero_grad();
    Tape<double> tape;
    const Var<double> xv = tape.variable(x, "x");
    Var<double> hv, cv;
    if (h0) {
        hv = tape.variable(*h0, "h0");
        cv = tape.variable(*c0, "c0");
    }
    const auto r = l.call(tape, xv, h0 ? &hv : nullptr, h0 ? &cv : nullptr);
    tape.backward(sum(r.output * tape.constant(randn(r.output.shape(), 99))) +
                  sum(r.h * tape.constant(randn(r.h.shape(), 98))) +
                  sum(r.c * tape.constant(randn(r.c.shape(), 97))));
    Pass p{r.output.value(), r.h.value(), r.c.value(), xv.grad(), {}, {}, {}};
    if (h0) {
        p.dh0 = hv.grad();
        p.dc0 = cv.grad();
    }
    for (auto* w : l.parameters()) p.dweights.push_back(w->grad);
    return p;
}

double max_abs(const Tensor<double>& t)
{
    double m = 0;
    for (double v : t) m = std::max(m, std::abs(v));
    return m;
}

}  // namespace

TEST_CASE("lstm: parameter count is 4·units·(input_dim + units + 1)", "[lstm]")
{
    const std::vector<std::pair<std::size_t, std::size_t>> shapes{
        {1, 1}, {1, 5}, {4, 3}, {32, 1}, {3, 7}, {128, 8}};
    for (auto [units, features] : shapes) {
        for (bool bias : {true, false}) {
            INFO("units " << units << " features " << features << " bias " << bias);
            LSTM<float> l({.units = units, .use_bias = bias});
            l.build({12, features});
            std::size_t stored = 0;
            for (auto* p : l.parameters()) stored += p->value.size();
            const std::size_t keras = 4 * units * (features + units + (bias ? 1 : 0));
            REQUIRE(stored == keras);
            REQUIRE(l.param_count() == keras);
        }
    }
    // Keras' LSTM(4) on 3 features: 4·4·(3 + 4 + 1) = 128
    LSTM<float> l({.units = 4});
    l.build({10, 3});
    REQUIRE(l.param_count() == 128);
    REQUIRE(l.param_formula() == "4·4·(3 + 4 + 1)");
    LSTM<float> nb({.units = 2, .use_bias = false});
    nb.build({10, 3});
    REQUIRE(nb.param_formula() == "4·2·(3 + 2)");
    // Keras' summary row, with the formula filled in
    Sequential<float> model;
    model.emplace<LSTM<float>>(LSTMOptions{.units = 4, .return_sequences = true});
    model.emplace<LSTM<float>>(LSTMOptions{.units = 2});
    model.build({10, 3});
    const std::string table = model.summary();
    INFO(table);
    REQUIRE(table.find("lstm (LSTM)") != std::string::npos);
    REQUIRE(table.find("(None, 10, 4)") != std::string::npos);
    REQUIRE(table.find("128 = 4·4·(3 + 4 + 1)") != std::string::npos);
    REQUIRE(table.find("lstm_1 (LSTM)") != std::string::npos);
    REQUIRE(table.find("56 = 4·2·(4 + 2 + 1)") != std::string::npos);
}

TEST_CASE("lstm: Keras layout, names, orthogonal recurrent kernel and unit_forget_bias", "[lstm]")
{
    LSTM<double> l({.units = 3, .seed = 1});
    l.build({5, 2});
    REQUIRE(l.kernel.value.shape() == std::vector<std::size_t>{2, 12});
    REQUIRE(l.recurrent_kernel.value.shape() == std::vector<std::size_t>{3, 12});
    REQUIRE(l.bias.value.shape() == std::vector<std::size_t>{12});
    REQUIRE(l.kernel.name == "lstm/kernel");
    REQUIRE(l.recurrent_kernel.name == "lstm/recurrent_kernel");
    REQUIRE(l.bias.name == "lstm/bias");
    REQUIRE(l.type() == "LSTM");
    // orthogonal [U,4U]: orthonormal rows, W·Wᵀ = I
    const auto& w = l.recurrent_kernel.value;
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) {
            double dot = 0;
            for (std::size_t k = 0; k < 12; ++k) dot += w(i, k) * w(j, k);
            REQUIRE(dot == Approx(i == j ? 1.0 : 0.0).margin(1e-12));
        }
    // unit_forget_bias: bias = [0 (i), 1 (f), 0 (c), 0 (o)]
    for (std::size_t k = 0; k < 12; ++k) REQUIRE(l.bias.value(k) == (k >= 3 && k < 6 ? 1.0 : 0.0));
    LSTM<double> plain({.units = 3, .unit_forget_bias = false});
    plain.build({5, 2});
    REQUIRE(max_abs(plain.bias.value) == 0.0);
    // with another bias initializer the forget block is still exactly 1
    LSTM<double> rnd({.units = 3, .bias_initializer = "random_uniform", .seed = 4});
    rnd.build({5, 2});
    for (std::size_t k = 0; k < 12; ++k) {
        if (k >= 3 && k < 6)
            REQUIRE(rnd.bias.value(k) == 1.0);
        else
            REQUIRE(std::abs(rnd.bias.value(k)) <= 0.05);
    }
    REQUIRE(max_abs(rnd.bias.value - l.bias.value) > 0.0);
}

TEST_CASE("lstm: matches the plain-loop recurrence in every configuration", "[lstm]")
{
    const Tensor<double> x = randn({2, 4, 2}, 1);
    const Tensor<double> h0 = randn({2, 3}, 2), c0 = randn({2, 3}, 3);
    for (const Config& c : all_configs()) {
        for (bool fused : {true, false}) {
            INFO(describe(c) << (fused ? " fused" : " composed"));
            LSTM<double> l(options_for(c, 3, fused));
            Tape<double> tape;
            const auto hv = tape.constant(h0), cv = tape.constant(c0);
            const auto r = l.call(tape, tape.constant(x), c.initial_state ? &hv : nullptr,
                                  c.initial_state ? &cv : nullptr);
            const auto want = reference_for(l, x, c.initial_state ? &h0 : nullptr,
                                            c.initial_state ? &c0 : nullptr);
            const Tensor<double> last = xt::view(want.outputs, xt::all(), 3, xt::all());
            require_close(r.output.value(), c.return_sequences ? want.outputs : last, 1e-12);
            require_close(r.h.value(), want.h, 1e-12);
            require_close(r.c.value(), want.c, 1e-12);
            require_close(r.h.value(), last, 1e-12);  // the output at the last step IS h
        }
    }
}

TEST_CASE("lstm: go_backwards equals the forward pass on the time-reversed input", "[lstm]")
{
    const Tensor<double> x = randn({2, 5, 3}, 4);
    const Tensor<double> reversed = xt::flip(x, 1);
    for (bool fused : {true, false}) {
        LSTM<double> back({.units = 3, .return_sequences = true, .go_backwards = true, .seed = 2,
                           .fused = fused});
        LSTM<double> fwd({.units = 3, .return_sequences = true, .seed = 2, .fused = fused});
        Tape<double> tape;
        const auto yb = back.forward(tape, tape.constant(x));
        const auto yf = fwd.forward(tape, tape.constant(reversed));
        require_close(yb.value(), yf.value(), 1e-14);
    }
}

TEST_CASE("lstm: gradcheck of the whole layer in every configuration", "[lstm][gradcheck]")
{
    const Tensor<double> x = randn({2, 4, 2}, 5);
    const Tensor<double> h0 = randn({2, 3}, 6), c0 = randn({2, 3}, 7);
    for (const Config& c : all_configs()) {
        for (bool fused : {true, false}) {
            INFO(describe(c) << (fused ? " fused" : " composed"));
            LSTM<double> l(options_for(c, 3, fused));
            l.build({4, 2});
            std::vector<Tensor<double>> inputs{x};
            if (c.initial_state) inputs.insert(inputs.end(), {h0, c0});
            test::require_gradcheck(
                [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
                    const auto r = l.call(tape, in[0], c.initial_state ? &in[1] : nullptr,
                                          c.initial_state ? &in[2] : nullptr);
                    // every output of the layer reaches the loss
                    return sum(r.output) + sum(r.h * r.h) + sum(r.c * r.c * r.c);
                },
                inputs, l.parameters());
        }
    }
}

TEST_CASE("lstm: composed and fused paths agree to 1e-10 (values and gradients)", "[lstm]")
{
    const Tensor<double> x = randn({2, 4, 2}, 8);
    const Tensor<double> h0 = randn({2, 3}, 9), c0 = randn({2, 3}, 10);
    std::vector<std::pair<Config, std::size_t>> cases;
    for (const Config& c : all_configs()) cases.push_back({c, 4});
    cases.push_back({{.return_sequences = true, .initial_state = true}, 200});
    for (const auto& [c, steps] : cases) {
        INFO(describe(c) << " T=" << steps);
        const Tensor<double> xc = steps == 4 ? x : randn({2, steps, 2}, 11);
        LSTM<double> fused(options_for(c, 3, true)), composed(options_for(c, 3, false));
        const Pass a = run_pass(fused, xc, c.initial_state ? &h0 : nullptr, &c0);
        const Pass b = run_pass(composed, xc, c.initial_state ? &h0 : nullptr, &c0);
        require_close(a.output, b.output, 1e-10);
        require_close(a.h, b.h, 1e-10);
        require_close(a.c, b.c, 1e-10);
        require_close(a.dx, b.dx, 1e-10);
        if (c.initial_state) {
            require_close(a.dh0, b.dh0, 1e-10);
            require_close(a.dc0, b.dc0, 1e-10);
        }
        REQUIRE(a.dweights.size() == b.dweights.size());
        for (std::size_t k = 0; k < a.dweights.size(); ++k)
            require_close(a.dweights[k], b.dweights[k], 1e-10);
    }
}

TEST_CASE("lstm: gradcheck over a 200-step sequence, through h0 and c0", "[lstm][gradcheck]")
{
    // The initial states are the checked inputs: their gradients travel back through all 200
    // steps. With the forget gates wide open (bias 7: f ≈ 0.999) the cell state carries them
    // almost undamped (the "constant error carousel" an LSTM is built for; with Keras' default
    // forget bias 1, f ≈ 0.73 and 0.73^200 ≈ 1e-27). The loss reads the last step only, so that
    // it stays O(1) and finite differences stay exact (the paths' agreement on every output
    // over 200 steps is the composed-vs-fused test).
    const Tensor<double> x = randn({2, 200, 2}, 12);
    const Tensor<double> h0 = randn({2, 3}, 13), c0 = randn({2, 3}, 14);
    for (bool fused : {true, false}) {
        INFO("fused " << fused);
        LSTM<double> l({.units = 3, .seed = 3, .fused = fused});
        l.build({200, 2});
        for (std::size_t u = 3; u < 6; ++u) l.bias.value(u) = 7.0;
        test::require_gradcheck(
            [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
                const auto r = l.call(tape, tape.constant(x), &in[0], &in[1]);
                return sum(r.output) + sum(r.c);
            },
            {h0, c0}, l.parameters());
        // and the gradient that came back is not lost below the checks' tolerance
        Tape<double> tape;
        const auto hv = tape.variable(h0), cv = tape.variable(c0);
        const auto r = l.call(tape, tape.constant(x), &hv, &cv);
        tape.backward(sum(r.output) + sum(r.c));
        REQUIRE(max_abs(hv.grad()) > 1e-3);
        REQUIRE(max_abs(cv.grad()) > 1e-3);
    }
}

TEST_CASE("lstm: the final c alone carries a gradient back (the second output)", "[lstm]")
{
    // A loss on c_T only: h reaches no loss, yet every gradient must arrive, through the fused
    // node's second output.
    const Tensor<double> x = randn({2, 5, 2}, 15);
    for (bool fused : {true, false}) {
        INFO("fused " << fused);
        LSTM<double> l({.units = 3, .bias_initializer = "random_normal", .seed = 4,
                        .fused = fused});
        l.build({5, 2});
        test::require_gradcheck(
            [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
                return sum(l.call(tape, in[0]).c);
            },
            {x}, l.parameters());
    }
}

TEST_CASE("lstm: stacked LSTMs + Dense head + MSE pass gradcheck", "[lstm][gradcheck]")
{
    const Tensor<double> x = randn({2, 5, 2}, 16);
    const Tensor<double> y = randn({2, 1}, 17);
    for (bool fused : {true, false}) {
        INFO("fused " << fused);
        LSTM<double> l1({.units = 3, .return_sequences = true, .seed = 1, .fused = fused});
        LSTM<double> l2({.units = 2, .seed = 2, .fused = fused});
        Dense<double> head({.units = 1, .seed = 3});
        l1.set_name("lstm");
        l2.set_name("lstm_1");
        l1.build({5, 2});
        l2.build({5, 3});
        head.build({2});
        std::vector<Parameter<double>*> params;
        for (Module<double>* m : std::vector<Module<double>*>{&l1, &l2, &head})
            for (auto* p : m->parameters()) params.push_back(p);
        test::require_gradcheck(
            [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
                const auto pred = head.forward(tape, l2.forward(tape, l1.forward(tape, in[0])));
                return mean(square(pred - tape.constant(y)));
            },
            {x}, params);
    }
}

TEST_CASE("lstm: the float32 fused path matches the float64 one", "[lstm]")
{
    const Tensor<double> x = randn({3, 30, 2}, 18);
    for (auto [act, rec] : {std::pair{Activation::tanh, Activation::sigmoid},
                            std::pair{Activation::relu, Activation::sigmoid}}) {
        const LSTMOptions o{.units = 4, .activation = act, .recurrent_activation = rec,
                            .return_sequences = true, .seed = 4};
        LSTM<double> l64(o);
        LSTM<float> l32(o);
        Tape<double> t64;
        Tape<float> t32;
        const auto y64 = l64.call(t64, t64.constant(x));
        const auto y32 = l32.call(t32, t32.constant(Tensor<float>(xt::cast<float>(x))));
        const Tensor<double> out32 = xt::cast<double>(y32.output.value());
        const Tensor<double> c32 = xt::cast<double>(y32.c.value());
        require_close(out32, y64.output.value(), 1e-5);
        require_close(c32, y64.c.value(), 1e-5);
    }
}

TEST_CASE("lstm: stateful carries h and c between calls until reset_states", "[lstm]")
{
    const Tensor<double> x = randn({2, 6, 2}, 19);
    const Tensor<double> first = xt::view(x, xt::all(), xt::range(0, 3), xt::all());
    const Tensor<double> second = xt::view(x, xt::all(), xt::range(3, 6), xt::all());
    for (bool fused : {true, false}) {
        INFO("fused " << fused);
        LSTM<double> whole({.units = 3, .seed = 8, .fused = fused});
        LSTM<double> chunked({.units = 3, .stateful = true, .seed = 8, .fused = fused});
        Tape<double> tape;
        const auto full = whole.call(tape, tape.constant(x));
        REQUIRE_FALSE(chunked.has_state());
        chunked.forward(tape, tape.constant(first));
        REQUIRE(chunked.has_state());
        const auto r2 = chunked.call(tape, tape.constant(second));
        require_close(r2.output.value(), full.output.value(), 1e-12);
        require_close(r2.c.value(), full.c.value(), 1e-12);
        require_close(chunked.state_c(), full.c.value(), 1e-12);

        chunked.reset_states();
        REQUIRE_FALSE(chunked.has_state());
        const auto fresh = whole.forward(tape, tape.constant(second));
        const auto after = chunked.forward(tape, tape.constant(second));
        require_close(after.value(), fresh.value(), 1e-12);
        REQUIRE(max_abs(after.value() - r2.output.value()) > 1e-6);
    }
}

TEST_CASE("lstm: truncated BPTT cuts the gradient between chunks", "[lstm]")
{
    const Tensor<double> x = randn({2, 6, 2}, 20);
    const Tensor<double> first = xt::view(x, xt::all(), xt::range(0, 3), xt::all());
    const Tensor<double> second = xt::view(x, xt::all(), xt::range(3, 6), xt::all());
    for (bool fused : {true, false}) {
        INFO("fused " << fused);
        LSTM<double> l({.units = 3, .stateful = true, .seed = 8, .fused = fused});
        Tape<double> tape;
        const auto x1 = tape.variable(first, "x1");
        const auto x2 = tape.variable(second, "x2");
        l.forward(tape, x1);
        tape.backward(sum(l.forward(tape, x2)));
        REQUIRE(x2.has_grad());
        REQUIRE_FALSE(x1.has_grad());  // the carried states are constants
    }
}

TEST_CASE("lstm: set_weights / get_weights round trip in Keras order", "[lstm]")
{
    LSTM<double> a({.units = 3, .seed = 1});
    a.build({4, 2});
    const auto w = a.get_weights();
    REQUIRE(w.size() == 3);
    LSTM<double> b({.units = 3, .seed = 2});
    REQUIRE_FALSE(b.built());
    b.set_weights(w);
    REQUIRE(b.built());
    REQUIRE(b.input_dim() == 2);
    const Tensor<double> x = randn({2, 4, 2}, 4);
    Tape<double> tape;
    require_close(a.forward(tape, tape.constant(x)).value(),
                  b.forward(tape, tape.constant(x)).value(), 1e-14);
    LSTM<double> nb({.units = 3, .use_bias = false});
    nb.set_weights({w[0], w[1]});
    REQUIRE(nb.param_count() == 4 * 3 * (2 + 3));
}

TEST_CASE("lstm: mistakes throw errors naming the layer, weight and shapes", "[lstm]")
{
    LSTM<double> l({.units = 3});
    Tape<double> tape;
    REQUIRE_THROWS_WITH(l.forward(tape, tape.constant(randn({2, 4}, 1))),
                        Catch::Contains("lstm") && Catch::Contains("rank 3") &&
                            Catch::Contains("[2,4]"));
    const auto x = tape.constant(randn({2, 4, 2}, 1));
    l.forward(tape, x);
    REQUIRE_THROWS_WITH(l.forward(tape, tape.constant(randn({2, 4, 5}, 1))),
                        Catch::Contains("lstm") && Catch::Contains("5 features"));
    const auto h = tape.constant(randn({2, 3}, 2));
    const auto bad = tape.constant(randn({2, 4}, 2));
    REQUIRE_THROWS_WITH(l.call(tape, x, &h, nullptr),
                        Catch::Contains("two states") && Catch::Contains("only h0"));
    REQUIRE_THROWS_WITH(l.call(tape, x, &h, &bad),
                        Catch::Contains("c0 has shape [2,4]") && Catch::Contains("[2,3]"));
    REQUIRE_THROWS_WITH(l.call_states(tape, x, {h}),
                        Catch::Contains("two states (h, c), got 1"));
    REQUIRE_THROWS_WITH(l.set_weights({randn({2, 12}, 1)}),
                        Catch::Contains("expects 3") && Catch::Contains("got 1"));
    REQUIRE_THROWS_WITH(l.set_weights({randn({2, 3}, 1), randn({3, 12}, 1), randn({12}, 1)}),
                        Catch::Contains("kernel has shape [2,3]") && Catch::Contains("12"));
    REQUIRE_THROWS_WITH(l.set_weights({randn({2, 12}, 1), randn({3, 3}, 1), randn({12}, 1)}),
                        Catch::Contains("recurrent_kernel has shape [3,3]") &&
                            Catch::Contains("[3,12]"));
    REQUIRE_THROWS_WITH(l.set_weights({randn({2, 12}, 1), randn({3, 12}, 1), randn({3}, 1)}),
                        Catch::Contains("bias has shape [3]") && Catch::Contains("[12]"));
    REQUIRE_THROWS_WITH(LSTM<double>({.units = 0}), Catch::Contains("units"));
    REQUIRE_THROWS_WITH(LSTM<double>({.units = 2, .recurrent_activation = Activation::softmax}),
                        Catch::Contains("recurrent_activation softmax"));
    REQUIRE_THROWS_WITH(LSTM<double>({.units = 2, .kernel_initializer = "he_normal"}),
                        Catch::Contains("he_normal"));
    REQUIRE_THROWS_WITH(LSTM<double>({.units = 2, .recurrent_dropout = 1.0}),
                        Catch::Contains("lstm: recurrent_dropout must be in [0, 1)"));

    Mask wrong = Mask::from_shape({3, 4});
    REQUIRE_THROWS_WITH(l.call(tape, x, nullptr, nullptr, &wrong),
                        Catch::Contains("lstm: mask has shape [3,4], expected [2,4]"));

    LSTM<double> st({.units = 3, .stateful = true});
    st.forward(tape, tape.constant(randn({2, 4, 2}, 1)));
    REQUIRE_THROWS_WITH(st.forward(tape, tape.constant(randn({5, 4, 2}, 1))),
                        Catch::Contains("stateful") && Catch::Contains("reset_states"));
}

TEST_CASE("lstm: the fused path records one node for the sequence and one for c_T", "[lstm]")
{
    LSTM<double> fused({.units = 3, .seed = 1});
    LSTM<double> composed({.units = 3, .seed = 1, .fused = false});
    const Tensor<double> x = randn({2, 10, 2}, 3);
    Tape<double> a, b;
    fused.forward(a, a.variable(x));
    composed.forward(b, b.variable(x));
    REQUIRE(a.recorded() == 2);
    REQUIRE(b.recorded() > 100);
    const std::string tape = a.str();
    REQUIRE(tape.find("lstm_fused") != std::string::npos);
    REQUIRE(tape.find("lstm_fused_c") != std::string::npos);
}
