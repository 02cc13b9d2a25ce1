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
#include <memory>
#include <string>
#include <vector>

#include "layers/activation.hpp"
#include "layers/module.hpp"
#include "layers/rnn_trace.hpp"

namespace elman {

struct SimpleRNNOptions {
    std::size_t units = 0;                     // state size U; required (> 0)
    // act in h_t = act(a_t); default tanh. Elementwise only: softmax throws (Keras accepts it,
    // but a state normalised to sum 1 is a mistake for Dense(softmax), and the fused BPTT
    // applies act and act' element by element).
    Activation activation = Activation::tanh;
    bool use_bias = true;                      // add bias [U]; default true
    // Return every h_t, [B,T,U], instead of the last one, [B,U]; default false.
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
    // Trace mode: record every a_t, h_t (forward) and dL/dh_t (backward) into trace().
    bool trace = false;
};

// The fused node's buffers, reused from one training step to the next so that a step allocates
// nothing of size T. A SimpleRNN keeps one and lends it (shared) to the node it records; while a
// live tape still holds that node, the layer's next call makes a fresh one (see call()).
template <class T>
struct SimpleRNNWorkspace {
    std::vector<T> x;   // X:[T,B,F]    the input, time-major
    std::vector<T> h;   // H:[T+1,B,U]  h_0 and every state
    std::vector<T> d;   // D:[T,B,U]    δ_s (backward)
    std::vector<T> dx;  // dX:[T,B,F]   dL/dX, time-major (backward)
    std::vector<T> ones;  // [T·B] of 1: db = Dᵀ·1 is a GEMV (backward)
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
    // call(tape, x).output. A mask in ctx is not supported yet (throws).
    Var<T> forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx = {}) override;

    std::vector<Parameter<T>*> parameters() override;
    // The input's mask with return_sequences, none otherwise (Keras' RNN.compute_mask).
    std::optional<Mask> compute_mask(const Var<T>& x, const Mask* mask) const override;
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
    // Trace mode (default off, SimpleRNNOptions::trace): each call() then records its a_t and
    // h_t into trace(), and the backward pass through that call its dL/dh_t. Costs one [B,U]
    // copy per step and value. The layer must outlive the backward pass (as for its weights).
    void set_trace(bool on) { options_.trace = on; }
    // The last traced call (see layers/rnn_trace.hpp); empty when trace mode is off.
    const RNNTrace<T>& trace() const { return trace_; }
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
    RNNTrace<T> trace_;
    std::shared_ptr<SimpleRNNWorkspace<T>> workspace_;  // the fused node's buffers
};

// The fused SimpleRNN node (layers/simple_rnn_fused.cpp): the whole sequence as ONE tape node
// with inputs (x, kernel, recurrent_kernel[, bias][, h0]). Returns [B,U] (last h) or, with
// return_sequences, [B,T,U] in processing order. A null bias means no bias; a null h0 means
// h_0 = 0. Shapes are checked by the caller. A non-null `trace` receives a_s and h_s now and
// dL/dh_s during backward (it must outlive the backward pass). A null `workspace` means
// buffers of its own; a given one must not be in use by another live node.
template <class T>
Var<T> simple_rnn_fused(const Var<T>& x, const Var<T>& kernel, const Var<T>& recurrent_kernel,
                        const Var<T>* bias, const Var<T>* h0, Activation activation,
                        bool go_backwards, bool return_sequences, RNNTrace<T>* trace = nullptr,
                        std::shared_ptr<SimpleRNNWorkspace<T>> workspace = nullptr);

}  // namespace elman
