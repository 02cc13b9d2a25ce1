// One row times a matrix, hand-written: the product batch-1 inference makes at every step.
//
//   c[n] = alpha · aᵀ·B + beta · c,    a: k values, inc_a apart;  B: [k,n] row-major, row stride
//   ldb ≥ n;  c: n contiguous values (not read when beta = 0, as in BLAS)
//
// gemm() (core/blas.hpp) sends its float one-row products with B not transposed here instead
// of to OpenBLAS's sgemv: at the sizes of a small RNN's recurrent step (k = U, n = U..4U,
// U ≤ 96) this kernel takes 0.39–0.79x sgemv's time on one AVX-512 core (bench/gemv_bench,
// docs/performance.md "Batch-1 inference"), because sgemv's call costs more than the product.
#pragma once

#include <cstddef>

namespace elman {

// The product above, float. Throws nothing; k = 0 gives c = beta·c (0 when beta = 0).
// Summation order: four partial sums over p mod 4, then (s0 + s1) + (s2 + s3), each a fused
// multiply-add where the CPU has FMA (the AVX2 and AVX-512 clones), so the last bits differ
// from sgemv's and between CPUs with and without FMA, as OpenBLAS's own kernels do.
void row_gemv(std::size_t k, std::size_t n, float alpha, const float* a, std::size_t inc_a,
              const float* b, std::size_t ldb, float beta, float* c);

}  // namespace elman
