// SimpleRNN: the Elman recurrence with Keras' options, defaults, weight layout and semantics.
//
//   h_t = act(x_t·kernel + h_{t−1}·recurrent_kernel + bias)      t = 1..T,  h_0 = 0 or given
//   x:[B,T,F]  kernel:[F,U]  recurrent_kernel:[U,U]  bias:[U]  h_t:[B,U]
//
// The output at step t IS h_t: there is no separate output weight (put a Dense after it for
// that). return_sequences gives every h_t, [B,T,U]; otherwise the last one, [B,U]. The state
// returned by call() is the last h: with !return_sequences the output and the state are the
// same numbers. Parameters: units·(input_dim + units + 1).
//
// Two paths with one answer (options.fused): the composed path records each step from
// primitive tape ops (select, matmul, add, act, stack), so BPTT emerges from the tape; the
// fused path (default) records one node for the whole sequence whose backward is BPTT
// written out by hand (layers/simple_rnn_fused.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "layers/activation.hpp"
#include "layers/module.hpp"

namespace elman {

struct SimpleRNNOptions {
    std::size_t units = 0;
    Activation activation = Activation::tanh;
    bool use_bias = true;
    bool return_sequences = false;
    // Only documents intent (call() always returns the state too); kept for Keras parity.
    bool return_state = false;
    // Process the time steps in reverse; the sequence output is in processing order
    // (output[:,0] comes from the last input step).
    bool go_backwards = false;
    // Carry the final state (detached: no gradient crosses calls) into the next call, until
    // reset_states(). The batch size must stay the same meanwhile.
    bool stateful = false;
    // zeros, ones, glorot_uniform, orthogonal, random_uniform (±0.05), random_normal (σ 0.05).
    std::string kernel_initializer = "glorot_uniform";
    std::string recurrent_initializer = "orthogonal";
    std::string bias_initializer = "zeros";
    // Each initializer gets its own seed derived from this one.
    std::uint64_t seed = 0;
    // One tape node with a hand-written BPTT (true) or per-step primitive ops (false).
    bool fused = true;
};

template <class T>
class SimpleRNN : public Module<T> {
public:
    struct RNNResult {
        Var<T> output;  // [B,U], or [B,T,U] with return_sequences
        Var<T> state;   // final h [B,U]
    };

    explicit SimpleRNN(SimpleRNNOptions options);

    // x:[B,T,F]; initial_state:[B,U] used as h_0 (it receives a gradient); without it h_0 is
    // zero, or the carried state when stateful.
    RNNResult call(Tape<T>& tape, const Var<T>& x, const Var<T>* initial_state = nullptr);
    // call(tape, x).output
    Var<T> forward(Tape<T>& tape, const Var<T>& x) override;

    std::vector<Parameter<T>*> parameters() override;
    std::string default_name() const override { return "simple_rnn"; }
    // input_shape {T, F} (T may be 0: any length).
    void build(const Shape& input_shape) override;
    Shape output_shape(const Shape& input_shape) const override;
    std::size_t param_count() const override;
    std::string param_formula() const override;  // "units·(input_dim + units + 1)"
    std::string type() const override { return "SimpleRNN"; }

    // Forget the carried state (stateful): the next call starts from h_0 = 0.
    void reset_states();
    // The carried state, [B,U]; empty before the first stateful call or after reset_states().
    const Tensor<T>& states() const { return state_; }
    bool has_state() const { return has_state_; }

    // Keras order and layout: [kernel [F,U], recurrent_kernel [U,U], bias [U]].
    std::vector<Tensor<T>> get_weights() const;
    // Builds the layer from the kernel's shape if needed; throws naming the weight and both
    // shapes on a wrong count or shape.
    void set_weights(const std::vector<Tensor<T>>& weights);

    const SimpleRNNOptions& options() const { return options_; }
    void set_fused(bool fused) { options_.fused = fused; }
    std::size_t input_dim() const { return input_dim_; }

    Parameter<T> kernel;
    Parameter<T> recurrent_kernel;
    Parameter<T> bias;

private:
    void build_features(std::size_t features);

    SimpleRNNOptions options_;
    std::size_t input_dim_ = 0;
    Tensor<T> state_;
    bool has_state_ = false;
};

// The fused SimpleRNN node (layers/simple_rnn_fused.cpp): the whole sequence as ONE tape node
// with inputs (x, kernel, recurrent_kernel[, bias][, h0]). Returns [B,U] (last h) or, with
// return_sequences, [B,T,U] in processing order. A null bias means no bias; a null h0 means
// h_0 = 0. Shapes are checked by the caller.
template <class T>
Var<T> simple_rnn_fused(const Var<T>& x, const Var<T>& kernel, const Var<T>& recurrent_kernel,
                        const Var<T>* bias, const Var<T>* h0, Activation activation,
                        bool go_backwards, bool return_sequences);

}  // namespace elman
