// Sequential: layers applied one after the other, with Keras' summary() table:
//
//   Layer (type)               Output Shape        Param #
//   simple_rnn (SimpleRNN)     (None, 1)           7 = 1·(5 + 1 + 1)
//
// Layers added without a name get Keras-style names per model: simple_rnn, simple_rnn_1,
// dense, ... Sequential is itself a Module, so models nest.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "layers/module.hpp"

namespace elman {

template <class T>
class Sequential : public Module<T> {
public:
    Sequential() = default;

    // Appends a layer (named automatically unless set_name() was called on it).
    std::shared_ptr<Module<T>> add(std::shared_ptr<Module<T>> layer);
    // model.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 4}) -> shared_ptr<SimpleRNN>
    template <class L, class... Args>
    std::shared_ptr<L> emplace(Args&&... args)
    {
        auto layer = std::make_shared<L>(std::forward<Args>(args)...);
        add(layer);
        return layer;
    }

    // Builds every layer in turn for `input_shape` (without the batch axis, e.g. {T, F}).
    void build(const Shape& input_shape) override;
    // Runs the layers in order. Each layer gets ctx.training and the mask the layer before it
    // made (compute_mask); the first gets ctx.mask.
    Var<T> forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx = {}) override;
    std::vector<Parameter<T>*> parameters() override;
    std::string default_name() const override { return "sequential"; }
    // Renames the model only: its layers keep their names (and their parameters' prefixes).
    void set_name(std::string name) override { this->name_ = std::move(name); }
    Shape output_shape(const Shape& input_shape) const override;
    std::size_t param_count() const override;
    // The layers' formulas joined: "7 + 2"
    std::string param_formula() const override;
    std::string type() const override { return "Sequential"; }
    // The mask after the last layer, as the last forward() computed it (each layer's
    // compute_mask in turn).
    std::optional<Mask> compute_mask(const Var<T>& x, const Mask* mask) const override;

    const std::vector<std::shared_ptr<Module<T>>>& layers() const { return layers_; }
    // The input shape the model was built for (without the batch axis).
    const Shape& input_shape() const { return input_shape_; }

    // Keras' table: one row per layer (name (type), output shape, param # = formula), then
    // total / trainable / non-trainable counts. Throws if the model is not built.
    std::string summary() const;

private:
    std::vector<std::shared_ptr<Module<T>>> layers_;
    std::map<std::string, std::size_t> name_counts_;
    Shape input_shape_;
    std::optional<Mask> output_mask_;  // of the last forward()
};

}  // namespace elman
