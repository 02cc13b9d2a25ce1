// What SimpleRNN, GRU and LSTM do alike, written once: the shape checks of build and
// output_shape (Keras' RNN.build / compute_output_shape, keras/src/layers/rnn/rnn.py), the checks
// of an initial or carried state, and recreate. Internal to layers/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "core/ops.hpp"
#include "core/tape.hpp"
#include "layers/recurrent.hpp"
#include "layers/rnn_mask.hpp"

namespace elman::recurrent_detail {

// The features F of a build shape {timesteps, features} (no batch axis). Throws elman::Error
// naming the layer for any other rank.
inline std::size_t build_features(const std::string& layer, const Shape& input_shape)
{
    if (input_shape.size() != 2)
        throw Error(layer + ": build expects the input shape without the batch axis, "
                    "{timesteps, features}, got " + shape_str(input_shape));
    return input_shape[1];
}

// The shape [B, T, F] of a call's input x, B and T at least 1. Throws elman::Error naming the
// layer for another rank or an empty batch or sequence.
template <class T>
Shape input_shape(const std::string& layer, const Var<T>& x)
{
    const Shape xs = x.shape(layer.c_str());
    if (xs.size() != 3)
        throw Error(layer + ": expects input [batch, timesteps, features] (rank 3), got " + shape_str(xs));
    if (xs[0] == 0 || xs[1] == 0) throw Error(layer + ": input " + shape_str(xs) + " has no batch rows or no time steps");
    return xs;
}

// {T, U} with return_sequences, else {U}, for an input shape {T, F}. Throws elman::Error naming
// the layer for any other rank.
inline Shape output_shape(const std::string& layer, const Shape& input_shape, std::size_t units,
                          bool return_sequences)
{
    if (input_shape.size() != 2)
        throw Error(layer + ": output_shape expects {timesteps, features}, got " + shape_str(input_shape));
    if (return_sequences) return {input_shape[0], units};
    return {units};
}

// A given initial state `what` must be [B, U] for input xs [B, T, F]; throws elman::Error
// naming the layer, the state and both shapes.
template <class T>
void check_initial_state(const std::string& layer, const char* what, const Var<T>& state, const Shape& xs,
                         std::size_t units)
{
    const Shape s = state.shape(layer.c_str());
    if (s != Shape{xs[0], units})
        throw Error(layer + ": " + what + " has shape " + shape_str(s) + ", expected " + shape_str(Shape{xs[0], units}) +
                    " [batch, units] for input " + shape_str(xs));
}

// A carried state (stateful) of shape `carried` must have the input's batch size; throws
// elman::Error naming the layer and how to go on.
inline void check_carried_batch(const std::string& layer, const char* states, const Shape& carried, const Shape& xs)
{
    if (carried[0] != xs[0])
        throw Error(layer + ": stateful layer carries " + states + " " + shape_str(carried) + " but the input " +
                    shape_str(xs) + " has batch size " + std::to_string(xs[0]) + "; keep the batch size or call reset_states()");
}

// The output of a masked call from its states: y_s = e_s ⊙ h_s, [B,T,U]⊙[B,T,1] with
// return_sequences, else [B,U]⊙[B,1] (e from output_keep, layers/rnn_mask.hpp); the states
// themselves when no output is zeroed.
template <class T>
Var<T> masked_output(Tape<T>& tape, const std::string& layer, const Var<T>& states, const StepMask& steps,
                     bool zero_output_for_mask, bool return_sequences)
{
    bool any_zero = false;
    Tensor<T> e = output_keep<T>(steps, zero_output_for_mask, return_sequences, any_zero);
    return any_zero ? mul(states, tape.constant(std::move(e), layer + "/output mask")) : states;
}

// RecurrentLayer::recreate for a layer of type Layer<T> made from Options: the same options
// but these three.
template <template <class> class Layer, class T, class Options>
std::shared_ptr<RecurrentLayer<T>> recreate(Options o, bool go_backwards, bool zero_output_for_mask, std::uint64_t seed)
{
    o.go_backwards = go_backwards;
    o.zero_output_for_mask = zero_output_for_mask;
    o.seed = seed;
    return std::make_shared<Layer<T>>(o);
}

}  // namespace elman::recurrent_detail
