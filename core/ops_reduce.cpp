// sum and mean, over everything or along one axis.
#include <string>

#include <xtensor/xbuilder.hpp>

#include "core/axis.hpp"
#include "core/ops.hpp"

namespace elman {


// y = Σ_i x_i                x:[...] -> y:[]
// dx_i += dy                 (dy broadcast to every element)
template <class T>
Var<T> sum(const Var<T>& x)
{
    T total = T(0);
    for (T v : x.value("sum")) total += v;
    Tensor<T> y = scalar_tensor(total);
    return record<T>("sum", std::move(y), {x}, [](BackwardContext<T>& c) {
        if (!c.needs_grad(0)) return;
        const T dy = c.grad().data()[0];
        for (auto& g : c.grad_buffer(0)) g += dy;
    });
}

// y = Σ_k x[..., k, ...]     x:[..., K, ...] -> y:[..., ...] (axis removed)
// dx[..., k, ...] += dy[..., ...]   for every k
template <class T>
Var<T> sum(const Var<T>& x, int axis)
{
    const std::size_t ax = normalize_axis(axis, x.dim("sum"), "sum", x.shape("sum"));
    // View x as [outer, K, inner] (row-major): y[o, i] = Σ_k x[o, k, i].
    const Shape xs = x.shape("sum");
    const AxisSplit split = split_at_axis(xs, ax);
    const std::size_t outer = split.outer, k = split.k, inner = split.inner;
    Shape ys = xs;
    ys.erase(ys.begin() + static_cast<long>(ax));
    Tensor<T> y = xt::zeros<T>(ys);
    const T* src = x.value("sum").data();
    for (std::size_t o = 0; o < outer; ++o)
        for (std::size_t j = 0; j < k; ++j)
            for (std::size_t i = 0; i < inner; ++i) y.data()[o * inner + i] += src[(o * k + j) * inner + i];
    return record<T>("sum", std::move(y), {x}, [outer, k, inner](BackwardContext<T>& c) {
        if (!c.needs_grad(0)) return;
        // dx[o, j, i] += dy[o, i]
        const T* dy = c.grad().data();
        T* dx = c.grad_buffer(0).data();
        for (std::size_t o = 0; o < outer; ++o)
            for (std::size_t j = 0; j < k; ++j)
                for (std::size_t i = 0; i < inner; ++i) dx[(o * k + j) * inner + i] += dy[o * inner + i];
    });
}

// y = (1/N) Σ_i x_i          x:[...] -> y:[],  N = number of elements
// dx_i += dy / N
template <class T>
Var<T> mean(const Var<T>& x)
{
    if (x.size("mean") == 0) throw Error("mean: input of shape " + shape_str(x.shape("mean")) + " is empty");
    return mul_scalar(sum(x), T(1) / static_cast<T>(x.size("mean")));
}

// y = (1/K) Σ_k x[..., k, ...]
// dx[..., k, ...] += dy / K
template <class T>
Var<T> mean(const Var<T>& x, int axis)
{
    const std::size_t ax = normalize_axis(axis, x.dim("mean"), "mean", x.shape("mean"));
    const std::size_t k = x.shape("mean")[ax];
    if (k == 0) throw Error("mean: axis " + std::to_string(axis) + " of shape " + shape_str(x.shape("mean")) + " is empty");
    return mul_scalar(sum(x, axis), T(1) / static_cast<T>(k));
}

#define ELMAN_INSTANTIATE(T)                     \
    template Var<T> sum(const Var<T>&);          \
    template Var<T> sum(const Var<T>&, int);     \
    template Var<T> mean(const Var<T>&);         \
    template Var<T> mean(const Var<T>&, int);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
