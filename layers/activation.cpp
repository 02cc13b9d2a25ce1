#include "layers/activation.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/ops.hpp"

namespace elman {

Activation parse_activation(const std::string& name)
{
    if (name == "tanh") return Activation::tanh;
    if (name == "relu") return Activation::relu;
    if (name == "sigmoid") return Activation::sigmoid;
    if (name == "linear") return Activation::linear;
    throw Error("activation: unknown name \"" + name +
                "\" (expected tanh, relu, sigmoid or linear)");
}

std::string to_string(Activation a)
{
    switch (a) {
    case Activation::tanh: return "tanh";
    case Activation::relu: return "relu";
    case Activation::sigmoid: return "sigmoid";
    case Activation::linear: return "linear";
    }
    return "linear";
}

template <class T>
Var<T> activate(const Var<T>& x, Activation a)
{
    switch (a) {
    case Activation::tanh: return tanh(x);
    case Activation::relu: return relu(x);
    case Activation::sigmoid: return sigmoid(x);
    case Activation::linear: return x;
    }
    return x;
}

template <class T>
void activate_inplace(Activation a, T* y, std::size_t n)
{
    switch (a) {
    case Activation::tanh:
        for (std::size_t i = 0; i < n; ++i) y[i] = std::tanh(y[i]);
        break;
    case Activation::relu:
        for (std::size_t i = 0; i < n; ++i) y[i] = y[i] > T(0) ? y[i] : T(0);
        break;
    case Activation::sigmoid:
        for (std::size_t i = 0; i < n; ++i) y[i] = T(1) / (T(1) + std::exp(-y[i]));
        break;
    case Activation::linear: break;
    }
}

template <class T>
void multiply_by_derivative(Activation a, const T* y, T* g, std::size_t n)
{
    switch (a) {
    case Activation::tanh:
        for (std::size_t i = 0; i < n; ++i) g[i] *= T(1) - y[i] * y[i];
        break;
    case Activation::relu:
        for (std::size_t i = 0; i < n; ++i) g[i] = y[i] > T(0) ? g[i] : T(0);
        break;
    case Activation::sigmoid:
        for (std::size_t i = 0; i < n; ++i) g[i] *= y[i] * (T(1) - y[i]);
        break;
    case Activation::linear: break;
    }
}

#define ELMAN_INSTANTIATE(T)                                                \
    template Var<T> activate(const Var<T>&, Activation);                    \
    template void activate_inplace(Activation, T*, std::size_t);            \
    template void multiply_by_derivative(Activation, const T*, T*, std::size_t);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)

}  // namespace elman
