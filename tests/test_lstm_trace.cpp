// The LSTM's trace mode (layers/lstm_trace.hpp): the gates, c_t, h_t of every step and the two
// gradients dL/dh_t, dL/dc_t, on both paths; and the fused node in the tape's DOT export.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include "check.hpp"
#include "core/tape_dot.hpp"
#include "layers/lstm.hpp"

using namespace elman;
using elman::test::randn;

namespace {

constexpr std::size_t B = 2, T = 4, F = 3, U = 5;

LSTM<double> make_lstm(bool fused, bool return_sequences)
{
    LSTM<double> l({.units = U, .return_sequences = return_sequences,
                    .bias_initializer = "random_normal", .seed = 11, .fused = fused,
                    .trace = true});
    l.build({T, F});
    return l;
}

}  // namespace

TEST_CASE("lstm_trace: c_t = f ⊙ c_{t−1} + i ⊙ g and h_t = o ⊙ tanh(c_t) is the output", "[lstm][trace]")
{
    for (bool fused : {true, false}) {
        INFO("fused " << fused);
        auto l = make_lstm(fused, true);
        Tape<double> tape;
        const Tensor<double> y = l.forward(tape, tape.constant(randn({B, T, F}, 1))).value();
        const auto& tr = l.trace();
        REQUIRE(tr.steps() == T);
        REQUIRE_FALSE(tr.has_backward());
        for (std::size_t t = 0; t < T; ++t) {
            const Tensor<double> yt = xt::view(y, xt::all(), t, xt::all());
            REQUIRE(tr.h[t] == yt);
            for (std::size_t k = 0; k < B * U; ++k) {
                const double cp = t ? tr.c[t - 1].data()[k] : 0.0;
                const double c = tr.f[t].data()[k] * cp + tr.i[t].data()[k] * tr.g[t].data()[k];
                REQUIRE(tr.c[t].data()[k] == Approx(c).epsilon(1e-14));
                REQUIRE(tr.h[t].data()[k] == Approx(tr.o[t].data()[k] * std::tanh(c)).epsilon(1e-14));
                for (const auto* gate : {&tr.i, &tr.f, &tr.o}) {
                    const double v = (*gate)[t].data()[k];
                    REQUIRE((v > 0.0 && v < 1.0));  // sigmoid gates
                }
            }
        }
    }
}

TEST_CASE("lstm_trace: dL/dc_t = dL/dc_{t+1} ⊙ f_{t+1} + dL/dh_t ⊙ o_t ⊙ (1 − tanh²(c_t))", "[lstm][trace]")
{
    for (bool fused : {true, false}) {
        INFO("fused " << fused);
        auto l = make_lstm(fused, false);
        Tape<double> tape;
        const auto r = l.call(tape, tape.constant(randn({B, T, F}, 2)));
        const Tensor<double> seed_h = randn({B, U}, 3), seed_c = randn({B, U}, 4);
        tape.backward(sum(r.output * tape.constant(seed_h)) + sum(r.c * tape.constant(seed_c)));
        const auto& tr = l.trace();
        REQUIRE(tr.has_backward());
        REQUIRE(tr.dh.size() == T);
        REQUIRE(tr.dc.size() == T);
        REQUIRE(tr.dh[T - 1] == seed_h);  // only the last step feeds the output
        for (std::size_t t = 0; t < T; ++t)
            for (std::size_t k = 0; k < B * U; ++k) {
                const double from_next =
                    t + 1 < T ? tr.dc[t + 1].data()[k] * tr.f[t + 1].data()[k] : seed_c.data()[k];
                const double th = std::tanh(tr.c[t].data()[k]);
                const double want = from_next + tr.dh[t].data()[k] * tr.o[t].data()[k] * (1 - th * th);
                REQUIRE(tr.dc[t].data()[k] == Approx(want).epsilon(1e-12));
            }
    }
}

TEST_CASE("lstm_trace: fused and composed paths record the same trace, mask included", "[lstm][trace]")
{
    Mask m = Mask::from_shape({B, T});
    for (std::size_t t = 0; t < T; ++t) {
        m(0, t) = t != 1;  // a gap
        m(1, t) = t < 3;   // right padding
    }
    auto fused = make_lstm(true, true);
    auto composed = make_lstm(false, true);
    const Tensor<double> x = randn({B, T, F}, 5);
    const Tensor<double> seed = randn({B, T, U}, 6), seed_c = randn({B, U}, 7);
    for (auto* l : {&fused, &composed}) {
        Tape<double> tape;
        const auto r = l->call(tape, tape.constant(x), nullptr, nullptr, &m);
        tape.backward(sum(r.output * tape.constant(seed)) + sum(r.c * tape.constant(seed_c)));
    }
    const auto& a = fused.trace();
    const auto& b = composed.trace();
    for (std::size_t t = 0; t < T; ++t) {
        INFO("step " << t);
        for (auto [p, q] : {std::pair{&a.i, &b.i}, std::pair{&a.f, &b.f}, std::pair{&a.g, &b.g},
                            std::pair{&a.o, &b.o}, std::pair{&a.c, &b.c}, std::pair{&a.h, &b.h},
                            std::pair{&a.dh, &b.dh}, std::pair{&a.dc, &b.dc}})
            REQUIRE(xt::allclose((*p)[t], (*q)[t], 1e-12, 1e-12));
    }
    const std::string text = a.str();
    REQUIRE(text.find("step 4\n") != std::string::npos);
    REQUIRE(text.find("|dL/dc|") != std::string::npos);
}

TEST_CASE("lstm_trace: off by default, and each call starts a new trace", "[lstm][trace]")
{
    LSTM<float> quiet({.units = 3});
    Tape<float> tape;
    quiet.forward(tape, tape.constant(Tensor<float>(xt::ones<float>({1, 6, 2}))));
    REQUIRE(quiet.trace().steps() == 0);
    quiet.set_trace(true);
    Tape<float> t2;
    quiet.forward(t2, t2.constant(Tensor<float>(xt::ones<float>({1, 6, 2}))));
    REQUIRE(quiet.trace().steps() == 6);
    REQUIRE(quiet.trace().i.size() == 6);
    Tape<float> t3;
    quiet.forward(t3, t3.constant(Tensor<float>(xt::ones<float>({1, 2, 2}))));
    REQUIRE(quiet.trace().steps() == 2);
}

TEST_CASE("lstm_trace: the DOT export shows the fused node and its c output", "[lstm][tape_dot]")
{
    LSTM<double> l({.units = 2, .seed = 1});
    Tape<double> tape;
    const auto r = l.call(tape, tape.variable(randn({1, 3, 2}, 8), "x"));
    tape.backward(sum(r.output) + sum(r.c));
    const std::string dot = to_dot(tape);
    REQUIRE(dot.find("lstm_fused\\n") != std::string::npos);
    REQUIRE(dot.find("lstm_fused_c") != std::string::npos);
    REQUIRE(dot.find("lstm/recurrent_kernel") != std::string::npos);
    REQUIRE(dot.find("dashed") != std::string::npos);  // the gradient flow is drawn
}
