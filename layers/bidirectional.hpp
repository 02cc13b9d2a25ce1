// Bidirectional: Keras' wrapper that reads a sequence both ways and merges the two outputs.
//
//   y     = forward_layer(x)                    the layer as given, recreated with fresh weights
//   y_rev = backward_layer(x)                   a copy with go_backwards: it reads x from the
//                                               last step to the first
//   y_rev = flip(y_rev, time)                   with return_sequences: back to x's time order,
//                                               so y[:, t] and y_rev[:, t] both belong to x_t
//   output = merge(y, y_rev)                    concat (default, [.., 2U]), sum, mul, ave, or
//                                               none (both outputs, from call())
//
// As Keras: the two layers are recreated from the wrapped layer's options (Keras recreates
// them from its config), named forward_<name> and backward_<name>; with return_sequences both
// give zeros at padded steps (zero_output_for_mask); a mask reaches both, and the backward
// layer reverses it with its input; initial states are the forward layer's followed by the
// backward layer's, and so are the final states and the weights. The backward copy gets a
// seed of its own (Keras draws fresh weights for each), so the two start from different
// weights. Parameters are named <bidirectional>/<forward_simple_rnn>/kernel, ...
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "layers/recurrent.hpp"

namespace elman {

enum class MergeMode { concat, sum, mul, ave, none };

// "concat", "sum", "mul", "ave", "none" (Keras' None); anything else throws elman::Error.
MergeMode parse_merge_mode(const std::string& name);
std::string to_string(MergeMode mode);

struct BidirectionalOptions {
    MergeMode merge_mode = MergeMode::concat;  // default concat, as Keras
};

template <class T>
class Bidirectional : public RecurrentLayer<T> {
public:
    struct BidirectionalResult {
        Var<T> output;           // merged; empty with merge_mode none
        Var<T> forward_output;   // [B,U] or [B,T,U]
        Var<T> backward_output;  // [B,U] or [B,T,U] in x's time order
        std::vector<Var<T>> forward_states, backward_states;  // final states of each layer
    };

    // Recreates `layer` as the forward and the backward layer (see the top of the file). Throws
    // elman::Error when `layer` already goes backwards (the backward copy is the one that
    // does, as Keras requires).
    explicit Bidirectional(const RecurrentLayer<T>& layer, BidirectionalOptions options = {});

    // x:[B,T,F]; initial_states: empty, or the forward layer's states then the backward
    // layer's (Keras' order), 2·state_count of the layer; mask [B,T] or null; training
    // switches dropout on in both layers. Throws naming the layer and the counts or shapes.
    BidirectionalResult call(Tape<T>& tape, const Var<T>& x,
                             const std::vector<Var<T>>& initial_states = {},
                             const Mask* mask = nullptr, bool training = false);
    // call(...).output; throws with merge_mode none (two outputs: use call()).
    Var<T> forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx = {}) override;
    // RecurrentLayer: output merged, states forward then backward.
    typename RecurrentLayer<T>::Result call_states(Tape<T>& tape, const Var<T>& x,
                                                   const std::vector<Var<T>>& initial_states,
                                                   const CallContext& ctx = {}) override;

    // The input's mask with return_sequences, none otherwise (Keras).
    std::optional<Mask> compute_mask(const Var<T>& x, const Mask* mask) const override;
    std::vector<Parameter<T>*> parameters() override;  // forward layer's, then backward's
    std::string default_name() const override { return "bidirectional"; }
    std::string type() const override { return "Bidirectional"; }
    void set_name(std::string name) override;
    void build(const Shape& input_shape) override;
    bool built() const override;
    // The forward layer's output shape, with the last axis doubled for concat (merge_mode
    // none: the shape of each of the two outputs).
    Shape output_shape(const Shape& input_shape) const override;
    Shape built_input_shape() const override;
    std::string input_shape_hint() const override;
    std::size_t param_count() const override;
    std::string param_formula() const override;  // "<forward's> + <backward's>"

    std::size_t state_count() const override { return 2 * forward_->state_count(); }
    bool return_sequences() const override { return forward_->return_sequences(); }
    bool go_backwards() const override { return false; }
    bool stateful() const override { return forward_->stateful(); }
    void reset_states() override;
    // Throws: a Bidirectional cannot be wrapped in another.
    std::shared_ptr<RecurrentLayer<T>> recreate(bool go_backwards, bool zero_output_for_mask,
                                                std::uint64_t seed) const override;
    std::uint64_t seed() const override { return forward_->seed(); }
    // The forward layer's weights followed by the backward layer's; set_weights splits the
    // list in two halves (Keras' Bidirectional(weights=...)).
    std::vector<Tensor<T>> get_weights() const override;
    void set_weights(const std::vector<Tensor<T>>& weights) override;

    const std::shared_ptr<RecurrentLayer<T>>& forward_layer() const { return forward_; }
    const std::shared_ptr<RecurrentLayer<T>>& backward_layer() const { return backward_; }
    const BidirectionalOptions& options() const { return options_; }

private:
    // <name>/<forward_...>/<weight> for every parameter of both layers.
    void name_parameters();

    BidirectionalOptions options_;
    std::shared_ptr<RecurrentLayer<T>> forward_, backward_;
};

}  // namespace elman
