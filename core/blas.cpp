#include "core/blas.hpp"

#include <algorithm>
#include <string>
#include <type_traits>

#include <xtensor-blas/xblas.hpp>

#include "core/error.hpp"
#include "core/row_gemv.hpp"

// OpenBLAS's thread control, when the BLAS is OpenBLAS (weak: absent with another BLAS).
extern "C" {
int openblas_get_num_threads(void) __attribute__((weak));
void openblas_set_num_threads(int) __attribute__((weak));
char* openblas_get_corename(void) __attribute__((weak));
}

namespace elman {

namespace {

// OpenBLAS splits a GEMM over threads along m and n only, and synchronises them on every call:
// for the shapes of a small RNN (per-step [B,U]·[U,U], and the [U,T·B]·[T·B,U] weight
// gradients whose long axis is k) a second thread costs more than it saves (ANCHORS.md: W2 ran
// 2x slower with 2 threads). So below this size a GEMM runs on one thread whatever the
// process-wide setting, and 2 threads are never slower than 1.
bool worth_threads(std::size_t m, std::size_t n, std::size_t k)
{
    return m >= 256 && n >= 256 && k >= 256;
}

// Runs `f` with OpenBLAS limited to one thread when the GEMM is too small to share.
template <class F>
void with_threads_for(std::size_t m, std::size_t n, std::size_t k, F f)
{
    const int threads = blas_threads();
    if (threads <= 1 || worth_threads(m, n, k)) {
        f();
        return;
    }
    openblas_set_num_threads(1);
    f();
    openblas_set_num_threads(threads);
}

// One-row products that elman's own kernel takes (core/row_gemv.hpp): float, B not
// transposed, and of a size where the kernel's path on this CPU took less time than sgemv with
// the OpenBLAS kernels of that CPU class (bench/gemv_bench through bench/run.sh, one core,
// docs/performance.md "Batch-1 inference", 2026-12-02):
//   AVX-512 (against Cooperlake's): 0.53–0.94x for n ≤ 256, up to k·n = 65536; wider rows
//            took 1.19–1.43x, so n ≤ 256.
//   AVX2 (against Haswell's):       0.43–0.83x for k·n ≤ 12288 (48 KiB); above, 1.05–1.83x.
//   SSE2 (against Prescott's):      0.24–0.45x on every shape measured, up to k·n = 65536.
bool own_row_gemv(bool trans_b, std::size_t k, std::size_t n)
{
    if (trans_b || k == 0) return false;
    switch (row_gemv_path()) {
    case RowGemvPath::avx512: return n <= 256 && k * n <= 65536;
    case RowGemvPath::avx2: return k * n <= 12288;
    case RowGemvPath::sse2: return k * n <= 65536;
    }
    return false;
}

}  // namespace

bool gemm_row_tanh(std::size_t k, std::size_t n, const float* a, const float* b, float* c)
{
    if (n == 0 || !own_row_gemv(false, k, n)) return false;
    row_gemv_tanh(k, n, a, b, c);
    return true;
}

int blas_threads() { return openblas_get_num_threads ? openblas_get_num_threads() : 1; }

BlasThreadsScope::BlasThreadsScope(int threads) : previous_(blas_threads())
{
    if (threads < 1)
        throw Error("BlasThreadsScope: threads must be at least 1, got " + std::to_string(threads));
    if (openblas_set_num_threads && threads != previous_) openblas_set_num_threads(threads);
}

BlasThreadsScope::~BlasThreadsScope()
{
    if (openblas_set_num_threads && blas_threads() != previous_)
        openblas_set_num_threads(previous_);
}

std::string blas_description()
{
    if (!openblas_get_corename) return "a BLAS other than OpenBLAS";
    const char* core = openblas_get_corename();
    return std::string("OpenBLAS, ") + (core ? core : "unknown") + " kernels";
}

template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha,
          const T* a, const T* b, T beta, T* c)
{
    if (m == 0 || n == 0) return;
    using cxxblas::StorageOrder;
    using cxxblas::Transpose;
    using index = xt::blas_index_t;
    if constexpr (std::is_same_v<T, float>)
        if (m == 1 && own_row_gemv(trans_b, k, n))
            return row_gemv(k, n, alpha, a, 1, b, n, beta, c);
    with_threads_for(m, n, k, [&] {
        if (m == 1 && k > 0) {
            // One row: c[n] = alpha·op(B)ᵀ·a[k] + beta·c, a matrix-vector product (GEMV), which
            // skips the packing a GEMM does and matters for batch-1 inference. a is contiguous
            // whether or not it is transposed (its other extent is 1).
            if (trans_b)  // B is [n,k]: c = B·a
                cxxblas::gemv<index>(StorageOrder::RowMajor, Transpose::NoTrans,
                                     static_cast<index>(n), static_cast<index>(k), alpha, b,
                                     static_cast<index>(k), a, 1, beta, c, 1);
            else  // B is [k,n]: c = Bᵀ·a
                cxxblas::gemv<index>(StorageOrder::RowMajor, Transpose::Trans,
                                     static_cast<index>(k), static_cast<index>(n), alpha, b,
                                     static_cast<index>(n), a, 1, beta, c, 1);
            return;
        }
        if (n == 1 && k > 0) {
            // One column: c[m] = alpha·op(A)·b[k] + beta·c, likewise (Dense(1) on [B,H]).
            if (trans_a)  // A is [k,m]: c = Aᵀ·b
                cxxblas::gemv<index>(StorageOrder::RowMajor, Transpose::Trans,
                                     static_cast<index>(k), static_cast<index>(m), alpha, a,
                                     static_cast<index>(m), b, 1, beta, c, 1);
            else  // A is [m,k]: c = A·b
                cxxblas::gemv<index>(StorageOrder::RowMajor, Transpose::NoTrans,
                                     static_cast<index>(m), static_cast<index>(k), alpha, a,
                                     static_cast<index>(k), b, 1, beta, c, 1);
            return;
        }
        // Leading dimensions of the row-major buffers as stored; BLAS wants them >= 1.
        const auto lda = static_cast<index>(std::max<std::size_t>(1, trans_a ? m : k));
        const auto ldb = static_cast<index>(std::max<std::size_t>(1, trans_b ? k : n));
        cxxblas::gemm<index>(StorageOrder::RowMajor,
                             trans_a ? Transpose::Trans : Transpose::NoTrans,
                             trans_b ? Transpose::Trans : Transpose::NoTrans,
                             static_cast<index>(m), static_cast<index>(n),
                             static_cast<index>(k), alpha, a, lda, b, ldb, beta, c,
                             static_cast<index>(n));
    });
}

