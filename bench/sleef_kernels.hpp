// SLEEF's vectorised tanhf and expf (Debian libsleef-dev) as in-place loops over float arrays,
// one per function and instruction set, for bench/tanh_bench.cpp: AVX-512 (16 floats, the tail
// by a masked load and store), AVX2 + FMA (8, the tail through a small buffer) and SSE2 (4, the
// baseline, only for the check that builds agree). Each sigmoid is 1/(1 + e^(−x)) or
// 0.5 + 0.5·tanh(x/2). The AVX-512 and AVX2 loops carry gnu::target: call them only where
// __builtin_cpu_supports says the CPU has the instruction set.
#pragma once

#include <immintrin.h>

#include <sleef.h>

// sleef.h declares its AVX2 and AVX-512 functions only when the translation unit itself is
// compiled for them (#ifdef __AVX2__ / __AVX512F__), and this one is built for the baseline ISA,
// as elman is; so the ones used here are declared again, for the functions below that carry
// gnu::target and are called only where __builtin_cpu_supports says the CPU has the ISA.
#pragma GCC push_options
#pragma GCC target("avx2,fma,avx512f")
extern "C" {
__m512 Sleef_tanhf16_u10avx512f(__m512);
__m512 Sleef_tanhf16_u35avx512f(__m512);
__m512 Sleef_expf16_u10avx512f(__m512);
__m256 Sleef_tanhf8_u10avx2(__m256);
__m256 Sleef_tanhf8_u35avx2(__m256);
__m256 Sleef_expf8_u10avx2(__m256);
// without FMA ("cinz"), as elman's clones are built
__m512 Sleef_tanhf16_u10avx512fnofma(__m512);
__m512 Sleef_tanhf16_u35avx512fnofma(__m512);
__m512 Sleef_expf16_u10avx512fnofma(__m512);
}
#pragma GCC pop_options

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace bench::sleef {

// ---- SLEEF, AVX-512 (16 floats; tail by a masked load/store) ----
#define SLEEF512(NAME, EXPR)                                                   \
    [[gnu::target("avx512f")]] inline void NAME(float* y, std::size_t n)              \
    {                                                                          \
        std::size_t i = 0;                                                     \
        for (; i + 16 <= n; i += 16) {                                         \
            const __m512 x = _mm512_loadu_ps(y + i);                           \
            _mm512_storeu_ps(y + i, EXPR);                                     \
        }                                                                      \
        if (i < n) {                                                           \
            const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1u); \
            const __m512 x = _mm512_maskz_loadu_ps(m, y + i);                  \
            _mm512_mask_storeu_ps(y + i, m, EXPR);                             \
        }                                                                      \
    }

// ---- SLEEF, AVX2 + FMA (8 floats; tail through a small buffer) ----
#define SLEEF256(NAME, EXPR)                                        \
    [[gnu::target("avx2,fma")]] inline void NAME(float* y, std::size_t n)  \
    {                                                               \
        std::size_t i = 0;                                          \
        for (; i + 8 <= n; i += 8) {                                \
            const __m256 x = _mm256_loadu_ps(y + i);                \
            _mm256_storeu_ps(y + i, EXPR);                          \
        }                                                           \
        if (i < n) {                                                \
            alignas(32) float t[8] = {};                            \
            std::memcpy(t, y + i, (n - i) * sizeof(float));         \
            const __m256 x = _mm256_load_ps(t);                     \
            _mm256_store_ps(t, EXPR);                               \
            std::memcpy(y + i, t, (n - i) * sizeof(float));         \
        }                                                           \
    }

SLEEF512(sleef_tanh_u10_avx512, Sleef_tanhf16_u10avx512f(x))
SLEEF512(sleef_tanh_u35_avx512, Sleef_tanhf16_u35avx512f(x))
SLEEF512(sleef_tanh_u10_avx512_nofma, Sleef_tanhf16_u10avx512fnofma(x))
SLEEF512(sleef_tanh_u35_avx512_nofma, Sleef_tanhf16_u35avx512fnofma(x))
SLEEF256(sleef_tanh_u10_avx2, Sleef_tanhf8_u10avx2(x))
SLEEF256(sleef_tanh_u35_avx2, Sleef_tanhf8_u35avx2(x))

SLEEF512(sleef_sigmoid_exp_u10_avx512,
         _mm512_div_ps(_mm512_set1_ps(1.0f),
                       _mm512_add_ps(_mm512_set1_ps(1.0f),
                                     Sleef_expf16_u10avx512f(_mm512_sub_ps(_mm512_setzero_ps(), x)))))
SLEEF512(sleef_sigmoid_exp_u10_avx512_nofma,
         _mm512_div_ps(_mm512_set1_ps(1.0f),
                       _mm512_add_ps(_mm512_set1_ps(1.0f),
                                     Sleef_expf16_u10avx512fnofma(
                                         _mm512_sub_ps(_mm512_setzero_ps(), x)))))
SLEEF512(sleef_sigmoid_tanh_u35_avx512,
         _mm512_fmadd_ps(_mm512_set1_ps(0.5f),
                         Sleef_tanhf16_u35avx512f(_mm512_mul_ps(_mm512_set1_ps(0.5f), x)),
                         _mm512_set1_ps(0.5f)))
SLEEF256(sleef_sigmoid_exp_u10_avx2,
         _mm256_div_ps(_mm256_set1_ps(1.0f),
                       _mm256_add_ps(_mm256_set1_ps(1.0f),
                                     Sleef_expf8_u10avx2(_mm256_sub_ps(_mm256_setzero_ps(), x)))))
SLEEF256(sleef_sigmoid_tanh_u35_avx2,
         _mm256_fmadd_ps(_mm256_set1_ps(0.5f),
                         Sleef_tanhf8_u35avx2(_mm256_mul_ps(_mm256_set1_ps(0.5f), x)),
                         _mm256_set1_ps(0.5f)))

// ---- SLEEF, SSE2 (the baseline ISA elman is built for): only for the cross-ISA check ----
#define SLEEF128(NAME, EXPR)                                \
    inline void NAME(float* y, std::size_t n)                    \
    {                                                       \
        for (std::size_t i = 0; i < n; i += 4) {            \
            alignas(16) float t[4] = {};                    \
            const std::size_t m = std::min<std::size_t>(4, n - i); \
            std::memcpy(t, y + i, m * sizeof(float));       \
            const __m128 x = _mm_load_ps(t);                \
            _mm_store_ps(t, EXPR);                          \
            std::memcpy(y + i, t, m * sizeof(float));       \
        }                                                   \
    }

SLEEF128(sleef_tanh_u10_sse2, Sleef_tanhf4_u10sse2(x))
SLEEF128(sleef_tanh_u35_sse2, Sleef_tanhf4_u35sse2(x))
SLEEF128(sleef_sigmoid_exp_u10_sse2,
         _mm_div_ps(_mm_set1_ps(1.0f),
                    _mm_add_ps(_mm_set1_ps(1.0f),
                               Sleef_expf4_u10sse2(_mm_sub_ps(_mm_setzero_ps(), x)))))

}  // namespace bench::sleef
