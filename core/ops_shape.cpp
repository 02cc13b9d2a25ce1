// reshape, transpose, select, stack, concat. Every op but transpose views its row-major
// buffers as [outer, K, inner] around the axis it acts on and copies with plain loops:
//   outer = Π shape[:axis]   K = shape[axis]   inner = Π shape[axis+1:]
// and its backward is the same copy run the other way (a scatter-add instead of a gather).
#include <algorithm>
#include <string>

#include <xtensor/xmanipulation.hpp>

#include "core/axis.hpp"
#include "core/ops.hpp"

namespace elman {

namespace {

std::size_t product(Shape::const_iterator first, Shape::const_iterator last)
{
    std::size_t p = 1;
    for (; first != last; ++first) p *= *first;
    return p;
}

std::string shapes_str(const std::vector<Shape>& shapes)
{
    std::string s;
    for (std::size_t j = 0; j < shapes.size(); ++j) s += (j ? ", " : "") + shape_str(shapes[j]);
    return s;
}

}  // namespace

// y = x with a new shape (same row-major elements)     x:[S] -> y:[S'],  Π S = Π S'
// dx += dy read with x's shape
template <class T>
Var<T> reshape(const Var<T>& x, const Shape& shape)
{
    const Shape xs = x.shape("reshape");
    const std::size_t n = product(xs.begin(), xs.end());
    const std::size_t m = product(shape.begin(), shape.end());
    if (n != m)
        throw Error("reshape: cannot reshape " + shape_str(xs) + " (" + std::to_string(n) +
                    " elements) to " + shape_str(shape) + " (" + std::to_string(m) +
                    " elements)");
    Tensor<T> y = Tensor<T>::from_shape(shape);
    std::copy(x.value("reshape").data(), x.value("reshape").data() + n, y.data());
    return record<T>("reshape", std::move(y), {x}, [n](BackwardContext<T>& c) {
        if (!c.needs_grad(0)) return;
        const T* dy = c.grad().data();
        T* dx = c.grad_buffer(0).data();
        for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i];
    });
}

// y = x with its axes reversed: y[i_{r-1}, ..., i_0] = x[i_0, ..., i_{r-1}]
template <class T>
Var<T> transpose(const Var<T>& x)
{
    std::vector<std::size_t> perm(x.dim("transpose"));
    for (std::size_t d = 0; d < perm.size(); ++d) perm[d] = perm.size() - 1 - d;
    return transpose(x, perm);
}

// y.shape[d] = x.shape[perm[d]],  y[i_0, ..., i_{r-1}] = x[j] with j[perm[d]] = i_d
// dx += transpose(dy, perm⁻¹)     perm⁻¹[perm[d]] = d
template <class T>
Var<T> transpose(const Var<T>& x, const std::vector<std::size_t>& perm)
{
    const Shape xs = x.shape("transpose");
    const std::size_t r = xs.size();
    bool valid = perm.size() == r;
    std::vector<std::size_t> inverse(r, r);
    for (std::size_t d = 0; valid && d < r; ++d) {
        valid = perm[d] < r && inverse[perm[d]] == r;
        if (valid) inverse[perm[d]] = d;
    }
    if (!valid)
        throw Error("transpose: permutation " + shape_str(perm) +
                    " is not a permutation of the axes of shape " + shape_str(xs));
    // Rank 0 and 1 have nothing to permute (and xt::transpose of a 0-D array is not needed).
    Tensor<T> y = r < 2 ? x.value("transpose")
                        : Tensor<T>(xt::transpose(x.value("transpose"), perm));
    return record<T>("transpose", std::move(y), {x}, [inverse](BackwardContext<T>& c) {
        if (!c.needs_grad(0)) return;
        if (inverse.size() < 2)
            c.add_grad(0, c.grad());
        else
            c.add_grad(0, xt::transpose(c.grad(), inverse));
    });
}

// y[o, i] = x[o, index, i]         x:[outer, K, inner] -> y:[outer, inner] (axis removed)
// dx[o, index, i] += dy[o, i]      (every other slice of dx receives nothing)
template <class T>
Var<T> select(const Var<T>& x, int axis, std::size_t index)
{
    const Shape xs = x.shape("select");
    const std::size_t ax = normalize_axis(axis, xs.size(), "select", xs);
    const std::size_t k = xs[ax];
    if (index >= k)
        throw Error("select: index " + std::to_string(index) + " is out of range for axis " +
                    std::to_string(axis) + " of shape " + shape_str(xs) + " (size " +
                    std::to_string(k) + ")");
    const std::size_t outer = product(xs.begin(), xs.begin() + static_cast<long>(ax));
    const std::size_t inner = product(xs.begin() + static_cast<long>(ax) + 1, xs.end());
    Shape ys = xs;
    ys.erase(ys.begin() + static_cast<long>(ax));
    Tensor<T> y = Tensor<T>::from_shape(ys);
    const T* src = x.value("select").data();
    for (std::size_t o = 0; o < outer; ++o)
        std::copy(src + (o * k + index) * inner, src + (o * k + index + 1) * inner,
                  y.data() + o * inner);
    return record<T>("select", std::move(y), {x}, [outer, k, inner, index](BackwardContext<T>& c) {
        if (!c.needs_grad(0)) return;
        const T* dy = c.grad().data();
        T* dx = c.grad_buffer(0).data();
        for (std::size_t o = 0; o < outer; ++o)
            for (std::size_t i = 0; i < inner; ++i)
                dx[(o * k + index) * inner + i] += dy[o * inner + i];
    });
}

