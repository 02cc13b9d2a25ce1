// Row blocks on threads: how elman's fused recurrent kernels use a second core.
//
// The rows of a batch are independent through the whole recurrence (h_t[b] depends on h_{t−1}[b]
// only), so a kernel can give each thread a contiguous block of rows for all T steps and meet
// the others once at the end, instead of sharing every small per-step GEMM (OpenBLAS splits a
// GEMM along m and n and synchronises on each call, which lost at these sizes: ANCHORS.md).
// Threads come from OpenMP; the count from BLAS's setting, so OPENBLAS_NUM_THREADS (or
// BlasThreadsScope) governs elman's kernels and BLAS's alike.
#pragma once

#include <cstddef>
#include <functional>
#include <utility>

namespace elman {

// The number of threads elman's own kernels may use: blas_threads() (core/blas.hpp), at least 1.
int kernel_threads();

// Rows [begin, end) of part `part` when n rows are cut into `parts` contiguous blocks whose
// sizes differ by at most one (the first n mod parts blocks take the extra row).
// Throws elman::Error unless 0 <= part < parts.
std::pair<std::size_t, std::size_t> part_rows(std::size_t n, int part, int parts);

// Runs f(0) .. f(parts − 1), each part on its own thread where OpenMP gives that many (the
// calling thread runs part 0; with fewer threads a thread runs several parts in turn), and
// returns when all are done. Meanwhile BLAS has one thread, so each part's GEMMs run on the
// part's own thread. The first exception a part throws is rethrown here after all parts end.
// parts = 1 calls f(0) directly. Not for nesting: a part must not call run_parts.
void run_parts(int parts, const std::function<void(int)>& f);

}  // namespace elman
