#include "core/blas.hpp"

#include <algorithm>

#include <xtensor-blas/xblas.hpp>

namespace elman {

template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha,
          const T* a, const T* b, T beta, T* c)
{
    if (m == 0 || n == 0) return;
    using cxxblas::Transpose;
    // Leading dimensions of the row-major buffers as stored; BLAS wants them >= 1.
    const auto lda = static_cast<xt::blas_index_t>(std::max<std::size_t>(1, trans_a ? m : k));
    const auto ldb = static_cast<xt::blas_index_t>(std::max<std::size_t>(1, trans_b ? k : n));
    cxxblas::gemm<xt::blas_index_t>(
        cxxblas::StorageOrder::RowMajor, trans_a ? Transpose::Trans : Transpose::NoTrans,
        trans_b ? Transpose::Trans : Transpose::NoTrans, static_cast<xt::blas_index_t>(m),
        static_cast<xt::blas_index_t>(n), static_cast<xt::blas_index_t>(k), alpha, a, lda, b, ldb,
        beta, c, static_cast<xt::blas_index_t>(n));
}

template void gemm<float>(bool, bool, std::size_t, std::size_t, std::size_t, float, const float*,
                          const float*, float, float*);
template void gemm<double>(bool, bool, std::size_t, std::size_t, std::size_t, double,
                           const double*, const double*, double, double*);

}  // namespace elman
