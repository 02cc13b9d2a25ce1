// SimpleRNN with a mask: Keras' semantics (layers/rnn_mask.hpp) against a plain-loop reference
// written from keras/src/backend/tensorflow/rnn.py, on both paths, with gradients.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include <xtensor/xview.hpp>

#include "check.hpp"
#include "layers/simple_rnn.hpp"

using namespace elman;
using elman::test::randn;
using elman::test::require_close;

namespace {

// Masks for B = 3, T = 5, each row a different pattern.
Mask make_mask(const std::vector<std::string>& rows)
{
    Mask m = Mask::from_shape({rows.size(), rows[0].size()});
    for (std::size_t b = 0; b < rows.size(); ++b)
        for (std::size_t t = 0; t < rows[b].size(); ++t) m(b, t) = rows[b][t] == '1';
    return m;
}

const std::vector<std::vector<std::string>> k_masks{
    {"11100", "11111", "10000"},  // right padding, one full row, a length-1 row
    {"00111", "01111", "00001"},  // left padding
    {"10101", "01010", "11011"},  // gaps in the middle
    {"00000", "11111", "01100"},  // a row with no real step at all
};

struct Ref {
    Tensor<double> output, state;
};

// Keras' masked recurrence (TensorFlow backend), written out: per row, the state is carried
// over padded steps; the output there is the previous output (0 before the first real step),
// or 0 with zero_output_for_mask; go_backwards reverses input and mask, outputs stay in
// processing order.
Ref reference(const Tensor<double>& x, const Mask& mask, const SimpleRNN<double>& l,
              const Tensor<double>* h0, bool zero_output)
{
    const auto& o = l.options();
    const std::size_t nb = x.shape()[0], nt = x.shape()[1], nf = x.shape()[2], nu = o.units;
    Tensor<double> seq = xt::zeros<double>({nb, nt, nu});
    Tensor<double> state = xt::zeros<double>({nb, nu});
    for (std::size_t b = 0; b < nb; ++b) {
        std::vector<double> h(nu, 0.0), prev_out(nu, 0.0);
        if (h0)
            for (std::size_t j = 0; j < nu; ++j) h[j] = (*h0)(b, j);
        for (std::size_t s = 0; s < nt; ++s) {
            const std::size_t t = o.go_backwards ? nt - 1 - s : s;
            std::vector<double> out(nu);
            if (mask(b, t)) {
                std::vector<double> next(nu);
                for (std::size_t j = 0; j < nu; ++j) {
                    double a = o.use_bias ? l.bias.value(j) : 0.0;
                    for (std::size_t f = 0; f < nf; ++f) a += x(b, t, f) * l.kernel.value(f, j);
                    for (std::size_t k = 0; k < nu; ++k) a += h[k] * l.recurrent_kernel.value(k, j);
                    next[j] = std::tanh(a);
                }
                h = next;
                out = next;
            } else {
                out = zero_output ? std::vector<double>(nu, 0.0) : prev_out;
            }
            prev_out = out;
            for (std::size_t j = 0; j < nu; ++j) seq(b, s, j) = out[j];
        }
        for (std::size_t j = 0; j < nu; ++j) state(b, j) = h[j];
    }
    Ref r;
    r.state = state;
    r.output = o.return_sequences ? seq : Tensor<double>(xt::view(seq, xt::all(), nt - 1, xt::all()));
    return r;
}

struct Config {
    bool go_backwards, return_sequences, zero_output, h0;
};

std::vector<Config> configs()
{
    std::vector<Config> cs;
    for (bool back : {false, true})
        for (bool seq : {false, true})
            for (bool zero : {false, true})
                for (bool h0 : {false, true}) cs.push_back({back, seq, zero, h0});
    return cs;
}

std::string describe(const Config& c)
{
    return std::string(c.go_backwards ? "go_backwards " : "") +
           (c.return_sequences ? "return_sequences" : "last") +
           (c.zero_output ? " zero_output_for_mask" : "") + (c.h0 ? " initial_state" : "");
}

// f(mask, config, fused) for every mask pattern, configuration and path, each named by INFO.
template <class F>
void each_case(F f)
{
    for (const auto& rows : k_masks) {
        const Mask m = make_mask(rows);
        for (const Config& c : configs())
            for (bool fused : {true, false}) {
                INFO(rows[0] << "/" << rows[1] << "/" << rows[2] << " " << describe(c)
                             << (fused ? " fused" : " composed"));
                f(m, c, fused);
            }
    }
}

SimpleRNNOptions options_for(const Config& c, bool fused)
{
    return {.units = 3, .return_sequences = c.return_sequences, .go_backwards = c.go_backwards,
            .bias_initializer = "random_normal", .seed = 5, .zero_output_for_mask = c.zero_output,
            .fused = fused};
}

// Output, state and every gradient of L = Σ u ⊙ output + Σ v ⊙ state.
struct Pass {
    Tensor<double> output, state, dx, dh0;
    std::vector<Tensor<double>> dw;
};

Pass run(SimpleRNN<double>& l, const Tensor<double>& x, const Mask& m, const Tensor<double>* h0)
{
    for (auto* p : l.parameters()) p->zero_grad();
    Tape<double> tape;
    const Var<double> xv = tape.variable(x);
    Var<double> hv;
    if (h0) hv = tape.variable(*h0);
    const auto r = l.call(tape, xv, h0 ? &hv : nullptr, &m);
    const Var<double> loss = sum(r.output * tape.constant(randn(r.output.shape(), 31))) +
                             sum(r.state * tape.constant(randn(r.state.shape(), 32)));
    tape.backward(loss);
    Pass p{r.output.value(), r.state.value(), xv.grad(), {}, {}};
    if (h0) p.dh0 = hv.grad();
    for (auto* w : l.parameters()) p.dw.push_back(w->grad);
    return p;
}

}  // namespace

