// Losses as tape ops: each records ONE node whose backward is written out by hand.
//
// Regression (layers/losses.cpp):
//   e = pred − target                       (pred and target must have identical shapes)
//   mse:    ℓ(e) = e²
//   mae:    ℓ(e) = |e|                      (subgradient 0 at e = 0, as torch's sign)
//   huber:  ℓ(e) = 0.5·e²                   if |e| <= delta
//                  delta·(|e| − 0.5·delta)  otherwise       (Keras Huber, torch HuberLoss)
// Reduction: mean (the default, Keras and PyTorch): loss = (1/N) Σ ℓ(e_i) over all N elements;
//            sum:                               loss = Σ ℓ(e_i).
// The result has shape []. Gradients flow to pred and, when it needs one, to target (target
// usually comes from tape.constant and receives none).
//
// Shapes must match exactly: a [B] target against a [B,1] prediction would broadcast to [B,B]
// in numpy/PyTorch and silently train on the wrong objective, so elman refuses it.
//
// Classification (layers/losses_crossentropy.cpp), Keras 3's definitions
// (keras/src/losses/losses.py and keras/src/backend/*/nn.py): one loss per sample, where a
// sample is one line of pred along the class axis (so [B,C] gives B losses, [B,T,C] gives B·T:
// per-step classification, as Keras), then Keras' reduction over those per-sample losses.
#pragma once

#include <type_traits>

#include "core/tape.hpp"

namespace elman {

// How per-sample losses become the loss (Keras' `reduction`):
//   sum_over_batch_size (Keras' default; the same value as `mean`): Σ losses / their number
//   sum:  Σ losses
//   none: the per-sample losses themselves (shape: pred's without the class axis); the
//         regression losses do not offer it (they throw)
enum class Reduction { mean, sum, none, sum_over_batch_size = mean };

template <class T>
Var<T> mse(const Var<T>& pred, const Var<T>& target, Reduction reduction = Reduction::mean);

template <class T>
Var<T> mae(const Var<T>& pred, const Var<T>& target, Reduction reduction = Reduction::mean);

// delta > 0 (throws otherwise); delta is not deduced, so huber(p, t, 0.5) works for float too.
template <class T>
Var<T> huber(const Var<T>& pred, const Var<T>& target, std::type_identity_t<T> delta = T(1),
             Reduction reduction = Reduction::mean);

// Options of the three cross-entropy losses (Keras' arguments and defaults).
struct CrossentropyOptions {
    // pred holds logits (scores before softmax / sigmoid) rather than probabilities. Preferred
    // for training: exact and stable (log-sum-exp, log-sigmoid), no clipping. Default false.
    bool from_logits = false;
    Reduction reduction = Reduction::sum_over_batch_size;
    // The class axis (categorical; sparse accepts only the last, as Keras), or the axis binary
    // cross-entropy averages over. Default -1, the last.
    int axis = -1;
    // In [0, 1]: targets t become t·(1 − s) + s/C (categorical and sparse, C classes; torch's
    // CrossEntropyLoss label_smoothing) or t·(1 − s) + s/2 (binary). Default 0.
    double label_smoothing = 0.0;
};

// keras.backend.epsilon(): probabilities (from_logits = false) are clipped to [ε, 1 − ε]
// before the log, as Keras does, so a 0 gives −log(1e-7) ≈ 16.1 rather than inf.
inline constexpr double crossentropy_epsilon = 1e-7;

// Keras' sparse_categorical_crossentropy: integer class ids against scores over C classes.
//   pred [..., C]; target [...] or [..., 1] holding class ids (integers in [0, C) stored as T,
//   see layers/targets.hpp), e.g. pred [B,C] with target [B] or [B,1], pred [B,T,C] with [B,T].
//   per sample: −log softmax(pred)_y (from logits), or −log clip(p_y / Σ_k p_k, ε, 1 − ε)
// Gradients flow to pred only. Throws elman::Error on shapes that do not pair up, an axis other
// than the last, probabilities that are negative or sum to 0; IdError on a target that is not
// a class id (naming its position).
template <class T>
Var<T> sparse_categorical_crossentropy(const Var<T>& pred, const Var<T>& target,
                                       const CrossentropyOptions& options = {});

// Keras' categorical_crossentropy: one-hot (or any probability) targets, same shape as pred.
//   per sample: −Σ_k t_k·log softmax(pred)_k (from logits), or −Σ_k t_k·log clip(q_k, ε, 1 − ε)
//   with q = p / Σ_k p_k (Keras renormalises probabilities along the class axis)
// Gradients flow to pred and to target. Throws on different shapes and bad probabilities.
template <class T>
Var<T> categorical_crossentropy(const Var<T>& pred, const Var<T>& target,
                                const CrossentropyOptions& options = {});

// Keras' binary_crossentropy: independent yes/no targets t in [0, 1], same shape as pred (or
// one rank less when pred's last axis is 1: target [B] for pred [B,1], as Keras).
//   element: −t·log σ(z) − (1 − t)·log σ(−z) (from logits, torch's BCEWithLogitsLoss), or
//            −t·log c − (1 − t)·log(1 − c), c = clip(p, ε, 1 − ε) (torch's BCELoss, but Keras'
//            clipping)
//   per sample: the mean of the elements along `axis` (Keras), e.g. [B,1] -> B losses.
// Gradients flow to pred and to target. Throws on shapes that do not pair up and on
// probabilities outside [0, 1] (logits passed without from_logits).
template <class T>
Var<T> binary_crossentropy(const Var<T>& pred, const Var<T>& target,
                           const CrossentropyOptions& options = {});

}  // namespace elman
