// Elementwise functions. Each backward uses the forward's output where that is cheaper
// (tanh' = 1 − y², σ' = y(1 − y), exp' = y).
#include <cmath>
#include <string>

#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

#include "core/ops.hpp"

namespace elman {

namespace {

// The first element of v for which bad(v) holds, as a message; "" if none.
template <class T, class Bad>
void check_domain(const Tensor<T>& v, Bad bad, const char* op, const char* what)
{
    for (std::size_t i = 0; i < v.size(); ++i)
        if (bad(v.data()[i]))
            throw Error(std::string(op) + ": input of shape " + shape_str(v.shape()) + " has " +
                        what + " (" + std::to_string(v.data()[i]) + ") at flat index " +
                        std::to_string(i));
}

}  // namespace

// y = tanh(x)
// dx += dy ⊙ (1 − y²)
template <class T>
Var<T> tanh(const Var<T>& x)
{
    Tensor<T> y = xt::tanh(x.value("tanh"));
    return record<T>("tanh", std::move(y), {x}, [](BackwardContext<T>& c) {
        c.add_grad(0, c.grad() * (T(1) - c.value() * c.value()));
    });
}

// y = σ(x) = 1 / (1 + e^−x)
// dx += dy ⊙ y ⊙ (1 − y)
template <class T>
Var<T> sigmoid(const Var<T>& x)
{
    Tensor<T> y = T(1) / (T(1) + xt::exp(-x.value("sigmoid")));
    return record<T>("sigmoid", std::move(y), {x}, [](BackwardContext<T>& c) {
        c.add_grad(0, c.grad() * c.value() * (T(1) - c.value()));
    });
}

// y = max(x, 0)
// dx += dy ⊙ [x > 0]        (the subgradient 0 at x = 0, as PyTorch and Keras)
template <class T>
Var<T> relu(const Var<T>& x)
{
    Tensor<T> y = xt::maximum(x.value("relu"), T(0));
    return record<T>("relu", std::move(y), {x}, [](BackwardContext<T>& c) {
        c.add_grad(0, xt::where(c.input(0) > T(0), c.grad(), T(0)));
    });
}

// y = eˣ
// dx += dy ⊙ y
template <class T>
Var<T> exp(const Var<T>& x)
{
    Tensor<T> y = xt::exp(x.value("exp"));
    return record<T>("exp", std::move(y), {x},
                     [](BackwardContext<T>& c) { c.add_grad(0, c.grad() * c.value()); });
}

// y = ln x              (x > 0, else an error rather than a NaN or −inf)
// dx += dy / x
template <class T>
Var<T> log(const Var<T>& x)
{
    check_domain(x.value("log"), [](T v) { return !(v > T(0)); }, "log", "a value <= 0");
    Tensor<T> y = xt::log(x.value("log"));
    return record<T>("log", std::move(y), {x},
                     [](BackwardContext<T>& c) { c.add_grad(0, c.grad() / c.input(0)); });
}

// y = x²
// dx += 2·dy ⊙ x
template <class T>
Var<T> square(const Var<T>& x)
{
    Tensor<T> y = x.value("square") * x.value("square");
    return record<T>("square", std::move(y), {x}, [](BackwardContext<T>& c) {
        c.add_grad(0, T(2) * c.grad() * c.input(0));
    });
}

// y = xᵖ                (x < 0 needs an integer p; x = 0 needs p >= 1 for a finite gradient)
// dx += dy ⊙ p·xᵖ⁻¹
template <class T>
Var<T> pow(const Var<T>& x, T p)
{
    const bool integral = std::floor(p) == p;
    if (!integral) check_domain(x.value("pow"), [](T v) { return v < T(0); }, "pow", "a negative value under a fractional power");
    if (p < T(1)) check_domain(x.value("pow"), [](T v) { return v == T(0); }, "pow", "a zero under a power < 1");
    Tensor<T> y = xt::pow(x.value("pow"), p);
    return record<T>("pow", std::move(y), {x}, [p](BackwardContext<T>& c) {
        c.add_grad(0, c.grad() * p * xt::pow(c.input(0), p - T(1)));
    });
}

#define ELMAN_INSTANTIATE(T)                 \
    template Var<T> tanh(const Var<T>&);     \
    template Var<T> sigmoid(const Var<T>&);  \
    template Var<T> relu(const Var<T>&);     \
    template Var<T> exp(const Var<T>&);      \
    template Var<T> log(const Var<T>&);      \
    template Var<T> square(const Var<T>&);   \
    template Var<T> pow(const Var<T>&, T);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