TEST_CASE("masking: padded steps carry the state, outputs follow Keras' rule, both paths", "[rnn][mask]")
{
    const Tensor<double> x = randn({3, 5, 2}, 1);
    const Tensor<double> h0 = randn({3, 3}, 2);
    each_case([&](const Mask& m, const Config& c, bool fused) {
        SimpleRNN<double> l(options_for(c, fused));
        Tape<double> tape;
        const Var<double> hv = tape.constant(h0);
        const auto r = l.call(tape, tape.constant(x), c.h0 ? &hv : nullptr, &m);
        const Ref want = reference(x, m, l, c.h0 ? &h0 : nullptr, c.zero_output);
        require_close(r.output.value(), want.output, 1e-12);
        require_close(r.state.value(), want.state, 1e-12);
    });
}

TEST_CASE("masking: fused and composed paths agree to 1e-10 in values and gradients", "[rnn][mask]")
{
    const Tensor<double> x = randn({3, 5, 2}, 3);
    const Tensor<double> h0 = randn({3, 3}, 4);
    for (const auto& rows : k_masks) {
        const Mask m = make_mask(rows);
        for (const Config& c : configs()) {
            INFO(rows[0] << "/" << rows[1] << "/" << rows[2] << " " << describe(c));
            SimpleRNN<double> fused(options_for(c, true)), composed(options_for(c, false));
            const Pass a = run(fused, x, m, c.h0 ? &h0 : nullptr);
            const Pass b = run(composed, x, m, c.h0 ? &h0 : nullptr);
            require_close(a.output, b.output, 1e-10);
            require_close(a.state, b.state, 1e-10);
            require_close(a.dx, b.dx, 1e-10);
            if (c.h0) require_close(a.dh0, b.dh0, 1e-10);
            for (std::size_t k = 0; k < a.dw.size(); ++k) require_close(a.dw[k], b.dw[k], 1e-10);
        }
    }
}

TEST_CASE("masking: gradcheck of the masked layer, both paths", "[rnn][mask][gradcheck]")
{
    const Tensor<double> x = randn({3, 5, 2}, 5);
    const Tensor<double> h0 = randn({3, 3}, 6);
    each_case([&](const Mask& m, const Config& c, bool fused) {
        SimpleRNN<double> l(options_for(c, fused));
        l.build({5, 2});
        test::require_gradcheck(
            [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
                const auto r = l.call(tape, in[0], c.h0 ? &in[1] : nullptr, &m);
                // both outputs of the layer reach the loss
                return sum(r.output) + sum(r.state * r.state);
            },
            c.h0 ? std::vector<Tensor<double>>{x, h0} : std::vector<Tensor<double>>{x},
            l.parameters());
    });
}

