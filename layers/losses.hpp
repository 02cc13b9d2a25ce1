// Regression losses as tape ops: each records ONE node whose backward is written out by hand.
//
//   e = pred − target                       (pred and target must have identical shapes)
//   mse:    ℓ(e) = e²
//   mae:    ℓ(e) = |e|                      (subgradient 0 at e = 0, as torch's sign)
//   huber:  ℓ(e) = 0.5·e²                   if |e| <= delta
//                  delta·(|e| − 0.5·delta)  otherwise       (Keras Huber, torch HuberLoss)
//
// Reduction: mean (the default, Keras and PyTorch): loss = (1/N) Σ ℓ(e_i) over all N elements;
//            sum:                               loss = Σ ℓ(e_i).
// The result has shape []. Gradients flow to pred and, when it needs one, to target (target
// usually comes from tape.constant and receives none).
//
// Shapes must match exactly: a [B] target against a [B,1] prediction would broadcast to [B,B]
// in numpy/PyTorch and silently train on the wrong objective, so elman refuses it.
#pragma once

#include <type_traits>

#include "core/tape.hpp"

namespace elman {

enum class Reduction { mean, sum };

template <class T>
Var<T> mse(const Var<T>& pred, const Var<T>& target, Reduction reduction = Reduction::mean);

template <class T>
Var<T> mae(const Var<T>& pred, const Var<T>& target, Reduction reduction = Reduction::mean);

// delta > 0 (throws otherwise); delta is not deduced, so huber(p, t, 0.5) works for float too.
template <class T>
Var<T> huber(const Var<T>& pred, const Var<T>& target, std::type_identity_t<T> delta = T(1),
             Reduction reduction = Reduction::mean);

}  // namespace elman
