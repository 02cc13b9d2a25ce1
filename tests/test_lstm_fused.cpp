// The fused LSTM node itself (layers/lstm_fused.cpp): its chunks of recomputed states, its
// reused workspace, and its denormal flushing.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#endif

#include "check.hpp"
#include "layers/lstm.hpp"

using namespace elman;
using elman::test::randn;
using elman::test::require_close;

namespace {

struct Result {
    std::vector<Tensor<double>> values;  // states, c, then dx, dW_x, dW_h, db, dh0, dc0
};

// One pass through lstm_fused with every input given, L = Σ u ⊙ states + Σ v ⊙ c.
Result run(std::size_t chunk, const Mask* mask, bool rdrop, bool back, bool seq)
{
    const std::size_t nb = 3, nt = 7, nf = 2, nu = 4;
    Tape<double> tape;
    const Var<double> x = tape.variable(randn({nb, nt, nf}, 1));
    const Var<double> wx = tape.variable(randn({nf, 4 * nu}, 2) * 0.5);
    const Var<double> wh = tape.variable(randn({nu, 4 * nu}, 3) * 0.5);
    const Var<double> b = tape.variable(randn({4 * nu}, 4));
    const Var<double> h0 = tape.variable(randn({nb, nu}, 5));
    const Var<double> c0 = tape.variable(randn({nb, nu}, 6));
    StepMask steps;
    if (mask) steps = make_step_mask(*mask, {nb, nt, nf}, back, "test");
    // fixed dropout masks, one per gate (values 0 or 2)
    const Tensor<double> dx = xt::where(randn({4, nb, nf}, 7) > 0.0, 2.0, 0.0);
    const Tensor<double> dh = xt::where(randn({4, nb, nu}, 8) > 0.0, 2.0, 0.0);
    const LSTMFusedArgs<double> args{.go_backwards = back, .return_sequences = seq,
                                     .mask = mask ? &steps : nullptr,
                                     .input_dropout = rdrop ? &dx : nullptr,
                                     .recurrent_dropout = rdrop ? &dh : nullptr,
                                     .chunk_steps = chunk};
    const auto r = lstm_fused(x, wx, wh, &b, &h0, &c0, args);
    tape.backward(sum(r.states * tape.constant(randn(r.states.shape(), 9))) +
                  sum(r.c * tape.constant(randn(r.c.shape(), 10))));
    Result out;
    for (const Var<double>* v : {&r.states, &r.c}) out.values.push_back(v->value());
    for (const Var<double>* v : {&x, &wx, &wh, &b, &h0, &c0}) out.values.push_back(v->grad());
    return out;
}

}  // namespace

TEST_CASE("lstm_fused: chunks of recomputed states give what one chunk gives", "[lstm]")
{
    Mask m = Mask::from_shape({3, 7});
    for (std::size_t b = 0; b < 3; ++b)
        for (std::size_t t = 0; t < 7; ++t) m(b, t) = (t + 2 * b) % 4 != 1;
    for (bool masked : {false, true})
        for (bool rdrop : {false, true})
            for (bool back : {false, true})
                for (bool seq : {false, true}) {
                    const Result whole = run(7, masked ? &m : nullptr, rdrop, back, seq);
                    for (std::size_t chunk : {1, 2, 3, 6}) {
                        INFO("chunk " << chunk << (masked ? " masked" : "")
                                      << (rdrop ? " per-gate dropout" : "")
                                      << (back ? " go_backwards" : "") << (seq ? " seq" : ""));
                        const Result part = run(chunk, masked ? &m : nullptr, rdrop, back, seq);
                        for (std::size_t k = 0; k < whole.values.size(); ++k)
                            require_close(part.values[k], whole.values[k], 1e-12);
                    }
                }
}

TEST_CASE("lstm_fused: a training step reuses the buffers of the one before", "[lstm]")
{
    LSTM<float> l({.units = 8, .seed = 1});
    const Tensor<float> x = xt::cast<float>(randn({4, 30, 2}, 11));
    const auto step = [&] {
        Tape<float> tape;
        tape.backward(sum(l.forward(tape, tape.variable(x))));
    };
    step();
    // A live tape holding the node forces a fresh workspace; after it is gone the next call
    // takes the layer's buffers back, and their results are the same.
    const Tensor<float> g1 = l.kernel.grad;
    l.kernel.zero_grad();
    step();
    REQUIRE((l.kernel.grad == g1));
}

#if defined(__SSE__) || defined(__x86_64__)
TEST_CASE("lstm_fused: denormals are flushed inside the node, the thread's mode is restored", "[lstm]")
{
    // Zero kernels and a forget bias of −46: f = σ(−46) ≈ 1.1e-20 at every step, and with a
    // loss on c_2 alone dL/dc_0 = f·f ≈ 1.1e-40, a float32 denormal. The fused node flushes it
    // to 0 (as Keras' TensorFlow kernels do); the composed path's ops keep it.
    const unsigned int before = _mm_getcsr();
    std::vector<float> dc0;
    for (bool fused : {true, false}) {
        LSTM<float> l({.units = 2, .fused = fused});
        Tensor<float> bias = xt::zeros<float>({8});
        for (std::size_t u = 2; u < 4; ++u) bias(u) = -46.0f;
        l.set_weights({xt::zeros<float>({1, 8}), xt::zeros<float>({2, 8}), bias});
        Tape<float> tape;
        const Var<float> h0 = tape.variable(Tensor<float>(xt::zeros<float>({1, 2})));
        const Var<float> c0 = tape.variable(Tensor<float>(xt::ones<float>({1, 2})));
        const auto r = l.call(tape, tape.constant(Tensor<float>(xt::ones<float>({1, 2, 1}))),
                              &h0, &c0);
        tape.backward(sum(r.c));
        dc0.push_back(c0.grad()(0, 0));
    }
    // the control bits (FTZ, DAZ, rounding, exception masks) are back; the low six are sticky
    // status flags, which the composed path's denormal arithmetic sets
    REQUIRE((_mm_getcsr() & ~0x3Fu) == (before & ~0x3Fu));
    REQUIRE((before & 0x8040u) == 0u);
    REQUIRE(dc0[0] == 0.0f);
    REQUIRE(dc0[1] != 0.0f);
    REQUIRE(std::fpclassify(dc0[1]) == FP_SUBNORMAL);
}
#endif
