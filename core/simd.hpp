// ELMAN_CLONES: compile a hot loop three times, for AVX-512, AVX2 and baseline x86-64, and let
// the dynamic loader pick the one the CPU supports (target_clones, resolved through an ifunc).
//
// Why: elman is built for the baseline ISA (no -march=native, so one binary runs anywhere),
// which makes the loops BLAS does not cover (tanh, relu, tanh's derivative, Adam's update) run four
// floats wide even on a CPU that does sixteen. FMA is deliberately not among the targets: every
// clone then performs exactly the baseline's roundings, so results do not depend on the CPU.
#pragma once

#if defined(__x86_64__) && defined(__ELF__) && defined(__linux__) && \
    (defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 6))
#define ELMAN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define ELMAN_CLONES
#endif

// ELMAN_CLONES on a function template: GCC clones templates, clang (up to 14 at least) refuses
// "target_clones multiversioned functions do not yet support function templates", so a clang
// build (the sanitizer and fuzz builds) compiles them once, for the baseline ISA.
#if defined(__clang__)
#define ELMAN_CLONES_TEMPLATE
#else
#define ELMAN_CLONES_TEMPLATE ELMAN_CLONES
#endif

#include <cstddef>

namespace elman {

// f(j) for j < n in blocks of 16 with a fixed trip count, then the rest one by one: GCC turns
// such blocks into SIMD code even at -O2 (its "very cheap" vectoriser needs a known trip count;
// a plain loop over n stays scalar, as the LSTM cell's did: 13% of a W1 step), as
// layers/activation.cpp's loops. The GRU's and LSTM's row kernels are written with it and
// compiled per instruction set (ELMAN_CLONES_TEMPLATE). The kernel's pointers must be
// __restrict parameters of the calling function, so that no alias check is needed.
template <class F>
[[gnu::always_inline]] inline void blocked(std::size_t n, F f)
{
    std::size_t j = 0;
    for (; j + 16 <= n; j += 16)
        for (std::size_t k = 0; k < 16; ++k) f(j + k);
    for (; j < n; ++j) f(j);
}

}  // namespace elman
