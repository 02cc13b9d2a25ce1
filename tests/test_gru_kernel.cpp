// The fused GRU node's two memory forms (GRUFusedArgs::keep_bytes): with N_s (or q_s) kept the
// backward does dR in one GEMM after the loop; without (long sequences, large batches) it
// recomputes them and does dR step by step. Both must give the same numbers, and the lean form
// must pass gradcheck on its own. Also: the float kernel runs with denormals flushed, and leaves
// the caller's floating-point mode as it found it.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "check.hpp"
#include "core/denormals.hpp"
#include "core/init.hpp"
#include "core/ops.hpp"
#include "layers/gru.hpp"

#if defined(__x86_64__) || defined(__SSE__)
#include <xmmintrin.h>
#endif

using namespace elman;
using elman::test::randn;
using elman::test::require_close;

namespace {

struct Inputs {
    Tensor<double> x, w, r, b, h0;
};

Inputs inputs(bool reset_after, std::size_t nt)
{
    return {randn({3, nt, 2}, 1), randn({2, 9}, 2) * 0.6, randn({3, 9}, 3) * 0.6,
            reset_after ? Tensor<double>(randn({2, 9}, 4)) : Tensor<double>(randn({9}, 4)),
            randn({3, 3}, 5)};
}

struct Result {
    Tensor<double> y;
    std::vector<Tensor<double>> grads;  // x, kernel, recurrent_kernel, bias, h0
};

// The node alone, L = Σ y ⊙ u for a fixed u.
Result run_node(const Inputs& in, GRUFusedArgs<double> args, std::size_t keep_bytes)
{
    args.keep_bytes = keep_bytes;
    Tape<double> tape;
    std::vector<Var<double>> v{tape.variable(in.x), tape.variable(in.w), tape.variable(in.r),
                               tape.variable(in.b), tape.variable(in.h0)};
    const Var<double> y = gru_fused(v[0], v[1], v[2], &v[3], &v[4], args);
    tape.backward(y, randn(y.shape(), 6));
    Result res{y.value(), {}};
    for (const auto& var : v) res.grads.push_back(var.grad());
    return res;
}

StepMask mask_of(const std::vector<std::string>& rows, bool go_backwards)
{
    Mask m = Mask::from_shape({rows.size(), rows[0].size()});
    for (std::size_t b = 0; b < rows.size(); ++b)
        for (std::size_t t = 0; t < rows[b].size(); ++t) m(b, t) = rows[b][t] == '1';
    return make_step_mask(m, {rows.size(), rows[0].size(), 2}, go_backwards, "test");
}

}  // namespace

TEST_CASE("gru kernel: N or q kept, or recomputed step by step, give the same values and "
          "gradients", "[gru]")
{
    for (bool after : {true, false})
        for (bool seq : {false, true})
            for (bool back : {false, true})
                for (bool masked : {false, true}) {
                    INFO("reset_after " << after << " return_sequences " << seq
                                        << " go_backwards " << back << " masked " << masked);
                    const Inputs in = inputs(after, 5);
                    const StepMask m = mask_of({"11100", "01111", "10101"}, back);
                    GRUFusedArgs<double> args{.reset_after = after, .go_backwards = back,
                                              .return_sequences = seq,
                                              .mask = masked ? &m : nullptr};
                    const Result kept = run_node(in, args, std::size_t(1) << 30);
                    const Result lean = run_node(in, args, 0);
                    require_close(lean.y, kept.y, 1e-14);
                    for (std::size_t k = 0; k < kept.grads.size(); ++k)
                        require_close(lean.grads[k], kept.grads[k], 1e-12);
                }
}

TEST_CASE("gru kernel: the lean form passes gradcheck", "[gru][gradcheck]")
{
    for (bool after : {true, false}) {
        INFO("reset_after " << after);
        const Inputs in = inputs(after, 4);
        const StepMask m = mask_of({"1110", "0111", "1011"}, false);
        test::require_gradcheck(
            [&](Tape<double>&, const std::vector<Var<double>>& v) {
                GRUFusedArgs<double> args{.reset_after = after, .return_sequences = true,
                                          .mask = &m, .keep_bytes = 0};
                return gru_fused(v[0], v[1], v[2], &v[3], &v[4], args);
            },
            {in.x, in.w, in.r, in.b, in.h0});
    }
}

#if defined(__x86_64__) || defined(__SSE__)
TEST_CASE("gru kernel: float runs with denormals flushed and gives the caller's mode back",
          "[gru]")
{
    // the control bits (FTZ, DAZ, rounding, exception masks), not the sticky exception flags
    // (bits 0-5) that any float arithmetic may raise
    const auto control = [] { return _mm_getcsr() & ~0x3fu; };
    const unsigned before = control();
    {
        FlushDenormals ftz;
        REQUIRE((_mm_getcsr() & 0x8040u) == 0x8040u);
    }
    REQUIRE(control() == before);
    // A gradient that vanishes along 80 steps (z ≈ σ(−3) = 0.05 lets little through): in
    // float64, dL/dh_0 is about 1e−40, below float's smallest normal number. The float node
    // flushes it to 0 (it would otherwise be a denormal, each step on the slow path), and the
    // caller's MXCSR is untouched by forward and backward alike.
    const auto grad_h0 = [&](auto zero) {
        using T = decltype(zero);
        GRU<T> g({.units = 4, .seed = 3});
        g.build({80, 1});
        Tensor<T> bias = zeros<T>({2, 12});
        for (std::size_t j = 0; j < 4; ++j) bias(0, j) = T(-3);  // b^x_z
        g.set_weights({g.kernel.value, g.recurrent_kernel.value, bias});
        Tape<T> tape;
        const Var<T> h0 = tape.variable(Tensor<T>(zeros<T>({1, 4}) + T(0.5)));
        const auto r = g.call(tape, tape.constant(zeros<T>({1, 80, 1})), &h0);
        REQUIRE(control() == before);
        tape.backward(sum(r.output));
        REQUIRE(control() == before);
        return Tensor<T>(h0.grad());
    };
    const Tensor<double> g64 = grad_h0(0.0);
    const Tensor<float> g32 = grad_h0(0.0f);
    for (std::size_t j = 0; j < 4; ++j) {
        INFO("dL/dh_0[" << j << "]: float64 " << g64(0, j) << ", float " << g32(0, j));
        REQUIRE(std::abs(g64(0, j)) > 1e-45);
        REQUIRE(std::abs(g64(0, j)) < 1.17549435e-38);
        REQUIRE(g32(0, j) == 0.0f);
    }
}
#endif
