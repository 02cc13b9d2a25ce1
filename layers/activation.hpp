// The activations a layer can apply, by Keras name, in two forms: as a tape op on a Var (the
// composed path and Dense) and in place on a raw buffer (the fused SimpleRNN node), with the
// derivative written in terms of the output y = act(a), which is all the fused backward keeps:
//
//   tanh      y = tanh(a)              act'(a) = 1 − y²
//   relu      y = max(a, 0)            act'(a) = [y > 0]
//   sigmoid   y = 1 / (1 + e^(−a))     act'(a) = y·(1 − y)
//   linear    y = a                    act'(a) = 1
//   softmax   y_k = e^(a_k) / Σ_j e^(a_j) over the last axis (core/ops.hpp's softmax): NOT
//             elementwise, each output depends on the whole row, so it exists only as the tape
//             op (Dense). The in-place forms refuse it, and SimpleRNN refuses it as its
//             recurrent activation (see layers/simple_rnn.hpp).
#pragma once

#include <cstddef>
#include <string>

#include "core/tape.hpp"

namespace elman {

enum class Activation { tanh, relu, sigmoid, linear, softmax };

// "tanh", "relu", "sigmoid", "linear", "softmax" (Keras names); anything else throws
// elman::Error.
Activation parse_activation(const std::string& name);
std::string to_string(Activation a);

// act(x) recorded on x's tape (linear returns x itself: no node; softmax acts on the last axis).
template <class T>
Var<T> activate(const Var<T>& x, Activation a);

// True for the activations that act on each element alone (all but softmax).
bool is_elementwise(Activation a);

// y[i] = act(y[i]) for i < n, in place (elementwise activations only; softmax throws). For float, tanh is Eigen's rational approximation
// (within a few ulp of std::tanh, and vectorised: glibc's tanhf was half of a small RNN's
// training step); for double it is std::tanh, which the float64 gradient checks rely on.
template <class T>
void activate_inplace(Activation a, T* y, std::size_t n);

// g[i] *= act'(a[i]), with act' written from the output y = act(a), for i < n (elementwise
// activations only; softmax throws).
template <class T>
void multiply_by_derivative(Activation a, const T* y, T* g, std::size_t n);

}  // namespace elman