TEST_CASE("masking: the gradient stops at padded steps", "[rnn][mask]")
{
    // Right padding: a padded step's input gets no gradient, and the weights get exactly what
    // the unpadded sequences give them.
    const Tensor<double> x = randn({1, 6, 2}, 7);
    const Tensor<double> trimmed = xt::view(x, xt::all(), xt::range(0, 4), xt::all());
    const Mask m = make_mask({"111100"});
    const Mask all = make_mask({"1111"});
    for (bool fused : {true, false}) {
        INFO((fused ? "fused" : "composed"));
        SimpleRNN<double> padded({.units = 3, .seed = 2, .fused = fused});
        SimpleRNN<double> exact({.units = 3, .seed = 2, .fused = fused});
        const Pass a = run(padded, x, m, nullptr);
        const Pass b = run(exact, trimmed, all, nullptr);
        for (std::size_t t = 4; t < 6; ++t)
            for (std::size_t f = 0; f < 2; ++f) REQUIRE(a.dx(0, t, f) == 0.0);
        require_close(a.state, b.state, 1e-14);
        for (std::size_t k = 0; k < a.dw.size(); ++k) require_close(a.dw[k], b.dw[k], 1e-13);
    }
}

TEST_CASE("masking: a left-padded sequence gives the unpadded result (hand-computed)", "[rnn][mask]")
{
    // The class of the report in issue 15: x = [0, 0, 1, 2] left-padded with two zero steps.
    // Without a mask the zero steps still move the state through the bias.
    // U = 1: h = tanh(w·x + u·h + b), w = 0.5, u = 0.8, b = 0.3
    //   unpadded:  h1 = tanh(0.5·1 + 0.3) = tanh(0.8)
    //              h2 = tanh(0.5·2 + 0.8·h1 + 0.3) = tanh(1.3 + 0.8·tanh(0.8))
    const double h1 = std::tanh(0.8);
    const double h2 = std::tanh(1.3 + 0.8 * h1);
    const double z1 = std::tanh(0.3), z2 = std::tanh(0.3 + 0.8 * z1);  // the zero steps, unmasked
    const double u1 = std::tanh(0.8 + 0.8 * z2);
    const double unmasked = std::tanh(1.3 + 0.8 * u1);
    Tensor<double> x = xt::zeros<double>({1, 4, 1});
    x(0, 2, 0) = 1;
    x(0, 3, 0) = 2;
    const Mask m = make_mask({"0011"});
    for (bool fused : {true, false}) {
        for (bool seq : {false, true}) {
            INFO((fused ? "fused" : "composed") << (seq ? " return_sequences" : ""));
            SimpleRNN<double> l({.units = 1, .return_sequences = seq, .fused = fused});
            using S = Tensor<double>::shape_type;
            l.set_weights({Tensor<double>(S{1, 1}, 0.5), Tensor<double>(S{1, 1}, 0.8),
                           Tensor<double>(S{1}, 0.3)});
            Tape<double> tape;
            const auto r = l.call(tape, tape.constant(x), nullptr, &m);
            REQUIRE(r.state.value()(0, 0) == Approx(h2).epsilon(1e-14));
            if (seq) {
                // Keras: the output is 0 before the first real step
                const Tensor<double> y = r.output.value();
                REQUIRE(y(0, 0, 0) == 0.0);
                REQUIRE(y(0, 1, 0) == 0.0);
                REQUIRE(y(0, 2, 0) == Approx(h1).epsilon(1e-14));
                REQUIRE(y(0, 3, 0) == Approx(h2).epsilon(1e-14));
            }
            const auto plain = l.call(tape, tape.constant(x));
            REQUIRE(plain.state.value()(0, 0) == Approx(unmasked).epsilon(1e-14));
            REQUIRE(std::abs(unmasked - h2) > 1e-3);
        }
    }
}

TEST_CASE("masking: go_backwards reverses the mask with the input", "[rnn][mask]")
{
    // Right-padded [x0, x1, x2, pad, pad] read backwards: the two padded steps come first
    // (outputs 0, state h_0), then x2, x1, x0: the final state is the unpadded backward run's.
    const Tensor<double> x = randn({1, 5, 2}, 8);
    const Tensor<double> real = xt::view(x, xt::all(), xt::range(0, 3), xt::all());
    for (bool fused : {true, false}) {
        INFO((fused ? "fused" : "composed"));
        SimpleRNN<double> l({.units = 2, .return_sequences = true, .go_backwards = true,
                             .seed = 4, .fused = fused});
        Tape<double> tape;
        const auto r = l.call(tape, tape.constant(x), nullptr, nullptr);
        const Mask m = make_mask({"11100"});
        const auto masked = l.call(tape, tape.constant(x), nullptr, &m);
        const auto exact = l.call(tape, tape.constant(real));
        require_close(masked.state.value(), exact.state.value(), 1e-14);
        const Tensor<double> y = masked.output.value();
        for (std::size_t j = 0; j < 2; ++j) {
            REQUIRE(y(0, 0, j) == 0.0);
            REQUIRE(y(0, 1, j) == 0.0);
            for (std::size_t s = 0; s < 3; ++s)
                REQUIRE(y(0, s + 2, j) == Approx(exact.output.value()(0, s, j)).epsilon(1e-14));
        }
        REQUIRE(std::abs(r.state.value()(0, 0) - masked.state.value()(0, 0)) > 1e-6);
    }
}

