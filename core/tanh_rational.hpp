// tanh for float in a few multiply-adds and one division, elementwise: the activation of every
// float recurrent layer (layers/activation.cpp) and of batch-1 inference's fused step
// (core/row_gemv.cpp, row_gemv_tanh).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>

namespace elman {

// tanh for float without the libm call (glibc's tanhf costs ~20 ns and does not vectorise):
//   tanh(x) ≈ x·P(x²)/Q(x²)   x clamped to |x| <= 7.9053 (beyond it tanh is ±1 in float)
//   tanh(x) = x               for |x| < 4e-4 (and NaN passes through)
// the minimax rational approximation Eigen uses, within a few ulp of std::tanh. The clamp and
// the selection work on the bits as integers: floating-point comparisons may trap, so GCC will
// not turn them into SIMD selects, and this loop is worth vectorising.
// Kept over SLEEF 3.5.1 (issue 17; bench/tanh_bench.cpp, AMD EPYC with AVX-512, one thread,
// n = 64..4096, 2026-12-02): this loop takes 0.29–0.43 ns per element; Sleef_tanhf16_u35avx512f
// takes 1.37–1.63x as long (2.78 ulp; this one 6.49), u10 3.3–4.4x (1 ulp), their no-FMA builds
// (which, like this one, round alike on every CPU) 1.4–1.8x, the AVX2 builds 2.9–9.4x.
[[gnu::always_inline]] inline float tanh_rational(float a)
{
    constexpr std::uint32_t clamp_bits = std::bit_cast<std::uint32_t>(7.90531110763549805f);
    constexpr std::uint32_t small_bits = std::bit_cast<std::uint32_t>(0.0004f);
    constexpr std::uint32_t inf_bits = 0x7f800000u;
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(a);
    // |a| as an integer: for non-negative floats the integer order is the numeric order
    const std::uint32_t mag = bits & 0x7fffffffu;
    const float x = std::bit_cast<float>((bits & 0x80000000u) | std::min(mag, clamp_bits));
    const float x2 = x * x;
    float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
    p = x2 * p + -8.60467152213735e-11f;
    p = x2 * p + 5.12229709037114e-08f;
    p = x2 * p + 1.48572235717979e-05f;
    p = x2 * p + 6.37261928875436e-04f;
    p = x2 * p + 4.89352455891786e-03f;
    p = x * p;
    float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
    q = x2 * q + 2.26843463243900e-03f;
    q = x2 * q + 4.89352518554385e-03f;
    const float r = p / q;
    // keep = all ones where a itself is the answer (tiny or NaN), else zero
    const std::uint32_t keep =
        0u - static_cast<std::uint32_t>((mag < small_bits) | (mag > inf_bits));
    return std::bit_cast<float>((bits & keep) | (std::bit_cast<std::uint32_t>(r) & ~keep));
}

}  // namespace elman
