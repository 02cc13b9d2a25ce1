// matmul through BLAS, with transpose flags instead of transposed copies.
#include <string>

#include "core/blas.hpp"
#include "core/ops.hpp"

namespace elman {

// 2-D:  y = a·b            a:[M,K] b:[K,N] -> y:[M,N]
//       da += dy·bᵀ        db += aᵀ·dy
// 3-D:  a:[B,T,F] is read as the matrix [B·T,F] (same row-major buffer), so
//       y:[B,T,U] = a·b with b:[F,U], and db += aᵀ·dy sums over every batch row and time step.
// Both gradients are one GEMM each with beta = 1, accumulating straight into the grad buffers.
template <class T>
Var<T> matmul(const Var<T>& a, const Var<T>& b)
{
    const auto& av = a.value("matmul");
    const auto& bv = b.value("matmul");
    if ((av.dimension() != 2 && av.dimension() != 3) || bv.dimension() != 2)
        throw Error("matmul: expects [M,K]·[K,N] or [B,T,F]·[F,U], got " +
                    shape_str(av.shape()) + " · " + shape_str(bv.shape()));
    const std::size_t k = av.shape().back();
    if (k != bv.shape()[0])
        throw Error("matmul: inner dimensions differ: " + shape_str(av.shape()) + " · " +
                    shape_str(bv.shape()) + " (" + std::to_string(k) +
                    " != " + std::to_string(bv.shape()[0]) + ")");
    const std::size_t rows = av.dimension() == 2 ? av.shape()[0] : av.shape()[0] * av.shape()[1];
    const std::size_t n = bv.shape()[1];
    Shape ys(av.shape().begin(), av.shape().end());
    ys.back() = n;
    Tensor<T> y = Tensor<T>::from_shape(ys);
    gemm<T>(false, false, rows, n, k, T(1), av.data(), bv.data(), T(0), y.data());
    return record<T>("matmul", std::move(y), {a, b}, [rows, n, k](BackwardContext<T>& c) {
        const T* dy = c.grad().data();
        if (c.needs_grad(0))  // da[rows,K] += dy[rows,N] · b[K,N]ᵀ
            gemm<T>(false, true, rows, k, n, T(1), dy, c.input(1).data(), T(1),
                    c.grad_buffer(0).data());
        if (c.needs_grad(1))  // db[K,N] += a[rows,K]ᵀ · dy[rows,N]
            gemm<T>(true, false, k, n, rows, T(1), c.input(0).data(), dy, T(1),
                    c.grad_buffer(1).data());
    });
}

template Var<float> matmul(const Var<float>&, const Var<float>&);
template Var<double> matmul(const Var<double>&, const Var<double>&);

}  // namespace elman
