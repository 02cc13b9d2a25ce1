// GRU with masks (Keras' semantics, layers/rnn_mask.hpp) and dropout (Keras 3's: one mask per
// sequence, per gate with recurrent_dropout), against the plain-loop reference of
// tests/gru_reference.hpp, with both paths agreeing and gradchecked, fixed dropout masks
// included.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <xtensor/xview.hpp>

#include "check.hpp"
#include "gru_reference.hpp"
#include "layers/gru.hpp"

using namespace elman;
using elman::test::gru_reference;
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
    bool reset_after, go_backwards, return_sequences, zero_output, h0;
};

std::vector<Config> configs()
{
    std::vector<Config> cs;
    for (bool after : {true, false})
        for (bool back : {false, true})
            for (bool seq : {false, true})
                for (bool zero : {false, true})
                    for (bool h0 : {false, true}) cs.push_back({after, back, seq, zero, h0});
    return cs;
}

std::string describe(const Config& c)
{
    return std::string(c.reset_after ? "reset_after " : "reset_before ") +
           (c.go_backwards ? "go_backwards " : "") +
           (c.return_sequences ? "return_sequences" : "last") +
           (c.zero_output ? " zero_output_for_mask" : "") + (c.h0 ? " initial_state" : "");
}

GRUOptions options_for(const Config& c, bool fused, double dropout = 0, double recurrent = 0)
{
    return {.units = 3, .reset_after = c.reset_after, .return_sequences = c.return_sequences,
            .go_backwards = c.go_backwards, .bias_initializer = "random_normal", .seed = 5,
            .dropout = dropout, .recurrent_dropout = recurrent,
            .zero_output_for_mask = c.zero_output, .fused = fused};
}

// Output, state and every gradient of L = Σ u ⊙ output + Σ v ⊙ state. With training, the layer
// is reseeded first, so that every run draws the same dropout masks.
struct Pass {
    Tensor<double> output, state, dx, dh0;
    std::vector<Tensor<double>> dw;
};

Pass run(GRU<double>& l, const Tensor<double>& x, const Mask* m, const Tensor<double>* h0,
         bool training = false)
{
    for (auto* p : l.parameters()) p->zero_grad();
    l.reseed(17);
    Tape<double> tape;
    const Var<double> xv = tape.variable(x);
    Var<double> hv;
    if (h0) hv = tape.variable(*h0);
    const auto r = l.call(tape, xv, h0 ? &hv : nullptr, m, training);
    tape.backward(sum(r.output * tape.constant(randn(r.output.shape(), 31))) +
                  sum(r.state * tape.constant(randn(r.state.shape(), 32))));
    Pass p{r.output.value(), r.state.value(), xv.grad(), {}, {}};
    if (h0) p.dh0 = hv.grad();
    for (auto* w : l.parameters()) p.dw.push_back(w->grad);
    return p;
}

void require_same(const Pass& a, const Pass& b, double tol)
{
    require_close(a.output, b.output, tol);
    require_close(a.state, b.state, tol);
    require_close(a.dx, b.dx, tol);
    if (a.dh0.size()) require_close(a.dh0, b.dh0, tol);
    REQUIRE(a.dw.size() == b.dw.size());
    for (std::size_t k = 0; k < a.dw.size(); ++k) require_close(a.dw[k], b.dw[k], tol);
}

}  // namespace

TEST_CASE("gru masking: padded steps carry the state and outputs follow Keras' rule, both paths",
          "[gru][mask]")
{
    const Tensor<double> x = randn({3, 5, 2}, 1);
    const Tensor<double> h0 = randn({3, 3}, 2);
    for (const auto& rows : k_masks) {
        const Mask m = make_mask(rows);
        for (const Config& c : configs())
            for (bool fused : {true, false}) {
                INFO(rows[0] << "/" << rows[1] << "/" << rows[2] << " " << describe(c)
                             << (fused ? " fused" : " composed"));
                GRU<double> l(options_for(c, fused));
                Tape<double> tape;
                const Var<double> hv = tape.constant(h0);
                const auto r = l.call(tape, tape.constant(x), c.h0 ? &hv : nullptr, &m);
                const auto want = gru_reference(x, l, c.h0 ? &h0 : nullptr, &m);
                require_close(r.output.value(), want.output, 1e-12);
                require_close(r.state.value(), want.state, 1e-12);
            }
    }
}

// Every mask and configuration on both paths; gradcheck (the costly part, CI time) on two
// configurations per mask, one of each reset form, the path alternating: the paths' equality to
// 1e-10 carries each gradcheck over to the other path.
TEST_CASE("gru masking: fused and composed agree to 1e-10 and both pass gradcheck",
          "[gru][mask][gradcheck]")
{
    const Tensor<double> x = randn({3, 5, 2}, 3);
    const Tensor<double> h0 = randn({3, 3}, 4);
    const std::vector<Config> cs = configs();
    for (std::size_t mi = 0; mi < k_masks.size(); ++mi) {
        const auto& rows = k_masks[mi];
        const Mask m = make_mask(rows);
        for (std::size_t i = 0; i < cs.size(); ++i) {
            const Config& c = cs[i];
            INFO(rows[0] << "/" << rows[1] << "/" << rows[2] << " " << describe(c));
            GRU<double> fused(options_for(c, true)), composed(options_for(c, false));
            require_same(run(fused, x, &m, c.h0 ? &h0 : nullptr),
                         run(composed, x, &m, c.h0 ? &h0 : nullptr), 1e-10);
            if ((i + 3 * mi) % 16 != 0) continue;
            GRU<double>* l = (i / 16 + mi) % 2 == 0 ? &fused : &composed;
            test::require_gradcheck(
                [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
                    const auto r = l->call(tape, in[0], c.h0 ? &in[1] : nullptr, &m);
                    return sum(r.output) + sum(r.state * r.state);
                },
                c.h0 ? std::vector<Tensor<double>>{x, h0} : std::vector<Tensor<double>>{x},
                l->parameters());
        }
    }
}

