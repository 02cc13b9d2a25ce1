// SimpleRNN: the Elman recurrence with Keras' options, defaults, weight layout and semantics.
//
//   h_t = act(x_t·kernel + h_{t−1}·recurrent_kernel + bias)      t = 1..T,  h_0 = 0 or given
//   x:[B,T,F]  kernel:[F,U]  recurrent_kernel:[U,U]  bias:[U]  h_t:[B,U]
//
// The output at step t IS h_t: there is no separate output weight (put a Dense after it for
// that). return_sequences gives every h_t, [B,T,U]; otherwise the last one, [B,U]. The state
// returned by call() is the last h: with !return_sequences and no mask the output and the state
// are the same numbers. Parameters: units·(input_dim + units + 1).
//
// A mask [B,T] (call(), or forward() with ctx.mask from Masking) skips padded steps: the state
// is carried over them and their gradient stops there (layers/rnn_mask.hpp). dropout and
// recurrent_dropout drop inputs and state with one mask per sequence in training
// (layers/rnn_dropout.hpp).
//
// Two paths with one answer (options.fused): the composed path records each step from
// primitive tape ops (select, matmul, add, act, stack), so BPTT emerges from the tape; the
// fused path (default) records one node for the whole sequence whose backward is BPTT
// written out by hand (layers/simple_rnn_fused.cpp). Both take masks and dropout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "layers/activation.hpp"
#include "layers/recurrent.hpp"
#include "layers/rnn_dropout.hpp"
#include "layers/rnn_mask.hpp"
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
    // Fraction of the inputs (dropout) and of the recurrent state (recurrent_dropout) dropped
    // in training, one mask per sequence for all steps; in [0, 1), default 0.
    double dropout = 0.0;
    double recurrent_dropout = 0.0;
    // With a mask: zeros as the output of padded steps instead of the previous output (Keras'
    // zero_output_for_mask; Bidirectional sets it to return_sequences). Default false.
    bool zero_output_for_mask = false;
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
    AlignedVector<T> x;   // X:[T,B,F]    the input, time-major
    AlignedVector<T> h;   // H:[T+1,B,U]  h_0 and every state
    AlignedVector<T> d;   // D:[T,B,U]    δ_s (backward)
    AlignedVector<T> dx;  // dX:[T,B,F]   dL/dX, time-major (backward)
    AlignedVector<T> ones;  // [T·B] of 1: db = Dᵀ·1 is a GEMV (backward)
    // With recurrent dropout: R:[T,B,U], R[s] = h_{s−1} ⊙ d_h (what W_h multiplies), the
    // masks d_x [B,F] and d_h [B,U], and a [B,U] scratch block (backward).
    AlignedVector<T> r, dx_mask, dh_mask, scratch;
    AlignedVector<T> g0;  // dL/dh_0 [B,U] (backward)
    AlignedVector<T> wh_t;  // W_hᵀ [U,U], stored once per backward
    StepMask mask;      // the call's mask in processing order; steps == 0 without one
};

template <class T>
class SimpleRNN : public RecurrentLayer<T> {
public:
    struct RNNResult {
        Var<T> output;  // [B,U], or [B,T,U] with return_sequences
        Var<T> state;   // final h [B,U]
    };

    // Throws elman::Error on units 0, an unknown initializer or a dropout rate outside [0, 1).
    explicit SimpleRNN(SimpleRNNOptions options);

