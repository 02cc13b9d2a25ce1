#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include "check.hpp"
#include "layers/simple_rnn.hpp"

using namespace elman;
using elman::test::randn;

namespace {

constexpr std::size_t B = 2, T = 4, F = 3, U = 5;

SimpleRNN<double> make_rnn(bool fused, bool return_sequences)
{
    SimpleRNN<double> rnn({.units = U, .return_sequences = return_sequences, .seed = 11,
                           .fused = fused, .trace = true});
    rnn.build({T, F});
    return rnn;
}

}  // namespace

TEST_CASE("rnn_trace: h_t is the output sequence and h_t = tanh(a_t)", "[rnn][trace]")
{
    for (bool fused : {true, false}) {
        INFO("fused " << fused);
        auto rnn = make_rnn(fused, true);
        Tape<double> tape;
        const Tensor<double> y = rnn.forward(tape, tape.constant(randn({B, T, F}, 1))).value();
        const auto& tr = rnn.trace();
        REQUIRE(tr.steps() == T);
        REQUIRE_FALSE(tr.has_backward());
        for (std::size_t t = 0; t < T; ++t) {
            const Tensor<double> yt = xt::view(y, xt::all(), t, xt::all());
            REQUIRE(tr.h[t] == yt);
            for (std::size_t i = 0; i < B * U; ++i)
                REQUIRE(tr.h[t].data()[i] == Approx(std::tanh(tr.a[t].data()[i])).epsilon(1e-14));
        }
    }
}

TEST_CASE("rnn_trace: dL/dh_t follows g_t = dL/dh_t(out) + (g_{t+1} ⊙ (1 − h²))·W_hᵀ",
          "[rnn][trace]")
{
    for (bool fused : {true, false}) {
        INFO("fused " << fused);
        auto rnn = make_rnn(fused, false);
        Tape<double> tape;
        auto y = rnn.forward(tape, tape.constant(randn({B, T, F}, 2)));
        const Tensor<double> seed = randn({B, U}, 3);
        tape.backward(y, seed);
        const auto& tr = rnn.trace();
        REQUIRE(tr.has_backward());
        REQUIRE(tr.dh.size() == T);
        // Only the last step feeds the output.
        REQUIRE(tr.dh[T - 1] == seed);
        const Tensor<double>& wh = rnn.recurrent_kernel.value;
        for (std::size_t t = 0; t + 1 < T; ++t) {
            const Tensor<double>& g1 = tr.dh[t + 1];
            const Tensor<double>& h1 = tr.h[t + 1];
            for (std::size_t b = 0; b < B; ++b)
                for (std::size_t j = 0; j < U; ++j) {
                    double g = 0;
                    for (std::size_t k = 0; k < U; ++k)
                        g += g1(b, k) * (1 - h1(b, k) * h1(b, k)) * wh(j, k);
                    REQUIRE(tr.dh[t](b, j) == Approx(g).epsilon(1e-12));
                }
        }
    }
}

TEST_CASE("rnn_trace: fused and composed paths record the same trace", "[rnn][trace]")
{
    auto fused = make_rnn(true, true);
    auto composed = make_rnn(false, true);
    const Tensor<double> x = randn({B, T, F}, 4);
    const Tensor<double> seed = randn({B, T, U}, 5);
    for (auto* rnn : {&fused, &composed}) {
        Tape<double> tape;
        tape.backward(rnn->forward(tape, tape.constant(x)), seed);
    }
    for (std::size_t t = 0; t < T; ++t) {
        REQUIRE(xt::allclose(fused.trace().a[t], composed.trace().a[t], 1e-12, 1e-12));
        REQUIRE(xt::allclose(fused.trace().dh[t], composed.trace().dh[t], 1e-12, 1e-12));
    }
    const std::string text = fused.trace().str();
    REQUIRE(text.find("step 4\n") != std::string::npos);
    REQUIRE(text.find("|dL/dh|") != std::string::npos);
}

TEST_CASE("rnn_trace: off by default, and each call starts a new trace", "[rnn][trace]")
{
    SimpleRNN<float> quiet({.units = 3});
    Tape<float> tape;
    quiet.forward(tape, tape.constant(Tensor<float>(xt::ones<float>({1, 6, 2}))));
    REQUIRE(quiet.trace().steps() == 0);

    quiet.set_trace(true);
    Tape<float> t2;
    quiet.forward(t2, t2.constant(Tensor<float>(xt::ones<float>({1, 6, 2}))));
    REQUIRE(quiet.trace().steps() == 6);
    Tape<float> t3;
    quiet.forward(t3, t3.constant(Tensor<float>(xt::ones<float>({1, 2, 2}))));
    REQUIRE(quiet.trace().steps() == 2);
    REQUIRE_FALSE(quiet.trace().has_backward());
}
