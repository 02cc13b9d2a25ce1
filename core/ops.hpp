// Differentiable ops on Vars. Each computes its value eagerly and records one tape node whose
// backward function sits right under the forward in the .cpp, with the math and shapes above it.
//
//   ops_elementwise.cpp  add sub mul div neg, scalar forms (numpy broadcasting)
//   ops_math.cpp         tanh sigmoid relu exp log square pow
//   ops_matmul.cpp       matmul (2-D, and 3-D [B,T,F]·[F,U]) and affine through BLAS
//   ops_reduce.cpp       sum mean (whole, or along an axis)
//   ops_softmax.cpp      softmax log_softmax (along an axis, numerically stable)
//   ops_shape.cpp        reshape transpose select stack concat
//
// Errors (shape mismatch, bad axis, a value outside an op's domain) throw elman::Error naming
// the op and the shapes.
#pragma once

#include <cstddef>
#include <vector>

#include "core/tape.hpp"

namespace elman {

// Elementwise with numpy broadcasting; gradients are summed back over broadcast axes.
template <class T> Var<T> add(const Var<T>& a, const Var<T>& b);
template <class T> Var<T> sub(const Var<T>& a, const Var<T>& b);
template <class T> Var<T> mul(const Var<T>& a, const Var<T>& b);
template <class T> Var<T> div(const Var<T>& a, const Var<T>& b);  // throws on a zero divisor
template <class T> Var<T> neg(const Var<T>& a);

// With a scalar: a + s, a·s, s − a, s / a, ...
template <class T> Var<T> add_scalar(const Var<T>& a, T s);
template <class T> Var<T> mul_scalar(const Var<T>& a, T s);
template <class T> Var<T> rsub_scalar(const Var<T>& a, T s);  // s − a
template <class T> Var<T> rdiv_scalar(const Var<T>& a, T s);  // s / a

template <class T> Var<T> operator+(const Var<T>& a, const Var<T>& b) { return add(a, b); }
template <class T> Var<T> operator-(const Var<T>& a, const Var<T>& b) { return sub(a, b); }
template <class T> Var<T> operator*(const Var<T>& a, const Var<T>& b) { return mul(a, b); }
template <class T> Var<T> operator/(const Var<T>& a, const Var<T>& b) { return div(a, b); }
template <class T> Var<T> operator-(const Var<T>& a) { return neg(a); }
template <class T> Var<T> operator+(const Var<T>& a, T s) { return add_scalar(a, s); }
template <class T> Var<T> operator+(T s, const Var<T>& a) { return add_scalar(a, s); }
template <class T> Var<T> operator-(const Var<T>& a, T s) { return add_scalar(a, -s); }
template <class T> Var<T> operator-(T s, const Var<T>& a) { return rsub_scalar(a, s); }
template <class T> Var<T> operator*(const Var<T>& a, T s) { return mul_scalar(a, s); }
template <class T> Var<T> operator*(T s, const Var<T>& a) { return mul_scalar(a, s); }
template <class T> Var<T> operator/(const Var<T>& a, T s)
{
    if (s == T(0))
        throw Error("div: dividing a tensor of shape " + shape_str(a.shape("div")) + " by 0");
    return mul_scalar(a, T(1) / s);
}
template <class T> Var<T> operator/(T s, const Var<T>& a) { return rdiv_scalar(a, s); }

// Elementwise functions.
template <class T> Var<T> tanh(const Var<T>& x);
template <class T> Var<T> sigmoid(const Var<T>& x);
template <class T> Var<T> relu(const Var<T>& x);
template <class T> Var<T> exp(const Var<T>& x);
template <class T> Var<T> log(const Var<T>& x);  // throws on a value <= 0
template <class T> Var<T> square(const Var<T>& x);
template <class T> Var<T> pow(const Var<T>& x, T p);  // throws where the result is not real

// [M,K]·[K,N] -> [M,N];  [B,T,F]·[F,U] -> [B,T,U].
template <class T> Var<T> matmul(const Var<T>& a, const Var<T>& b);
// a·b + c with c:[N] added to every row, one node (Keras Dense before its activation):
// [M,K]·[K,N] + [N] -> [M,N];  [B,T,K]·[K,N] + [N] -> [B,T,N]. Throws elman::Error naming the
// three shapes when they do not fit.
template <class T> Var<T> affine(const Var<T>& a, const Var<T>& b, const Var<T>& c);

// Reductions: over everything (-> shape []) or along one axis (removed; negative counts from
// the end, as numpy).
template <class T> Var<T> sum(const Var<T>& x);
template <class T> Var<T> sum(const Var<T>& x, int axis);
template <class T> Var<T> mean(const Var<T>& x);
template <class T> Var<T> mean(const Var<T>& x, int axis);

// Along one axis (default the last; negative counts from the end), x's shape kept:
//   softmax(x)_k = e^(x_k − m) / Σ_j e^(x_j − m)        m = max_j x_j (nothing overflows)
//   log_softmax(x)_k = x_k − m − log Σ_j e^(x_j − m)    (finite even where softmax underflows)
// Throws on a scalar input, an axis out of range or an empty axis.
template <class T> Var<T> softmax(const Var<T>& x, int axis = -1);
template <class T> Var<T> log_softmax(const Var<T>& x, int axis = -1);

// Shapes.
template <class T> Var<T> reshape(const Var<T>& x, const Shape& shape);
// Reverse the axes (a matrix transpose for 2-D), or permute them as given.
template <class T> Var<T> transpose(const Var<T>& x);
template <class T> Var<T> transpose(const Var<T>& x, const std::vector<std::size_t>& perm);
// x[..., index, ...] along `axis`, which is removed: select(x [B,T,F], 1, t) -> x_t [B,F].
template <class T> Var<T> select(const Var<T>& x, int axis, std::size_t index);
// Join along a new axis (stack) or an existing one (concat).
template <class T> Var<T> stack(const std::vector<Var<T>>& xs, int axis);
template <class T> Var<T> concat(const std::vector<Var<T>>& xs, int axis);

}  // namespace elman
