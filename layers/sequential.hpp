// Sequential: layers applied one after the other, with Keras' summary() table:
//
//   Layer (type)               Output Shape        Param #
//   simple_rnn (SimpleRNN)     (None, 1)           7 = 1·(5 + 1 + 1)
//
// Layers added without a name get Keras-style names per model: simple_rnn, simple_rnn_1,
// dense, ... Sequential is itself a Module, so models nest.
//
// The model counts as built once every layer is (by build(), a first forward(), or
// set_weights() on each layer); its input shape then comes from the first layer's weights.
// call() passes initial states to the recurrent layers and returns every layer's final states.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "layers/module.hpp"

namespace elman {

// States per layer of a Sequential: states[i] belongs to layers()[i]; an empty entry means none
// (a layer without state, or "start from zeros" for a recurrent one).
template <class T>
using LayerStates = std::vector<std::vector<Var<T>>>;

template <class T>
class Sequential : public Module<T> {
public:
    struct SequentialResult {
        Var<T> output;
        LayerStates<T> states;  // every layer's final states (empty for a layer without state)
    };

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
    // forward() that also returns every layer's final states, and takes initial states for
    // the recurrent layers (RecurrentLayer): initial_states empty, or one entry per layer
    // (empty for a layer without state or to start from zeros; for a recurrent layer its
    // state_count() arrays [B,·], which receive gradients). Throws naming the layer when
    // states are given to a layer without state or in the wrong number.
    SequentialResult call(Tape<T>& tape, const Var<T>& x,
                          const LayerStates<T>& initial_states = {}, const CallContext& ctx = {});
    std::vector<Parameter<T>*> parameters() override;
    std::string default_name() const override { return "sequential"; }
    // Renames the model only: its layers keep their names (and their parameters' prefixes).
    void set_name(std::string name) override { this->name_ = std::move(name); }
    Shape output_shape(const Shape& input_shape) const override;
    // True once every layer is built (also when set_weights() built them one by one).
    bool built() const override;
    // Throws when a layer is not built, naming each such layer and the input shape it needs.
    std::size_t param_count() const override;
    // The layers' formulas joined: "7 + 2"
    std::string param_formula() const override;
    std::string type() const override { return "Sequential"; }
    // The mask after the last layer, as the last forward() computed it (each layer's
    // compute_mask in turn).
    std::optional<Mask> compute_mask(const Var<T>& x, const Mask* mask) const override;

    const std::vector<std::shared_ptr<Module<T>>>& layers() const { return layers_; }
    // The input shape the model was built for (without the batch axis, 0 for any length), or
    // for a model built layer by layer the one its first layer's weights fix ({0, F} for a
    // recurrent layer); empty when not known.
    Shape input_shape() const;
    Shape built_input_shape() const override { return input_shape(); }

    // Keras' table: one row per layer (name (type), output shape, param # = formula), then
    // total / trainable / non-trainable counts. For a model not built yet, its unbuilt layers
    // show "?" and "0 (unbuilt)", and a last line names each one with the input shape it needs.
    std::string summary() const;

private:
    SequentialResult run(Tape<T>& tape, const Var<T>& x, const LayerStates<T>& initial_states,
                         const CallContext& ctx, bool want_states);
    // The layers not built yet, as "simple_rnn (SimpleRNN) needs input {timesteps, features}".
    std::vector<std::string> unbuilt_layers() const;

    std::vector<std::shared_ptr<Module<T>>> layers_;
    std::map<std::string, std::size_t> name_counts_;
    Shape input_shape_;
    std::optional<Mask> output_mask_;  // of the last forward()
};

}  // namespace elman
