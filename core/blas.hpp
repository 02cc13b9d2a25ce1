// The one GEMM every hot path goes through, on raw row-major buffers:
//   C[m,n] = alpha·op(A)·op(B) + beta·C,   op(X) = X or Xᵀ (a flag, never a transposed copy)
// A is [m,k] (or [k,m] when trans_a), B is [k,n] (or [n,k] when trans_b).
// beta = 1 accumulates into C, which is how gradients are summed without temporaries.
// BLAS does the work, except for float one-row products (m = 1, B not transposed, B small:
// batch-1 inference's recurrent step), which core/row_gemv.hpp's kernel computes where it
// measured faster than sgemv (core/blas.cpp, own_row_gemv).
#pragma once

#include <cstddef>
#include <string>

namespace elman {

// Which BLAS does the work: "OpenBLAS, Haswell kernels" (OpenBLAS picks its kernels for the
// CPU when it loads; OPENBLAS_CORETYPE overrides that), or "a BLAS other than OpenBLAS".
std::string blas_description();

// OpenBLAS's thread count (1 with another BLAS). gemm() switches it to 1 around GEMMs too small
// to share and back; that switching is process-wide, so a program that trains on several
// threads at once must first give BLAS one thread for the whole time (with the scope below, as
// run_forecast does), and then gemm() switches nothing.
int blas_threads();

// Sets the BLAS thread count for its lifetime and restores the previous one (no-op without
// OpenBLAS). threads < 1 throws elman::Error. Not itself thread-safe: create it before starting
// the threads.
class BlasThreadsScope {
public:
    explicit BlasThreadsScope(int threads);
    ~BlasThreadsScope();
    BlasThreadsScope(const BlasThreadsScope&) = delete;
    BlasThreadsScope& operator=(const BlasThreadsScope&) = delete;

private:
    int previous_;
};

template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha,
          const T* a, const T* b, T beta, T* c);

// c[n] = tanh(aᵀ·B + c) for one float row a[k] and B [k,n] (row stride n), where gemm() would
// compute aᵀ·B with core/row_gemv.hpp's kernel: then in one call (row_gemv_tanh) and true.
// Elsewhere false, c untouched: the caller runs gemm() and the activation. The SimpleRNN's
// batch-1 step (layers/simple_rnn_fused.cpp).
bool gemm_row_tanh(std::size_t k, std::size_t n, const float* a, const float* b, float* c);

// The same GEMM on blocks inside larger row-major buffers: lda, ldb, ldc are the row strides
// of A, B and C as stored, at least their row lengths (one gate's columns [·,U] of a [·,3U]
// buffer: ld = 3U). The GRU's kernel multiplies gate blocks this way without copying them.
template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha,
          const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c,
          std::size_t ldc);

}  // namespace elman
