// matmul and affine (Dense's a·b + c) through BLAS, with transpose flags instead of transposed
// copies.
#include <algorithm>
#include <string>

#include "core/blas.hpp"
#include "core/ops.hpp"

namespace elman {

namespace {

// The gradients of y = a·b, the node's inputs 0 and 1 (a read as [rows,K], b:[K,N]), each one
// GEMM with beta = 1 straight into its grad buffer:
//       da[rows,K] += dy[rows,N]·b[K,N]ᵀ        db[K,N] += a[rows,K]ᵀ·dy[rows,N]
template <class T>
void product_gradients(BackwardContext<T>& c, std::size_t rows, std::size_t n, std::size_t k)
{
    const T* dy = c.grad().data();
    if (c.needs_grad(0))
        gemm<T>(false, true, rows, k, n, T(1), dy, c.input(1).data(), T(1), c.grad_buffer(0).data());
    if (c.needs_grad(1))
        gemm<T>(true, false, k, n, rows, T(1), c.input(0).data(), dy, T(1), c.grad_buffer(1).data());
}

}  // namespace

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
        product_gradients(c, rows, n, k);
    });
}

// Keras Dense's product and bias in one node (one value, one backward), a:[M,K] or [B,T,K]
// read as [rows,K], b:[K,N], c:[N]:
//       y = a·b + 1·cᵀ          every row of y starts as c, then one GEMM with beta = 1
//       da += dy·bᵀ   db += aᵀ·dy   dc += dyᵀ·1 = Σ_rows dy     (one GEMM or GEMV each)
// The same numbers as add(matmul(a, b), c), with one tape node and one [rows,N] tensor fewer.
template <class T>
Var<T> affine(const Var<T>& a, const Var<T>& b, const Var<T>& c)
{
    const auto& av = a.value("affine");
    const auto& bv = b.value("affine");
    const auto& cv = c.value("affine");
    if ((av.dimension() != 2 && av.dimension() != 3) || bv.dimension() != 2 ||
        cv.dimension() != 1 || av.shape().back() != bv.shape()[0] || cv.shape()[0] != bv.shape()[1])
        throw Error("affine: expects [M,K]·[K,N] + [N] or [B,T,K]·[K,N] + [N], got " +
                    shape_str(av.shape()) + " · " + shape_str(bv.shape()) + " + " +
                    shape_str(cv.shape()));
    const std::size_t k = av.shape().back();
    const std::size_t rows = av.dimension() == 2 ? av.shape()[0] : av.shape()[0] * av.shape()[1];
    const std::size_t n = bv.shape()[1];
    Shape ys(av.shape().begin(), av.shape().end());
    ys.back() = n;
    Tensor<T> y = Tensor<T>::from_shape(ys);
    const T* bias = cv.data();
    for (std::size_t r = 0; r < rows; ++r) std::copy_n(bias, n, y.data() + r * n);
    gemm<T>(false, false, rows, n, k, T(1), av.data(), bv.data(), T(1), y.data());
    return record<T>("affine", std::move(y), {a, b, c}, [rows, n, k](BackwardContext<T>& ctx) {
        product_gradients(ctx, rows, n, k);
        if (ctx.needs_grad(2)) {  // dc[N] += Σ_r dy[r,:], rows in order
            const T* dy = ctx.grad().data();
            T* dc = ctx.grad_buffer(2).data();
            for (std::size_t r = 0; r < rows; ++r)
                for (std::size_t j = 0; j < n; ++j) dc[j] += dy[r * n + j];
        }
    });
}

template Var<float> matmul(const Var<float>&, const Var<float>&);
template Var<double> matmul(const Var<double>&, const Var<double>&);
template Var<float> affine(const Var<float>&, const Var<float>&, const Var<float>&);
template Var<double> affine(const Var<double>&, const Var<double>&, const Var<double>&);

}  // namespace elman
