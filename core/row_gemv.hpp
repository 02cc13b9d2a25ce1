// One row times a matrix, hand-written: the product batch-1 inference makes at every step.
//
//   c[n] = alpha · aᵀ·B + beta · c,    a: k values, inc_a apart;  B: [k,n] row-major, row stride
//   ldb ≥ n;  c: n contiguous values (not read when beta = 0, as in BLAS)
//
// gemm() (core/blas.hpp) sends its float one-row products with B not transposed here instead
// of to OpenBLAS's sgemv, at the sizes where this kernel measured faster on the CPU's path
// (core/blas.cpp, own_row_gemv: with AVX-512 every B of up to 256 columns and 64 Ki floats, the
// recurrent products of SimpleRNN, GRU and LSTM up to U = 64 and more). There it takes
// 0.23–0.99x sgemv's time (bench/gemv_bench, docs/performance.md "Batch-1 inference"): at these
// sizes sgemv's call costs as much as the product, and its column-block order reads B slower.
#pragma once

#include <cstddef>

namespace elman {

// The kernel's versions, one per instruction set, each with its CPU's native vector width:
// AVX-512 + FMA (16 floats), AVX2 + FMA (8 floats) and baseline x86-64 SSE2 (4 floats, no FMA).
enum class RowGemvPath { avx512, avx2, sse2 };

// "avx512", "avx2" or "sse2".
const char* row_gemv_path_name(RowGemvPath path);

// The path row_gemv() takes on this CPU (the widest it supports, checked once).
RowGemvPath row_gemv_path();

// Whether this CPU can run `path` (sse2: always).
bool row_gemv_supported(RowGemvPath path);

// The product above, float. Throws nothing; k = 0 gives c = beta·c (0 when beta = 0).
// Summation order (core/row_gemv.cpp): S partial sums over p mod S (S = 2 in blocks of 4
// vectors, 4 in blocks of 2 and 1; on AVX-512 a row of 80–256 columns is one block, S = 2 up
// to 192 columns, else 1), added left to right, each a fused multiply-add on the AVX2 and
// AVX-512 paths. The blocks follow the vector width, so the last bits differ between paths,
// and from sgemv's, as OpenBLAS's own kernels differ between CPUs. Independent of thread count
// and of B's row stride.
void row_gemv(std::size_t k, std::size_t n, float alpha, const float* a, std::size_t inc_a,
              const float* b, std::size_t ldb, float beta, float* c);

// The SimpleRNN's batch-1 step in one call: c[n] = tanh(aᵀ·B + c), a contiguous, B [k,n] with
// row stride n; the product summed as row_gemv's (alpha = beta = 1), then tanh_rational
// (core/tanh_rational.hpp), whose multiply-adds are fused on the AVX-512 and AVX2 paths. Throws
// nothing.
void row_gemv_tanh(std::size_t k, std::size_t n, const float* a, const float* b, float* c);

// The same on a chosen path; throws elman::Error when the CPU cannot run it.
void row_gemv_tanh_on(RowGemvPath path, std::size_t k, std::size_t n, const float* a,
                      const float* b, float* c);

// The same on a chosen path, for tests and bench/gemv_bench. Throws elman::Error when the CPU
// cannot run it (row_gemv_supported).
void row_gemv_on(RowGemvPath path, std::size_t k, std::size_t n, float alpha, const float* a,
                 std::size_t inc_a, const float* b, std::size_t ldb, float beta, float* c);

}  // namespace elman
