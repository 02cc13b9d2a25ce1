// LSTM: Keras' long short-term memory layer (Hochreiter & Schmidhuber 1997, with the forget
// gate of Gers et al. 2000), with Keras' options, defaults, weight layout and semantics.
//
//   z_t = x_t·kernel + h_{t−1}·recurrent_kernel + bias      [B,4U] = [z_i | z_f | z_c | z_o]
//   i_t = σ(z_i)   f_t = σ(z_f)   g_t = act(z_c)   o_t = σ(z_o)     σ = recurrent_activation
//   c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t                 the cell state (Keras' "carry state")
//   h_t = o_t ⊙ act(c_t)                            the output and hidden state ("memory state")
//
//   x:[B,T,F]  kernel:[F,4U]  recurrent_kernel:[U,4U]  bias:[4U]  h_t, c_t:[B,U]
//
// The gate blocks of every weight are in Keras' order i, f, c, o (PyTorch's i, f, g, o: the same
// order, see docs/porting.md). The layer keeps TWO states, h and c; the output at step t is h_t
// (return_sequences gives every h_t, [B,T,U]), and call() returns the final h and c (Keras'
// return_state: [output, h, c]). Parameters: 4·U·(F + U + 1).
//
// unit_forget_bias (default true, as Keras) initialises the forget gate's bias block to 1, so a
// fresh LSTM starts by keeping its cell state (Jozefowicz et al. 2015).
//
// A mask [B,T] carries both states over padded steps and stops their gradients there
// (layers/rnn_mask.hpp). dropout and recurrent_dropout follow Keras 3.8+: one mask per sequence
// for all steps, per gate when recurrent_dropout > 0 (layers/rnn_dropout.hpp).
//
// Two paths with one answer (options.fused): the composed path records each step from primitive
// tape ops (select, matmul, add, sigmoid, tanh, mul), so BPTT emerges from the tape; the fused
// path (default) records one node for the whole sequence whose backward is BPTT written out by
// hand (layers/lstm_fused.cpp, the gate equations in layers/lstm_cell.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "layers/activation.hpp"
#include "layers/lstm_trace.hpp"
#include "layers/recurrent.hpp"
#include "layers/rnn_dropout.hpp"
#include "layers/rnn_mask.hpp"

