// LSTM with a mask: Keras' semantics (layers/rnn_mask.hpp: padded steps carry h AND c) against
// the plain-loop reference (tests/lstm_reference.hpp), on both paths, with gradients; and the
// layers that pass masks and states around an LSTM (Sequential, Bidirectional).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <xtensor/xmanipulation.hpp>
#include <xtensor/xview.hpp>

#include "check.hpp"
#include "lstm_reference.hpp"
#include "layers/bidirectional.hpp"
#include "layers/lstm.hpp"
#include "layers/masking.hpp"
#include "layers/sequential.hpp"

using namespace elman;
using elman::test::randn;
using elman::test::require_close;

namespace {

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

struct Config {
    bool go_backwards, return_sequences, zero_output, initial_state;
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

std::string describe(const std::vector<std::string>& rows, const Config& c)
{
    return rows[0] + "/" + rows[1] + "/" + rows[2] + (c.go_backwards ? " go_backwards" : "") +
           (c.return_sequences ? " return_sequences" : " last") +
           (c.zero_output ? " zero_output_for_mask" : "") + (c.initial_state ? " h0,c0" : "");
}

LSTMOptions options_for(const Config& c, bool fused)
{
    return {.units = 3, .unit_forget_bias = false, .return_sequences = c.return_sequences,
            .go_backwards = c.go_backwards, .bias_initializer = "random_normal", .seed = 5,
            .zero_output_for_mask = c.zero_output, .fused = fused};
}

struct Pass {
    Tensor<double> output, h, c, dx, dh0, dc0;
    std::vector<Tensor<double>> dw;
};

// Output, states and every gradient of L = Σ u ⊙ output + Σ v ⊙ h + Σ w ⊙ c.
Pass run(LSTM<double>& l, const Tensor<double>& x, const Mask& m, const Tensor<double>* h0,
         const Tensor<double>* c0)
{
    l.build({x.shape()[1], x.shape()[2]});
    for (auto* p : l.parameters()) p->zero_grad();
    Tape<double> tape;
    const Var<double> xv = tape.variable(x);
    Var<double> hv, cv;
    if (h0) {
        hv = tape.variable(*h0);
        cv = tape.variable(*c0);
    }
    const auto r = l.call(tape, xv, h0 ? &hv : nullptr, h0 ? &cv : nullptr, &m);
    tape.backward(sum(r.output * tape.constant(randn(r.output.shape(), 31))) +
                  sum(r.h * tape.constant(randn(r.h.shape(), 32))) +
                  sum(r.c * tape.constant(randn(r.c.shape(), 33))));
    Pass p{r.output.value(), r.h.value(), r.c.value(), xv.grad(), {}, {}, {}};
    if (h0) {
        p.dh0 = hv.grad();
        p.dc0 = cv.grad();
    }
    for (auto* w : l.parameters()) p.dw.push_back(w->grad);
    return p;
}

}  // namespace

TEST_CASE("lstm masking: padded steps carry h and c, outputs follow Keras' rule, both paths", "[lstm][mask]")
{
    const Tensor<double> x = randn({3, 5, 2}, 1);
    const Tensor<double> h0 = randn({3, 3}, 2), c0 = randn({3, 3}, 3);
    for (const auto& rows : k_masks) {
        const Mask m = make_mask(rows);
        for (const Config& c : configs())
            for (bool fused : {true, false}) {
                INFO(describe(rows, c) << (fused ? " fused" : " composed"));
                LSTM<double> l(options_for(c, fused));
                Tape<double> tape;
                const Var<double> hv = tape.constant(h0), cv = tape.constant(c0);
                const bool s0 = c.initial_state;
                const auto r = l.call(tape, tape.constant(x), s0 ? &hv : nullptr,
                                      s0 ? &cv : nullptr, &m);
                const auto want = test::lstm_reference(
                    x, {.kernel = &l.kernel.value, .recurrent_kernel = &l.recurrent_kernel.value,
                        .bias = &l.bias.value, .h0 = s0 ? &h0 : nullptr,
                        .c0 = s0 ? &c0 : nullptr, .go_backwards = c.go_backwards, .mask = &m,
                        .zero_output_for_mask = c.zero_output});
                const Tensor<double> last = xt::view(want.outputs, xt::all(), 4, xt::all());
                require_close(r.output.value(), c.return_sequences ? want.outputs : last, 1e-12);
                require_close(r.h.value(), want.h, 1e-12);
                require_close(r.c.value(), want.c, 1e-12);
            }
    }
}

TEST_CASE("lstm masking: fused and composed paths agree to 1e-10 in values and gradients", "[lstm][mask]")
{
    const Tensor<double> x = randn({3, 5, 2}, 4);
    const Tensor<double> h0 = randn({3, 3}, 5), c0 = randn({3, 3}, 6);
    for (const auto& rows : k_masks) {
        const Mask m = make_mask(rows);
        for (const Config& c : configs()) {
            INFO(describe(rows, c));
            LSTM<double> fused(options_for(c, true)), composed(options_for(c, false));
            const Tensor<double>* s0 = c.initial_state ? &h0 : nullptr;
            const Pass a = run(fused, x, m, s0, &c0);
            const Pass b = run(composed, x, m, s0, &c0);
            require_close(a.output, b.output, 1e-10);
            require_close(a.h, b.h, 1e-10);
            require_close(a.c, b.c, 1e-10);
            require_close(a.dx, b.dx, 1e-10);
            if (s0) {
                require_close(a.dh0, b.dh0, 1e-10);
                require_close(a.dc0, b.dc0, 1e-10);
            }
            for (std::size_t k = 0; k < a.dw.size(); ++k) require_close(a.dw[k], b.dw[k], 1e-10);
        }
    }
}

// Every config on both paths for one mask: 32 float64 gradchecks. One test case per mask, so
// that ctest runs them side by side (together they took 24 s under ASan + UBSan).
namespace {
void require_masked_gradcheck(const std::vector<std::string>& rows)
{
    const Tensor<double> x = randn({3, 5, 2}, 7);
    const Tensor<double> h0 = randn({3, 3}, 8), c0 = randn({3, 3}, 9);
    const Mask m = make_mask(rows);
    for (const Config& c : configs())
        for (bool fused : {true, false}) {
            INFO(describe(rows, c) << (fused ? " fused" : " composed"));
            LSTM<double> l(options_for(c, fused));
            l.build({5, 2});
            const bool s0 = c.initial_state;
            test::require_gradcheck(
                [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
                    const auto r = l.call(tape, in[0], s0 ? &in[1] : nullptr,
                                          s0 ? &in[2] : nullptr, &m);
                    return sum(r.output) + sum(r.h * r.h) + sum(r.c * r.c * r.c);
                },
                s0 ? std::vector<Tensor<double>>{x, h0, c0} : std::vector<Tensor<double>>{x},
                l.parameters());
        }
}
}  // namespace

TEST_CASE("lstm masking: gradcheck of the masked layer, right padding, both paths", "[lstm][mask][gradcheck]")
{
    require_masked_gradcheck(k_masks[0]);
}

TEST_CASE("lstm masking: gradcheck of the masked layer, left padding, both paths", "[lstm][mask][gradcheck]")
{
    require_masked_gradcheck(k_masks[1]);
}

TEST_CASE("lstm masking: gradcheck of the masked layer, gaps in the middle, both paths", "[lstm][mask][gradcheck]")
{
    require_masked_gradcheck(k_masks[2]);
}

TEST_CASE("lstm masking: gradcheck of the masked layer, a row with no real step, both paths", "[lstm][mask][gradcheck]")
{
    require_masked_gradcheck(k_masks[3]);
}

TEST_CASE("lstm masking: the gradient stops at padded steps", "[lstm][mask]")
{
    // Right padding: a padded step's input gets no gradient, and the weights get exactly what
    // the trimmed sequence gives them.
    const Tensor<double> x = randn({1, 6, 2}, 10);
    const Tensor<double> trimmed = xt::view(x, xt::all(), xt::range(0, 4), xt::all());
    for (bool fused : {true, false}) {
        INFO((fused ? "fused" : "composed"));
        LSTM<double> padded({.units = 3, .seed = 2, .fused = fused});
        LSTM<double> exact({.units = 3, .seed = 2, .fused = fused});
        const Pass a = run(padded, x, make_mask({"111100"}), nullptr, nullptr);
        const Pass b = run(exact, trimmed, make_mask({"1111"}), nullptr, nullptr);
        for (std::size_t t = 4; t < 6; ++t)
            for (std::size_t f = 0; f < 2; ++f) REQUIRE(a.dx(0, t, f) == 0.0);
        require_close(a.h, b.h, 1e-14);
        require_close(a.c, b.c, 1e-14);
        for (std::size_t k = 0; k < a.dw.size(); ++k) require_close(a.dw[k], b.dw[k], 1e-13);
    }
}

TEST_CASE("lstm masking: Masking -> LSTM in a Sequential equals the explicit mask", "[lstm][mask]")
{
    Tensor<double> x = randn({2, 5, 2}, 11);
    for (std::size_t f = 0; f < 2; ++f) {
        x(0, 0, f) = 0.0;  // left padding of row 0
        x(1, 4, f) = 0.0;  // right padding of row 1
    }
    const Mask m = make_mask({"01111", "11110"});
    Sequential<double> model;
    model.emplace<Masking<double>>(MaskingOptions{.mask_value = 0.0});
    auto lstm = model.emplace<LSTM<double>>(LSTMOptions{.units = 3, .return_sequences = true,
                                                        .seed = 3});
    LSTM<double> alone({.units = 3, .return_sequences = true, .seed = 3});
    Tape<double> tape;
    const Var<double> xv = tape.constant(x);
    const auto via_model = model.call(tape, xv);
    const auto direct = alone.call(tape, xv, nullptr, nullptr, &m);
    require_close(via_model.output.value(), direct.output.value(), 1e-14);
    REQUIRE(via_model.states[1].size() == 2);  // the LSTM's h and c
    require_close(via_model.states[1][1].value(), direct.c.value(), 1e-14);
    REQUIRE(lstm->compute_mask(xv, &m).has_value());
}

TEST_CASE("lstm masking: Bidirectional(LSTM) runs both directions with h and c each", "[lstm][mask][bidirectional]")
{
    const Tensor<double> x = randn({3, 5, 2}, 12);
    const Mask m = make_mask({"11100", "11111", "01110"});
    for (bool fused : {true, false}) {
        INFO((fused ? "fused" : "composed"));
        Bidirectional<double> bi(LSTM<double>({.units = 3, .return_sequences = true, .seed = 4,
                                               .fused = fused}));
        bi.build({5, 2});
        REQUIRE(bi.state_count() == 4);
        const auto w = bi.get_weights();
        REQUIRE(w.size() == 6);
        LSTM<double> fwd({.units = 3, .return_sequences = true, .zero_output_for_mask = true,
                          .fused = fused});
        LSTM<double> bwd({.units = 3, .return_sequences = true, .go_backwards = true,
                          .zero_output_for_mask = true, .fused = fused});
        fwd.set_weights({w[0], w[1], w[2]});
        bwd.set_weights({w[3], w[4], w[5]});
        Tape<double> tape;
        const Var<double> xv = tape.constant(x);
        const auto r = bi.call(tape, xv, {}, &m);
        const auto f = fwd.call(tape, xv, nullptr, nullptr, &m);
        const auto b = bwd.call(tape, xv, nullptr, nullptr, &m);
        require_close(r.forward_output.value(), f.output.value(), 1e-14);
        require_close(r.backward_output.value(), xt::flip(b.output.value(), 1), 1e-14);
        REQUIRE(r.forward_states.size() == 2);
        require_close(r.backward_states[1].value(), b.c.value(), 1e-14);
        REQUIRE(r.output.shape() == Shape{3, 5, 6});
    }
}
