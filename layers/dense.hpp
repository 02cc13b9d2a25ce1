// Dense: y = act(x·kernel + bias) on the last axis, as Keras.
//   [B,F]   · kernel [F,U] -> [B,U]
//   [B,T,F] · kernel [F,U] -> [B,T,U]   (the same weights at every time step)
// Weights: kernel [F,U] glorot_uniform, bias [U] zeros; param count F·U + U.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "layers/activation.hpp"
#include "layers/module.hpp"

namespace elman {

struct DenseOptions {
    std::size_t units = 0;                       // output size U; required (> 0)
    Activation activation = Activation::linear;  // applied to x·kernel + bias; default linear
    bool use_bias = true;                        // add bias [U] (zeros at first); default true
    std::uint64_t seed = 0;                      // seeds the glorot_uniform kernel; default 0
};

template <class T>
class Dense : public Module<T> {
public:
    explicit Dense(DenseOptions options);

    Var<T> forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx = {}) override;
    std::vector<Parameter<T>*> parameters() override;
    std::string default_name() const override { return "dense"; }
    // input_shape {F} or {T, F}: the last axis is the feature axis.
    void build(const Shape& input_shape) override;
    Shape output_shape(const Shape& input_shape) const override;
    Shape built_input_shape() const override;  // {input_dim} once built
    std::string input_shape_hint() const override { return "{features} or {timesteps, features}"; }
    std::size_t param_count() const override;
    std::string param_formula() const override;  // "in·out + out", e.g. "4·1 + 1"
    std::string type() const override { return "Dense"; }

    // Keras order and layout: [kernel [F,U], bias [U]] (no bias when !use_bias).
    std::vector<Tensor<T>> get_weights() const;
    // Builds the layer from the kernel's shape if needed; throws naming the weight and both
    // shapes on a wrong count or shape.
    void set_weights(const std::vector<Tensor<T>>& weights);

    const DenseOptions& options() const { return options_; }
    std::size_t input_dim() const { return input_dim_; }

    Parameter<T> kernel;
    Parameter<T> bias;

private:
    void build_features(std::size_t features);

    DenseOptions options_;
    std::size_t input_dim_ = 0;
};

}  // namespace elman