namespace elman {

struct LSTMOptions {
    std::size_t units = 0;  // state size U; required (> 0)
    // act in g_t = act(z_c) and h_t = o_t ⊙ act(c_t); default tanh. Elementwise only.
    Activation activation = Activation::tanh;
    // σ of the gates i, f, o; default sigmoid. Elementwise only.
    Activation recurrent_activation = Activation::sigmoid;
    bool use_bias = true;  // add bias [4U]; default true
    // Initialise the forget gate's bias block to 1 (the other blocks from bias_initializer);
    // default true, as Keras.
    bool unit_forget_bias = true;
    // Return every h_t, [B,T,U], instead of the last one, [B,U]; default false.
    bool return_sequences = false;
    // Only documents intent (call() always returns h and c too); kept for Keras parity.
    bool return_state = false;
    // Process the time steps in reverse; the sequence output is in processing order.
    bool go_backwards = false;
    // Carry the final h and c (detached) into the next call, until reset_states(). The batch
    // size must stay the same meanwhile.
    bool stateful = false;
    // zeros, ones, glorot_uniform, orthogonal, random_uniform (±0.05), random_normal (σ 0.05).
    std::string kernel_initializer = "glorot_uniform";
    std::string recurrent_initializer = "orthogonal";
    std::string bias_initializer = "zeros";
    // Each initializer gets its own seed derived from this one; so do the dropout masks.
    std::uint64_t seed = 0;
    // Fraction of the inputs (dropout) and of h (recurrent_dropout) dropped in training; in
    // [0, 1), default 0. With recurrent_dropout > 0 each gate draws its own masks (Keras 3.8+).
    double dropout = 0.0;
    double recurrent_dropout = 0.0;
    // With a mask: zeros as the output of padded steps instead of the previous output.
    bool zero_output_for_mask = false;
    // One tape node with a hand-written BPTT (true) or per-step primitive ops (false).
    bool fused = true;
    // Trace mode: record every gate, c_t and h_t (forward) and dL/dh_t, dL/dc_t (backward).
    bool trace = false;
};

// The fused node's buffers (layers/lstm_fused.cpp explains each), reused from one training step
// to the next so that a step allocates nothing of size T. An LSTM keeps one and lends it
// (shared) to the nodes it records; while a live tape still holds them, the next call makes a
// fresh one.
template <class T>
struct LSTMWorkspace {
    AlignedVector<T> x;          // X:[T,B,F] (per-gate input masks: [4,T,B,F])
    AlignedVector<T> z;          // Z:[T,B,4U] gates, then δ (backward); per-gate: [4,T,B,U]
    AlignedVector<T> hc, cc;     // one chunk's states [K+1,B,U]
    AlignedVector<T> ckpt_h, ckpt_c;  // the states at each chunk's start [T/K,B,U]
    bool last_chunk_ready = false;  // hc, cc hold the last chunk (after the forward)
    AlignedVector<T> r;          // h ⊙ d^k_h for one chunk (recurrent dropout only)
    AlignedVector<T> wx, wh;     // the kernels' gate blocks, packed [4,F,U], [4,U,U] (per-gate)
    AlignedVector<T> wh_t;       // W_hᵀ [4U,U] (fused layout, backward)
    AlignedVector<T> dx;         // dX:[T,B,F] (backward)
    AlignedVector<T> tc;         // act(c_s) [B,U], one step
    AlignedVector<T> gh, gh_prev, gc, dc_total;  // [B,U] running gradients (backward)
    AlignedVector<T> scratch;    // per-gate GEMM results and the generic derivative's gates
    AlignedVector<T> ones;       // [T·B] of 1: db = Dᵀ·1
    AlignedVector<T> dx_mask, dh_mask;  // dropout masks [G,B,F], [4,B,U]
    AlignedVector<T> dc_out;     // dL/dc_T from the final-c node [B,U] (backward)
    bool has_dc_out = false;
    StepMask mask;             // the call's mask in processing order; steps == 0 without one
};

template <class T>
class LSTM : public RecurrentLayer<T> {
public:
    struct LSTMResult {
        Var<T> output;  // [B,U], or [B,T,U] with return_sequences
        Var<T> h;       // final h [B,U]
        Var<T> c;       // final c [B,U]
    };

    // Throws elman::Error on units 0, a non-elementwise activation, an unknown initializer or
    // a dropout rate outside [0, 1).
    explicit LSTM(LSTMOptions options);

    // x:[B,T,F]; h0, c0:[B,U] the initial states, both or neither (they receive gradients);
    // without them h_0 = c_0 = 0, or the carried states when stateful. mask:[B,T] (true = real
    // step; null: all real); training: dropout on. Throws naming the layer and the shapes when
    // one is wrong.
    LSTMResult call(Tape<T>& tape, const Var<T>& x, const Var<T>* h0 = nullptr,
                    const Var<T>* c0 = nullptr, const Mask* mask = nullptr,
                    bool training = false);
    // call(tape, x, nullptr, nullptr, ctx.mask, ctx.training).output
    Var<T> forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx = {}) override;
    // RecurrentLayer: two states, {h, c} (Keras' order).
    typename RecurrentLayer<T>::Result call_states(Tape<T>& tape, const Var<T>& x,
                                                   const std::vector<Var<T>>& initial_states,
                                                   const CallContext& ctx = {}) override;
    std::size_t state_count() const override { return 2; }
    bool return_sequences() const override { return options_.return_sequences; }
    bool go_backwards() const override { return options_.go_backwards; }
    bool stateful() const override { return options_.stateful; }
    std::shared_ptr<RecurrentLayer<T>> recreate(bool go_backwards, bool zero_output_for_mask,
                                                std::uint64_t seed) const override;
    std::uint64_t seed() const override { return options_.seed; }

    std::vector<Parameter<T>*> parameters() override;
    // The input's mask with return_sequences, none otherwise (Keras' RNN.compute_mask).
    std::optional<Mask> compute_mask(const Var<T>& x, const Mask* mask) const override;
    std::string default_name() const override { return "lstm"; }
    // input_shape {T, F} (T may be 0: any length).
    void build(const Shape& input_shape) override;
    Shape output_shape(const Shape& input_shape) const override;
    Shape built_input_shape() const override;  // {0, input_dim}
    std::string input_shape_hint() const override { return "{timesteps, features}"; }
    std::size_t param_count() const override;
    std::string param_formula() const override;  // "4·units·(input_dim + units + 1)"
    std::string type() const override { return "LSTM"; }

