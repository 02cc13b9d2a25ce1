// Keras' accuracy metrics (keras/src/metrics/accuracy_metrics.py): the fraction of samples
// classified right, in [0, 1]. The argument order is elman's, as in the losses: (pred, target).
//
//   sparse_categorical_accuracy  argmax_k pred[..., k] == target        target: class ids [...]
//                                                                       or [..., 1] (layers/targets.hpp)
//   categorical_accuracy         argmax_k pred[..., k] == argmax_k target[..., k]   (same shapes)
//   binary_accuracy              (pred > threshold) == target, elementwise; target holds 0 or 1,
//                                same shape as pred or one axis less when pred's last is 1
//
// A sample is one line along the last axis, so [B,T,C] counts every time step (per-step
// classification, as Keras). argmax takes the first of equal maxima (numpy's and Keras' rule).
// binary_accuracy's threshold is Keras' 0.5: for logits pass 0 (σ(z) > 0.5 ⟺ z > 0).
//
// Errors: elman::Error on shapes that do not pair up; IdError on a target that is not a class id
// (sparse) or not 0 / 1 (binary), naming its position.
#pragma once

#include <type_traits>

#include "core/tape.hpp"

namespace elman {

template <class T>
T sparse_categorical_accuracy(const Tensor<T>& pred, const Tensor<T>& target);
template <class T>
T categorical_accuracy(const Tensor<T>& pred, const Tensor<T>& target);
template <class T>
T binary_accuracy(const Tensor<T>& pred, const Tensor<T>& target,
                  std::type_identity_t<T> threshold = T(0.5));

// The same on Vars, as a node of shape [] without a gradient: usable wherever a loss is, e.g.
//   float acc = evaluate(model, x, y, 256,
//                        [](auto& p, auto& t) { return sparse_categorical_accuracy(p, t); });
// (evaluate weights each batch by its number of samples, which gives the overall fraction.)
template <class T>
Var<T> sparse_categorical_accuracy(const Var<T>& pred, const Var<T>& target);
template <class T>
Var<T> categorical_accuracy(const Var<T>& pred, const Var<T>& target);
template <class T>
Var<T> binary_accuracy(const Var<T>& pred, const Var<T>& target,
                       std::type_identity_t<T> threshold = T(0.5));

}  // namespace elman