TEST_CASE("masking: the fused path stays one node with a mask", "[rnn][mask]")
{
    const Tensor<double> x = randn({3, 5, 2}, 9);
    const Mask m = make_mask(k_masks[0]);
    SimpleRNN<double> l({.units = 3, .seed = 1});
    Tape<double> tape;
    l.call(tape, tape.variable(x), nullptr, &m);
    REQUIRE(tape.recorded() == 1);
    SimpleRNN<double> seq({.units = 3, .return_sequences = true, .zero_output_for_mask = true});
    Tape<double> t2;
    seq.call(t2, t2.variable(x), nullptr, &m);
    REQUIRE(t2.recorded() == 3);  // the node, state = h[:, T−1] and y = e ⊙ h
}

TEST_CASE("masking: a stateful layer carries the carried state into the next call", "[rnn][mask]")
{
    const Tensor<double> x = randn({1, 4, 2}, 10);
    const Tensor<double> first = xt::view(x, xt::all(), xt::range(0, 2), xt::all());
    const Tensor<double> second = xt::view(x, xt::all(), xt::range(2, 4), xt::all());
    for (bool fused : {true, false}) {
        SimpleRNN<double> whole({.units = 2, .seed = 3, .fused = fused});
        SimpleRNN<double> chunks({.units = 2, .stateful = true, .seed = 3, .fused = fused});
        const Mask m = make_mask({"1101"}), m1 = make_mask({"11"}), m2 = make_mask({"01"});
        Tape<double> tape;
        const auto full = whole.call(tape, tape.constant(x), nullptr, &m);
        chunks.call(tape, tape.constant(first), nullptr, &m1);
        const auto last = chunks.call(tape, tape.constant(second), nullptr, &m2);
        require_close(last.state.value(), full.state.value(), 1e-14);
    }
}

TEST_CASE("masking: a mask of the wrong shape names both shapes", "[rnn][mask]")
{
    SimpleRNN<double> l({.units = 2});
    Tape<double> tape;
    const Mask m = make_mask({"1111", "1100"});
    REQUIRE_THROWS_WITH(l.call(tape, tape.constant(randn({3, 4, 2}, 1)), nullptr, &m),
                        Catch::Contains("simple_rnn: mask has shape [2,4]") &&
                            Catch::Contains("expected [3,4]") && Catch::Contains("[3,4,2]"));
    REQUIRE_THROWS_WITH(l.forward(tape, tape.constant(randn({2, 5, 2}, 1)), {.mask = &m}),
                        Catch::Contains("mask has shape [2,4]") && Catch::Contains("[2,5]"));
}

TEST_CASE("masking: trace mode records the carried states and dL/dh alike on both paths", "[rnn][mask][trace]")
{
    const Tensor<double> x = randn({3, 5, 2}, 11);
    const Mask m = make_mask(k_masks[2]);
    std::vector<RNNTrace<double>> traces;
    for (bool fused : {true, false}) {
        SimpleRNN<double> l({.units = 3, .return_sequences = true, .seed = 6, .fused = fused,
                             .trace = true});
        Tape<double> tape;
        const auto r = l.call(tape, tape.constant(x), nullptr, &m);
        tape.backward(sum(r.output));
        traces.push_back(l.trace());
    }
    REQUIRE(traces[0].steps() == 5);
    REQUIRE(traces[1].steps() == 5);
    for (std::size_t s = 0; s < 5; ++s) {
        require_close(traces[0].h[s], traces[1].h[s], 1e-12);
        require_close(traces[0].dh[s], traces[1].dh[s], 1e-12);
        // a padded step's h is the state before it
        for (std::size_t b = 0; b < 3; ++b)
            if (!m(b, s) && s > 0)
                for (std::size_t j = 0; j < 3; ++j)
                    REQUIRE(traces[0].h[s](b, j) == traces[0].h[s - 1](b, j));
    }
}