    // Forget the carried states (stateful): the next call starts from h_0 = c_0 = 0.
    void reset_states() override;
    // Restarts the dropout masks' stream (see RecurrentDropout::reseed).
    void reseed(std::uint64_t seed) { dropout_.reseed(seed); }
    // The dropout masks of the last call (sizes 0 outside training or at rate 0).
    const GateDropoutMasks<T>& dropout_masks() const { return masks_; }
    // The carried states, [B,U]; empty before the first stateful call or after reset_states().
    const Tensor<T>& state_h() const { return state_h_; }
    const Tensor<T>& state_c() const { return state_c_; }
    bool has_state() const { return has_state_; }

    // Keras order and layout: [kernel [F,4U], recurrent_kernel [U,4U], bias [4U]].
    std::vector<Tensor<T>> get_weights() const override;
    // Builds the layer from the kernel's shape if needed; throws naming the weight and both
    // shapes on a wrong count or shape.
    void set_weights(const std::vector<Tensor<T>>& weights) override;

    const LSTMOptions& options() const { return options_; }
    void set_fused(bool fused) { options_.fused = fused; }
    // Trace mode (LSTMOptions::trace): each call() then records its gates, c_t and h_t into
    // trace(), and the backward pass through that call dL/dh_t and dL/dc_t. The layer must
    // outlive the backward pass.
    void set_trace(bool on) { options_.trace = on; }
    const LSTMTrace<T>& trace() const { return trace_; }
    std::size_t input_dim() const { return input_dim_; }

    Parameter<T> kernel;
    Parameter<T> recurrent_kernel;
    Parameter<T> bias;

private:
    void build_features(std::size_t features);
    // Sets h0, c0 to the given or carried initial states and returns true; false: zeros.
    bool initial_states(Tape<T>& tape, const Shape& xs, const Var<T>* h0_in, const Var<T>* c0_in,
                        Var<T>& h0, Var<T>& c0) const;

    LSTMOptions options_;
    std::size_t input_dim_ = 0;
    Tensor<T> state_h_, state_c_;
    bool has_state_ = false;
    LSTMTrace<T> trace_;
    std::shared_ptr<LSTMWorkspace<T>> workspace_;
    RecurrentDropout dropout_;
    GateDropoutMasks<T> masks_;
};

// What the fused node needs besides its Vars.
template <class T>
struct LSTMFusedArgs {
    Activation activation = Activation::tanh;
    Activation recurrent_activation = Activation::sigmoid;
    bool go_backwards = false;
    bool return_sequences = false;
    const StepMask* mask = nullptr;                // null: every step is real
    const Tensor<T>* input_dropout = nullptr;      // d_x [G,B,F] (G = 1 or 4), or null
    const Tensor<T>* recurrent_dropout = nullptr;  // d_h [4,B,U], or null
    // Receives the gates, c_s and h_s now and dL/dh_s, dL/dc_s during backward.
    LSTMTrace<T>* trace = nullptr;
    // Buffers to reuse (null: its own); must not be in use by another live node.
    std::shared_ptr<LSTMWorkspace<T>> workspace = nullptr;
    // Steps per chunk of recomputed states (layers/lstm_fused.cpp); 0: chosen from the shape.
    // The result does not depend on it beyond summation order.
    std::size_t chunk_steps = 0;
};

// The fused LSTM's two outputs.
template <class T>
struct LSTMFusedResult {
    Var<T> states;  // the h states: [B,U] (last) or [B,T,U] in processing order
    Var<T> c;       // the last c [B,U]
};

// The fused LSTM (layers/lstm_fused.cpp): the whole sequence as ONE tape node with inputs
// (x, kernel, recurrent_kernel[, bias][, h0, c0]) whose value is the h states, and a second
// node ("lstm_fused_c", input: the first) whose value is the final c and whose backward hands
// dL/dc_T to the first. With a mask, padded steps carry both states (the caller turns states
// into outputs with output_keep). A null bias means none; null h0 and c0 mean zeros (both or
// neither). Shapes are checked by the caller.
template <class T>
LSTMFusedResult<T> lstm_fused(const Var<T>& x, const Var<T>& kernel,
                              const Var<T>& recurrent_kernel, const Var<T>* bias, const Var<T>* h0,
                              const Var<T>* c0, const LSTMFusedArgs<T>& args);

}  // namespace elman
