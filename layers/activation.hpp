// The activations a layer can apply, by Keras name, in two forms: as a tape op on a Var (the
// composed path and Dense) and in place on a raw buffer (the fused SimpleRNN node), with the
// derivative written in terms of the output y = act(a), which is all the fused backward keeps:
//
//   tanh      y = tanh(a)              act'(a) = 1 − y²
//   relu      y = max(a, 0)            act'(a) = [y > 0]
//   sigmoid   y = 1 / (1 + e^(−a))     act'(a) = y·(1 − y)
//   linear    y = a                    act'(a) = 1
//   hard_sigmoid         Keras 3: y = relu6(a + 3) / 6 = clip(a/6 + 1/2, 0, 1)
//                        act'(a) = 1/6 where 0 < y < 1 (−3 < a < 3), else 0
//   hard_sigmoid_keras2  Keras 2 and tf.keras: y = clip(0.2·a + 0.5, 0, 1)
//                        act'(a) = 0.2 where 0 < y < 1 (−2.5 < a < 2.5), else 0
//             Keras changed the definition in 3.0 under the same name "hard_sigmoid", so a
//             Keras 2 file's "hard_sigmoid" is hard_sigmoid_keras2 here. Both are piecewise
//             linear with kinks where y reaches 0 or 1; there the derivative is taken as 0
//             (the one-sided value from outside, as PyTorch's hardsigmoid and TensorFlow's
//             relu6 gradient do; TensorFlow's clip_by_value under Keras 2 gives the inner 0.2
//             at exactly a = ±2.5, a set of measure zero).
//   softmax   y_k = e^(a_k) / Σ_j e^(a_j) over the last axis (core/ops.hpp's softmax): NOT
//             elementwise, each output depends on the whole row, so it exists only as the tape
//             op (Dense). The in-place forms refuse it, and SimpleRNN refuses it as its
//             recurrent activation (see layers/simple_rnn.hpp).
#pragma once

#include <cstddef>
#include <string>

#include "core/tape.hpp"

namespace elman {

enum class Activation { tanh, relu, sigmoid, linear, softmax, hard_sigmoid, hard_sigmoid_keras2 };

// "tanh", "relu", "sigmoid", "linear", "softmax", "hard_sigmoid" (Keras names; hard_sigmoid is
// Keras 3's) and "hard_sigmoid_keras2" (elman's name for Keras 2's); anything else throws
// elman::Error. A reader of Keras 2 files maps their "hard_sigmoid" to hard_sigmoid_keras2.
Activation parse_activation(const std::string& name);
std::string to_string(Activation a);

// act(x) recorded on x's tape (linear returns x itself: no node; softmax acts on the last axis).
template <class T>
Var<T> activate(const Var<T>& x, Activation a);

// True for the activations that act on each element alone (all but softmax).
bool is_elementwise(Activation a);

// y[i] = act(y[i]) for i < n, in place (elementwise activations only; softmax throws). For
// float, tanh is Eigen's rational approximation (within a few ulp of std::tanh, and vectorised:
// glibc's tanhf was half of a small RNN's training step) and sigmoid is 1/(1 + e^(−a)) with a
// vectorised e^x (within 2 ulp; glibc's expf was a sixth of a GRU's step); for double both are
// std::tanh and std::exp, which the float64 gradient checks rely on.
template <class T>
void activate_inplace(Activation a, T* y, std::size_t n);

// g[i] *= act'(a[i]), with act' written from the output y = act(a), for i < n (elementwise
// activations only; softmax throws).
template <class T>
void multiply_by_derivative(Activation a, const T* y, T* g, std::size_t n);

}  // namespace elman