template void gemm<float>(bool, bool, std::size_t, std::size_t, std::size_t, float, const float*,
                          const float*, float, float*);
template void gemm<double>(bool, bool, std::size_t, std::size_t, std::size_t, double,
                           const double*, const double*, double, double*);

template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha,
          const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c,
          std::size_t ldc)
{
    if (m == 0 || n == 0) return;
    if (lda < (trans_a ? m : k) || ldb < (trans_b ? k : n) || ldc < n)
        throw Error("gemm: a leading dimension is shorter than its row (lda " +
                    std::to_string(lda) + ", ldb " + std::to_string(ldb) + ", ldc " +
                    std::to_string(ldc) + " for m " + std::to_string(m) + ", n " +
                    std::to_string(n) + ", k " + std::to_string(k) + ")");
    using cxxblas::StorageOrder;
    using cxxblas::Transpose;
    using index = xt::blas_index_t;
    if constexpr (std::is_same_v<T, float>)
        if (m == 1 && own_row_gemv(trans_b, k, n))
            return row_gemv(k, n, alpha, a, trans_a ? lda : 1, b, ldb, beta, c);
    with_threads_for(m, n, k, [&] {
        if (m == 1 && k > 0) {
            // One row of C: c = op(B)ᵀ·a (GEMV, as in the contiguous gemm); a's k values are
            // lda apart when A is transposed ([k,1] stored with row stride lda).
            const index inc_a = trans_a ? static_cast<index>(lda) : 1;
            cxxblas::gemv<index>(StorageOrder::RowMajor,
                                 trans_b ? Transpose::NoTrans : Transpose::Trans,
                                 static_cast<index>(trans_b ? n : k),
                                 static_cast<index>(trans_b ? k : n), alpha, b,
                                 static_cast<index>(ldb), a, inc_a, beta, c, 1);
            return;
        }
        cxxblas::gemm<index>(StorageOrder::RowMajor,
                             trans_a ? Transpose::Trans : Transpose::NoTrans,
                             trans_b ? Transpose::Trans : Transpose::NoTrans,
                             static_cast<index>(m), static_cast<index>(n),
                             static_cast<index>(k), alpha, a,
                             static_cast<index>(std::max<std::size_t>(1, lda)), b,
                             static_cast<index>(std::max<std::size_t>(1, ldb)), beta, c,
                             static_cast<index>(std::max<std::size_t>(1, ldc)));
    });
}

template void gemm<float>(bool, bool, std::size_t, std::size_t, std::size_t, float, const float*,
                          std::size_t, const float*, std::size_t, float, float*, std::size_t);
template void gemm<double>(bool, bool, std::size_t, std::size_t, std::size_t, double,
                           const double*, std::size_t, const double*, std::size_t, double,
                           double*, std::size_t);

}  // namespace elman
