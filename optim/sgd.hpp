// Stochastic gradient descent with momentum, Nesterov momentum and weight decay: exactly
// torch.optim.SGD (same defaults except lr, which torch requires and Keras defaults to 0.01).
//
//   g = grad + weight_decay·w
//   momentum ≠ 0:  buf = g                                  (a parameter's first step)
//                  buf = momentum·buf + (1 − dampening)·g   (later steps)
//                  g   = g + momentum·buf   if nesterov,  else  g = buf
//   w = w − lr·g
//
// State: "step", and "param<i>.momentum_buffer" for each parameter that has taken a step with
// momentum (torch creates the buffer on the first step; until then it has none).
#pragma once

#include "optim/optimizer.hpp"

namespace elman {

template <class T>
struct SGDOptions {
    T lr = T(0.01);          // > 0
    T momentum = T(0);       // >= 0
    T dampening = T(0);      // in [0, 1]; 0 with nesterov
    bool nesterov = false;   // needs momentum > 0
    T weight_decay = T(0);   // >= 0; L2 penalty (wd/2)·|w|² added through the gradient
};

template <class T>
class SGD : public Optimizer<T> {
public:
    explicit SGD(std::vector<Parameter<T>*> params, SGDOptions<T> options = {});

    void step() override;
    NamedTensors<T> state() const override;
    void load_state(const NamedTensors<T>& state) override;

    // The options as given; the current learning rate is lr().
    const SGDOptions<T>& options() const { return options_; }

private:
    SGDOptions<T> options_;
    std::vector<Tensor<T>> buffers_;    // momentum buffers, same order as params()
    std::vector<bool> has_buffer_;
};

}  // namespace elman