// y[o, j, i] = x_j[o, i]           x_j:[outer, inner] (all the same shape S), n of them
//                                  -> y:[outer, n, inner] (a new axis of size n at `axis`)
// dx_j[o, i] += dy[o, j, i]
// `axis` ranges over the n + 1 places of the result: [−(r+1), r] for inputs of rank r.
template <class T>
Var<T> stack(const std::vector<Var<T>>& xs, int axis)
{
    if (xs.empty()) throw Error("stack: needs at least one input, got an empty list");
    std::vector<Shape> shapes;
    for (const auto& x : xs) shapes.push_back(x.shape("stack"));
    for (std::size_t j = 1; j < xs.size(); ++j)
        if (shapes[j] != shapes[0])
            throw Error("stack: input " + std::to_string(j) + " has shape " +
                        shape_str(shapes[j]) + " but input 0 has shape " +
                        shape_str(shapes[0]) + " (all shapes: " + shapes_str(shapes) + ")");
    const Shape& s = shapes[0];
    const long places = static_cast<long>(s.size()) + 1;
    if (axis < -places || axis >= places)
        throw Error("stack: axis " + std::to_string(axis) + " is out of range for stacking " +
                    std::to_string(xs.size()) + " inputs of shape " + shape_str(s) +
                    " (valid: " + std::to_string(-places) + ".." + std::to_string(places - 1) +
                    ")");
    const std::size_t ax = static_cast<std::size_t>(axis < 0 ? axis + places : axis);
    const std::size_t n = xs.size();
    const std::size_t outer = product(s.begin(), s.begin() + static_cast<long>(ax));
    const std::size_t inner = product(s.begin() + static_cast<long>(ax), s.end());
    Shape ys = s;
    ys.insert(ys.begin() + static_cast<long>(ax), n);
    Tensor<T> y = Tensor<T>::from_shape(ys);
    for (std::size_t j = 0; j < n; ++j) {
        const T* src = xs[j].value("stack").data();
        for (std::size_t o = 0; o < outer; ++o)
            std::copy(src + o * inner, src + (o + 1) * inner, y.data() + (o * n + j) * inner);
    }
    return record<T>("stack", std::move(y), xs, [n, outer, inner](BackwardContext<T>& c) {
        const T* dy = c.grad().data();
        for (std::size_t j = 0; j < n; ++j) {
            if (!c.needs_grad(j)) continue;
            T* dx = c.grad_buffer(j).data();
            for (std::size_t o = 0; o < outer; ++o)
                for (std::size_t i = 0; i < inner; ++i)
                    dx[o * inner + i] += dy[(o * n + j) * inner + i];
        }
    });
}

// y[o, off_j + k, i] = x_j[o, k, i]    x_j:[outer, K_j, inner] -> y:[outer, Σ K_j, inner]
//                                      off_j = K_0 + ... + K_{j-1}
// dx_j[o, k, i] += dy[o, off_j + k, i]
template <class T>
Var<T> concat(const std::vector<Var<T>>& xs, int axis)
{
    if (xs.empty()) throw Error("concat: needs at least one input, got an empty list");
    std::vector<Shape> shapes;
    for (const auto& x : xs) shapes.push_back(x.shape("concat"));
    const std::size_t ax = normalize_axis(axis, shapes[0].size(), "concat", shapes[0]);
    Shape ys = shapes[0];
    std::vector<std::size_t> offset(xs.size(), 0), width(xs.size(), 0);
    std::size_t total = 0;
    for (std::size_t j = 0; j < xs.size(); ++j) {
        bool same = shapes[j].size() == shapes[0].size();
        for (std::size_t d = 0; same && d < shapes[0].size(); ++d)
            same = d == ax || shapes[j][d] == shapes[0][d];
        if (!same)
            throw Error("concat: input " + std::to_string(j) + " has shape " +
                        shape_str(shapes[j]) + " but input 0 has shape " +
                        shape_str(shapes[0]) + "; they must agree on every axis but axis " +
                        std::to_string(axis) + " (all shapes: " + shapes_str(shapes) + ")");
        offset[j] = total;
        width[j] = shapes[j][ax];
        total += width[j];
    }
    ys[ax] = total;
    const std::size_t outer = product(ys.begin(), ys.begin() + static_cast<long>(ax));
    const std::size_t inner = product(ys.begin() + static_cast<long>(ax) + 1, ys.end());
    Tensor<T> y = Tensor<T>::from_shape(ys);
    for (std::size_t j = 0; j < xs.size(); ++j) {
        const T* src = xs[j].value("concat").data();
        const std::size_t block = width[j] * inner;  // x_j[o, :, :] is contiguous
        for (std::size_t o = 0; o < outer; ++o)
            std::copy(src + o * block, src + (o + 1) * block,
                      y.data() + (o * total + offset[j]) * inner);
    }
    return record<T>("concat", std::move(y), xs,
                     [offset, width, total, outer, inner](BackwardContext<T>& c) {
        const T* dy = c.grad().data();
        for (std::size_t j = 0; j < offset.size(); ++j) {
            if (!c.needs_grad(j)) continue;
            T* dx = c.grad_buffer(j).data();
            const std::size_t block = width[j] * inner;
            for (std::size_t o = 0; o < outer; ++o)
                for (std::size_t e = 0; e < block; ++e)
                    dx[o * block + e] += dy[(o * total + offset[j]) * inner + e];
        }
    });
}

#define ELMAN_INSTANTIATE(T)                                                  \
    template Var<T> reshape(const Var<T>&, const Shape&);                     \
    template Var<T> transpose(const Var<T>&);                                 \
    template Var<T> transpose(const Var<T>&, const std::vector<std::size_t>&); \
    template Var<T> select(const Var<T>&, int, std::size_t);                  \
    template Var<T> stack(const std::vector<Var<T>>&, int);                   \
    template Var<T> concat(const std::vector<Var<T>>&, int);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