TEST_CASE("gru masking: the gradient stops at padded steps", "[gru][mask]")
{
    const Tensor<double> x = randn({1, 6, 2}, 7);
    const Tensor<double> trimmed = xt::view(x, xt::all(), xt::range(0, 4), xt::all());
    const Mask m = make_mask({"111100"}), all = make_mask({"1111"});
    for (bool after : {true, false})
        for (bool fused : {true, false}) {
            INFO((fused ? "fused" : "composed") << " reset_after " << after);
            GRU<double> padded({.units = 3, .reset_after = after, .seed = 2, .fused = fused});
            GRU<double> exact({.units = 3, .reset_after = after, .seed = 2, .fused = fused});
            const Pass a = run(padded, x, &m, nullptr);
            const Pass b = run(exact, trimmed, &all, nullptr);
            for (std::size_t t = 4; t < 6; ++t)
                for (std::size_t f = 0; f < 2; ++f) REQUIRE(a.dx(0, t, f) == 0.0);
            require_close(a.state, b.state, 1e-14);
            for (std::size_t k = 0; k < a.dw.size(); ++k) require_close(a.dw[k], b.dw[k], 1e-13);
        }
}

TEST_CASE("gru masking: the fused path stays one node with a mask", "[gru][mask]")
{
    const Mask m = make_mask(k_masks[0]);
    GRU<double> l({.units = 3, .seed = 1});
    Tape<double> tape;
    l.call(tape, tape.variable(randn({3, 5, 2}, 9)), nullptr, &m);
    REQUIRE(tape.recorded() == 1);
}

TEST_CASE("gru dropout: one input mask for every gate without recurrent_dropout, one per gate "
          "with it, as Keras 3", "[gru][dropout]")
{
    const Tensor<double> x = randn({6, 5, 3}, 1);
    for (auto [p, q] : {std::pair{0.5, 0.0}, std::pair{0.0, 0.4}, std::pair{0.3, 0.6}})
        for (bool after : {true, false})
            for (bool fused : {true, false}) {
                INFO("dropout " << p << " recurrent_dropout " << q << " reset_after " << after
                                << (fused ? " fused" : " composed"));
                GRU<double> l({.units = 4, .reset_after = after, .return_sequences = true,
                               .bias_initializer = "random_normal", .seed = 3, .dropout = p,
                               .recurrent_dropout = q, .fused = fused});
                Tape<double> tape;
                const Tensor<double> y =
                    l.call(tape, tape.constant(x), nullptr, nullptr, true).output.value();
                const auto& m = l.dropout_masks();
                REQUIRE(m.has_input() == (p > 0));
                REQUIRE(m.has_recurrent() == (q > 0));
                if (m.has_input())
                    REQUIRE(m.input.shape() == std::vector<std::size_t>{q > 0 ? 3u : 1u, 6, 3});
                if (m.has_recurrent())
                    REQUIRE(m.recurrent.shape() == std::vector<std::size_t>{3, 6, 4});
                for (double v : m.input) REQUIRE((v == 0.0 || v == Approx(1 / (1 - p))));
                for (double v : m.recurrent) REQUIRE((v == 0.0 || v == Approx(1 / (1 - q))));
                require_close(y, gru_reference(x, l, nullptr, nullptr, &m).output, 1e-12);
                // inference: no mask at all
                l.call(tape, tape.constant(x));
                REQUIRE_FALSE(l.dropout_masks().has_input());
                REQUIRE_FALSE(l.dropout_masks().has_recurrent());
            }
}

TEST_CASE("gru dropout: fixed masks with a mask: the paths agree to 1e-10 and pass gradcheck",
          "[gru][dropout][gradcheck]")
{
    const Tensor<double> x = randn({3, 5, 3}, 4);
    const Tensor<double> h0 = randn({3, 3}, 5);
    const Mask m = make_mask(k_masks[2]);
    // gradcheck on one path per case, alternating so that each rate pair and reset form meets
    // both paths across the cases (CI time); the paths agree to 1e-10 in every case
    std::size_t k = 0;
    for (auto [p, q] : {std::pair{0.4, 0.0}, std::pair{0.0, 0.5}, std::pair{0.3, 0.3}})
        for (bool after : {true, false}) {
            const bool check_fused = after == ((k++ / 2) % 2 == 0);
            INFO("dropout " << p << " recurrent_dropout " << q << " reset_after " << after);
            const Config c{after, false, true, false, true};
            GRU<double> fused(options_for(c, true, p, q)), composed(options_for(c, false, p, q));
            const Pass a = run(fused, x, &m, &h0, true);
            const Pass b = run(composed, x, &m, &h0, true);
            REQUIRE((fused.dropout_masks().input == composed.dropout_masks().input));
            REQUIRE((fused.dropout_masks().recurrent == composed.dropout_masks().recurrent));
            require_same(a, b, 1e-10);
            GRU<double>* l = check_fused ? &fused : &composed;
            test::require_gradcheck(
                [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
                    l->reseed(17);  // the same masks at every evaluation
                    const auto r = l->call(tape, in[0], &in[1], &m, true);
                    return sum(r.output * r.output) + sum(r.state);
                },
                {x, h0}, l->parameters());
        }
}
