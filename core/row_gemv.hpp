// One row times a matrix, hand-written: the product batch-1 inference makes at every step.
//
//   c[n] = alpha · aᵀ·B + beta · c,    a: k values, inc_a apart;  B: [k,n] row-major, row stride
//   ldb ≥ n;  c: n contiguous values (not read when beta = 0, as in BLAS)
//
// gemm() (core/blas.hpp) sends its float one-row products with B not transposed here instead
// of to OpenBLAS's sgemv when B holds at most 12288 floats (48 KiB: a SimpleRNN's W_h up to
// U = 110, a GRU's [U,3U] up to U = 64). There it takes 0.35–0.95x sgemv's time on one AVX-512
// core (bench/gemv_bench, docs/performance.md "Batch-1 inference"): at these sizes sgemv's call
// costs as much as the product.
#pragma once

#include <cstddef>

namespace elman {

// The product above, float. Throws nothing; k = 0 gives c = beta·c (0 when beta = 0).
// Summation order (core/row_gemv.cpp): S partial sums over p mod S (S = 2 in blocks of 64
// columns, 4 elsewhere), added left to right, each a fused multiply-add where the CPU has FMA
// (the AVX2 and AVX-512 clones), so the last bits differ from sgemv's and between CPUs with and
// without FMA, as OpenBLAS's own kernels do. Independent of thread count and of B's row stride.
void row_gemv(std::size_t k, std::size_t n, float alpha, const float* a, std::size_t inc_a,
              const float* b, std::size_t ldb, float beta, float* c);

}  // namespace elman