    // x:[B,T,F]; initial_state:[B,U] used as h_0 (it receives a gradient); without it h_0 is
    // zero, or the carried state when stateful. mask:[B,T] (true = real step; null: all
    // real); training: dropout on. Throws naming the layer and the shapes when one is wrong.
    RNNResult call(Tape<T>& tape, const Var<T>& x, const Var<T>* initial_state = nullptr,
                   const Mask* mask = nullptr, bool training = false);
    // call(tape, x, nullptr, ctx.mask, ctx.training).output
    Var<T> forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx = {}) override;
    // RecurrentLayer: one state, h.
    typename RecurrentLayer<T>::Result call_states(Tape<T>& tape, const Var<T>& x,
                                                   const std::vector<Var<T>>& initial_states,
                                                   const CallContext& ctx = {}) override;
    std::size_t state_count() const override { return 1; }
    bool return_sequences() const override { return options_.return_sequences; }
    bool go_backwards() const override { return options_.go_backwards; }
    bool stateful() const override { return options_.stateful; }
    std::shared_ptr<RecurrentLayer<T>> recreate(bool go_backwards, bool zero_output_for_mask,
                                                std::uint64_t seed) const override;
    std::uint64_t seed() const override { return options_.seed; }

    std::vector<Parameter<T>*> parameters() override;
    // The input's mask with return_sequences, none otherwise (Keras' RNN.compute_mask).
    std::optional<Mask> compute_mask(const Var<T>& x, const Mask* mask) const override;
    std::string default_name() const override { return "simple_rnn"; }
    // input_shape {T, F} (T may be 0: any length).
    void build(const Shape& input_shape) override;
    Shape output_shape(const Shape& input_shape) const override;
    Shape built_input_shape() const override;  // {0, input_dim}: any number of steps
    std::string input_shape_hint() const override { return "{timesteps, features}"; }
    std::size_t param_count() const override;
    std::string param_formula() const override;  // "units·(input_dim + units + 1)"
    std::string type() const override { return "SimpleRNN"; }

    // Forget the carried state (stateful): the next call starts from h_0 = 0.
    void reset_states() override;
    // Restarts the dropout masks' stream (see RecurrentDropout::reseed).
    void reseed(std::uint64_t seed) { dropout_.reseed(seed); }
    // The dropout masks of the last call (sizes 0 outside training or at rate 0).
    const RNNDropoutMasks<T>& dropout_masks() const { return masks_; }
    // The carried state, [B,U]; empty before the first stateful call or after reset_states().
    const Tensor<T>& states() const { return state_; }
    bool has_state() const { return has_state_; }

    // Keras order and layout: [kernel [F,U], recurrent_kernel [U,U], bias [U]].
    std::vector<Tensor<T>> get_weights() const override;
    // Builds the layer from the kernel's shape if needed; throws naming the weight and both
    // shapes on a wrong count or shape.
    void set_weights(const std::vector<Tensor<T>>& weights) override;

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
    // Sets h0 to the given or carried initial state and returns true; false: start from zeros.
    bool initial_h0(Tape<T>& tape, const Shape& xs, const Var<T>* initial_state,
                    Var<T>& h0) const;

    SimpleRNNOptions options_;
    std::size_t input_dim_ = 0;
    Tensor<T> state_;
    bool has_state_ = false;
    RNNTrace<T> trace_;
    std::shared_ptr<SimpleRNNWorkspace<T>> workspace_;  // the fused node's buffers
    RecurrentDropout dropout_;
    RNNDropoutMasks<T> masks_;
};

// What the fused node needs besides its Vars.
template <class T>
struct SimpleRNNFusedArgs {
    Activation activation = Activation::tanh;
    bool go_backwards = false;
    bool return_sequences = false;
    const StepMask* mask = nullptr;                // null: every step is real
    const Tensor<T>* input_dropout = nullptr;      // d_x [B,F], or null
    const Tensor<T>* recurrent_dropout = nullptr;  // d_h [B,U], or null
    // Receives a_s and h_s now and dL/dh_s during backward (must outlive the backward pass).
    RNNTrace<T>* trace = nullptr;
    // Buffers to reuse (null: its own); must not be in use by another live node.
    std::shared_ptr<SimpleRNNWorkspace<T>> workspace = nullptr;
};

// The fused SimpleRNN node (layers/simple_rnn_fused.cpp): the whole sequence as ONE tape node
// with inputs (x, kernel, recurrent_kernel[, bias][, h0]). Returns the STATES: [B,U] (the
// last h) or, with return_sequences, [B,T,U] in processing order; with a mask, padded steps
// carry the state (the caller turns states into outputs with output_keep). A null bias means
// no bias; a null h0 means h_0 = 0. Shapes are checked by the caller.
template <class T>
Var<T> simple_rnn_fused(const Var<T>& x, const Var<T>& kernel, const Var<T>& recurrent_kernel,
                        const Var<T>* bias, const Var<T>* h0, const SimpleRNNFusedArgs<T>& args);

}  // namespace elman
