// softmax and log_softmax along one axis, each one tape node.
//
// Both subtract the maximum along the axis before exponentiating: softmax(x) = softmax(x − c)
// for any constant c, and with c = max_k x_k every exponent is <= 0, so e^(x_k − m) cannot
// overflow and at least one term of the sum is 1, so the sum cannot underflow to 0 either.
// (Keras' numpy backend and PyTorch compute it the same way.)
//
// The tensor is walked as [outer, K, inner] around the axis (core/axis.hpp): one softmax per
// (o, i), over the K elements x[o, 0..K−1, i], which sit `inner` apart in memory.
#include <cmath>

#include "core/axis.hpp"
#include "core/ops.hpp"
#include "core/softmax_line.hpp"

namespace elman {

namespace {

// For each of the outer·inner lines along the axis: f(first element, stride), where the line's
// elements are at first[j·stride], j < K.
template <class F>
void for_each_line(const AxisSplit& s, F f)
{
    for (std::size_t o = 0; o < s.outer; ++o)
        for (std::size_t i = 0; i < s.inner; ++i) f(o * s.k * s.inner + i, s.inner);
}

template <class T>
AxisSplit split_for(const Var<T>& x, int axis, const char* op)
{
    const Shape xs = x.shape(op);
    if (xs.empty()) throw Error(std::string(op) + ": input is a scalar (shape []); it needs an axis");
    const AxisSplit s = split_at_axis(xs, normalize_axis(axis, xs.size(), op, xs));
    if (s.k == 0) throw Error(std::string(op) + ": axis " + std::to_string(axis) + " of shape " + shape_str(xs) + " is empty");
    return s;
}

}  // namespace

// y_k = e^(x_k − m) / Σ_j e^(x_j − m)          m = max_j x_j, along `axis`;  y has x's shape
// dx_k += y_k · (dy_k − Σ_j dy_j·y_j)           (the Jacobian diag(y) − y·yᵀ applied to dy)
template <class T>
Var<T> softmax(const Var<T>& x, int axis)
{
    const AxisSplit s = split_for(x, axis, "softmax");
    const Tensor<T>& xv = x.value("softmax");
    Tensor<T> y = Tensor<T>::from_shape(xv.shape());
    for_each_line(s, [&](std::size_t first, std::size_t stride) {
        T* e = y.data() + first;
        const T sum = max_and_sum_exp(xv.data() + first, s.k, stride, e).second;
        for (std::size_t j = 0; j < s.k; ++j) e[j * stride] /= sum;
    });
    return record<T>("softmax", std::move(y), {x}, [s](BackwardContext<T>& c) {
        if (!c.needs_grad(0)) return;
        T* dx = c.grad_buffer(0).data();
        for_each_line(s, [&](std::size_t first, std::size_t stride) {
            const T* y = c.value().data() + first;
            const T* dy = c.grad().data() + first;
            T dot = T(0);
            for (std::size_t j = 0; j < s.k; ++j) dot += dy[j * stride] * y[j * stride];
            for (std::size_t j = 0; j < s.k; ++j)
                dx[first + j * stride] += y[j * stride] * (dy[j * stride] - dot);
        });
    });
}

// y_k = x_k − m − log Σ_j e^(x_j − m)          (= log softmax(x)_k, without forming softmax)
// dx_k += dy_k − softmax(x)_k · Σ_j dy_j        softmax(x)_k = e^(y_k)
template <class T>
Var<T> log_softmax(const Var<T>& x, int axis)
{
    const AxisSplit s = split_for(x, axis, "log_softmax");
    const Tensor<T>& xv = x.value("log_softmax");
    Tensor<T> y = Tensor<T>::from_shape(xv.shape());
    for_each_line(s, [&](std::size_t first, std::size_t stride) {
        const T* xl = xv.data() + first;
        const auto [m, sum] = max_and_sum_exp(xl, s.k, stride);
        const T shift = m + std::log(sum);
        for (std::size_t j = 0; j < s.k; ++j) y.data()[first + j * stride] = xl[j * stride] - shift;
    });
    return record<T>("log_softmax", std::move(y), {x}, [s](BackwardContext<T>& c) {
        if (!c.needs_grad(0)) return;
        T* dx = c.grad_buffer(0).data();
        for_each_line(s, [&](std::size_t first, std::size_t stride) {
            const T* y = c.value().data() + first;
            const T* dy = c.grad().data() + first;
            T total = T(0);
            for (std::size_t j = 0; j < s.k; ++j) total += dy[j * stride];
            for (std::size_t j = 0; j < s.k; ++j)
                dx[first + j * stride] += dy[j * stride] - std::exp(y[j * stride]) * total;
        });
    });
}

#define ELMAN_INSTANTIATE(T)                             \
    template Var<T> softmax(const Var<T>&, int);         \
    template Var<T> log_softmax(const Var<T>&, int);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
