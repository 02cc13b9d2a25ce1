// RecurrentLayer: what a layer that reads a sequence with a state promises on top of Module
// (SimpleRNN and Bidirectional now, GRU and LSTM later), so that Bidirectional and Sequential
// can pass initial states in and get final states out without knowing the layer's kind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "layers/module.hpp"

namespace elman {

template <class T>
class RecurrentLayer : public Module<T> {
public:
    struct Result {
        Var<T> output;               // [B,U], or [B,T,U] with return_sequences
        std::vector<Var<T>> states;  // the final states, state_count() of them, each [B,·]
    };

    // Keras' layer(x, initial_state, mask, training). x:[B,T,F]; initial_states: empty (zeros,
    // or the carried states when stateful) or state_count() arrays [B,·], which receive a
    // gradient; ctx.mask [B,T] and ctx.training as in forward(). Throws elman::Error naming
    // the layer and the shapes on a wrong count or shape.
    virtual Result call_states(Tape<T>& tape, const Var<T>& x,
                               const std::vector<Var<T>>& initial_states,
                               const CallContext& ctx = {}) = 0;

    // How many states call_states takes and returns (SimpleRNN 1, LSTM 2, Bidirectional twice
    // its layer's).
    virtual std::size_t state_count() const = 0;
    virtual bool return_sequences() const = 0;
    virtual bool go_backwards() const = 0;
    virtual bool stateful() const = 0;
    // Forget the carried states (stateful): the next call starts from zeros.
    virtual void reset_states() = 0;

    // A new, unbuilt layer with this layer's options except these (Keras' Bidirectional
    // recreates its two layers from the wrapped layer's config). Throws for a layer that
    // cannot be recreated (a Bidirectional).
    virtual std::shared_ptr<RecurrentLayer<T>> recreate(bool go_backwards,
                                                        bool zero_output_for_mask,
                                                        std::uint64_t seed) const = 0;
    // The seed its weights and dropout masks come from.
    virtual std::uint64_t seed() const = 0;

    // The weights in Keras' order and layout. set_weights builds the layer from them when it
    // is not built, and throws naming the weight and both shapes on a wrong count or shape.
    virtual std::vector<Tensor<T>> get_weights() const = 0;
    virtual void set_weights(const std::vector<Tensor<T>>& weights) = 0;
};

}  // namespace elman
