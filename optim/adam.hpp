// Adam: torch.optim.Adam by default, Keras' variant as an option.
//
// Per parameter, at its t-th step (t counts that parameter's steps, as torch):
//   g = grad + weight_decay·w                       (L2 through the gradient, torch's Adam)
//   m = β1·m + (1 − β1)·g          v = β2·v + (1 − β2)·g²
// torch (keras_epsilon = false), eps outside the sqrt of the bias-corrected v:
//   w = w − lr · m̂ / (sqrt(v̂) + eps)          m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t)
// Keras (keras_epsilon = true), eps ("epsilon hat") added to the uncorrected sqrt(v):
//   lr_t = lr · sqrt(1 − β2^t) / (1 − β1^t)
//   w = w − lr_t · m / (sqrt(v) + eps)
// The two agree except for where eps enters: Keras' eps is in effect eps·sqrt(1 − β2^t)
// in torch's formula, which matters early on and for small gradients. AdamOptions::keras()
// also takes Keras' default eps, 1e-7.
//
// State: "step", and per parameter "param<i>.step", "param<i>.exp_avg" (m) and
// "param<i>.exp_avg_sq" (v).
#pragma once

#include "optim/optimizer.hpp"

namespace elman {

template <class T>
struct AdamOptions {
    T lr = T(0.001);         // > 0
    T beta1 = T(0.9);        // in [0, 1)
    T beta2 = T(0.999);      // in [0, 1)
    T eps = T(1e-8);         // > 0
    T weight_decay = T(0);   // >= 0
    // Keras' formula: eps added to the uncorrected sqrt(v), bias correction folded into lr;
    // default false (PyTorch's formula).
    bool keras_epsilon = false;

    // Keras' Adam(learning_rate = lr): epsilon 1e-7 added to the uncorrected sqrt(v); lr
    // defaults to Keras' 0.001. The other fields keep their defaults (beta1 0.9, beta2 0.999).
    static AdamOptions keras(T lr = T(0.001))
    {
        AdamOptions o;
        o.lr = lr;
        o.eps = T(1e-7);
        o.keras_epsilon = true;
        return o;
    }
};

template <class T>
class Adam : public Optimizer<T> {
public:
    explicit Adam(std::vector<Parameter<T>*> params, AdamOptions<T> options = {});

    void step() override;
    NamedTensors<T> state() const override;
    void load_state(const NamedTensors<T>& state) override;

    // The options as given; the current learning rate is lr().
    const AdamOptions<T>& options() const { return options_; }

private:
    AdamOptions<T> options_;
    std::vector<Tensor<T>> m_;          // exp_avg, same order as params()
    std::vector<Tensor<T>> v_;          // exp_avg_sq
    std::vector<std::size_t> t_;        // steps taken by each parameter
};

}  // namespace elman
