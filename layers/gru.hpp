// GRU: Keras' gated recurrent unit (Cho et al. 2014), with Keras' options, defaults, weight
// layout and semantics. Gates in Keras' order z (update), r (reset), h (candidate):
//
//   z_t = σ(x_t·W_z + h_{t−1}·R_z + b_z)                      σ = recurrent_activation
//   r_t = σ(x_t·W_r + h_{t−1}·R_r + b_r)
//   ĥ_t = act(x_t·W_h + b^x_h + r_t ⊙ (h_{t−1}·R_h + b^h_h))   reset_after = true (default)
//   ĥ_t = act(x_t·W_h + b_h + (r_t ⊙ h_{t−1})·R_h)              reset_after = false
//   h_t = z_t ⊙ h_{t−1} + (1 − z_t) ⊙ ĥ_t
//
//   x:[B,T,F]  kernel:[F,3U] = [W_z|W_r|W_h]  recurrent_kernel:[U,3U] = [R_z|R_r|R_h]
//   bias: [2,3U] with reset_after (row 0 the input bias b^x, row 1 the recurrent bias b^h;
//         b_z = b^x_z + b^h_z, b_r likewise), [3U] without (one bias, old Keras)
//
// reset_after = true applies the reset gate after the recurrent product: PyTorch's nn.GRU and
// cuDNN's form (b^x and b^h are PyTorch's b_ih and b_hh, with the gate blocks reordered: see
// docs/porting.md). reset_after = false is Keras 2's default before 2.3 and has no PyTorch
// equivalent (r multiplies h before R_h). Parameters: 3·U·(F + U + 2) with reset_after,
// 3·U·(F + U + 1) without (3·U·(F + U) without a bias).
//
// The output at step t is h_t (return_sequences gives every h_t, [B,T,U]) and the state is the
// last h: one state, as SimpleRNN. A mask [B,T] carries h over padded steps and stops its
// gradient there (layers/rnn_mask.hpp). dropout and recurrent_dropout follow Keras 3: one mask
// per sequence for all steps; without recurrent_dropout one input mask for every gate, with it
// one mask per gate for the inputs and for the state (layers/rnn_dropout.hpp).
//
// Two paths with one answer (options.fused): the composed path records each step from primitive
// tape ops (select, matmul, add, mul, activations), so BPTT emerges from the tape; the fused
// path (default) records one node for the whole sequence whose backward is BPTT written out by
// hand (layers/gru_fused.cpp, forward, and layers/gru_bptt.cpp, backward).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "layers/activation.hpp"
#include "layers/gru_trace.hpp"
#include "layers/recurrent.hpp"
#include "layers/rnn_dropout.hpp"
#include "layers/rnn_mask.hpp"

namespace elman {

struct GRUOptions {
    std::size_t units = 0;  // state size U; required (> 0)
    // act of the candidate ĥ_t; default tanh. Elementwise only.
    Activation activation = Activation::tanh;
    // σ of the gates z and r; default sigmoid (Keras 2 files often say hard_sigmoid, which is
    // Activation::hard_sigmoid_keras2 there). Elementwise only.
    Activation recurrent_activation = Activation::sigmoid;
    bool use_bias = true;  // default true
    // The reset gate after the recurrent product (true, default: bias [2,3U], PyTorch's and
    // cuDNN's form) or before it (false: bias [3U], Keras' original GRU).
    bool reset_after = true;
    // Return every h_t, [B,T,U], instead of the last one, [B,U]; default false.
    bool return_sequences = false;
    // Only documents intent (call() always returns the state too); kept for Keras parity.
    bool return_state = false;
    // Process the time steps in reverse; the sequence output is in processing order.
    bool go_backwards = false;
    // Carry the final state (detached) into the next call, until reset_states(). The batch size
    // must stay the same meanwhile.
    bool stateful = false;
    // zeros, ones, glorot_uniform, orthogonal, random_uniform (±0.05), random_normal (σ 0.05).
    // The kernels are drawn whole ([F,3U], [U,3U]), as Keras does.
    std::string kernel_initializer = "glorot_uniform";
    std::string recurrent_initializer = "orthogonal";
    std::string bias_initializer = "zeros";
    // Each initializer gets its own seed derived from this one; so do the dropout masks.
    std::uint64_t seed = 0;
    // Fraction of the inputs (dropout) and of h (recurrent_dropout) dropped in training; in
    // [0, 1), default 0. With recurrent_dropout > 0 each gate draws its own masks (Keras 3).
    double dropout = 0.0;
    double recurrent_dropout = 0.0;
    // With a mask: zeros as the output of padded steps instead of the previous output.
    bool zero_output_for_mask = false;
    // One tape node with a hand-written BPTT (true) or per-step primitive ops (false).
    bool fused = true;
    // Trace mode: record every z_t, r_t, ĥ_t, h_t (forward) and dL/dh_t (backward).
    bool trace = false;
};

// The fused node's buffers (the top of layers/gru_fused.cpp explains each), reused from one
// training step to the next so that a step allocates nothing of size T. A GRU keeps one and
// lends it (shared) to the node it records; while a live tape still holds that node, the next
// call makes a fresh one.
template <class T>
struct GRUWorkspace {
    AlignedVector<T> x;        // X:[G_x,T,B,F] the input ⊙ d_x^g, time-major (G_x = 1 or 3)
    AlignedVector<T> g;        // G:[T,B,3U] the gates z, r, ĥ; δ in backward
    AlignedVector<T> h;        // H:[T+1,B,U] h_0 and every state
    AlignedVector<T> nq;       // NQ:[T,B,U] N_s (reset_after) or q_s, when kept (small sizes)
    AlignedVector<T> rt;       // Rᵀ:[3U,U] (backward)
    AlignedVector<T> c;        // [4U] the bias each step adds: [c_z | c_r | b^x_h | b^h_h]
    AlignedVector<T> gh;       // [B,3U] one step's recurrent product; its δ in backward
    AlignedVector<T> hd;       // [3,B,U] h_{s−1} ⊙ d_h^g (recurrent dropout), or q_s (scratch)
    AlignedVector<T> nh;       // [B,U] q_s (forward); N_s, dL/dq_s, a gate's dL/dh share (backward)
    AlignedVector<T> scratch;  // [B,U] q_s (backward)
    AlignedVector<T> dh, dh_prev;  // [B,U] dL/dh_s and dL/dh_{s−1} (backward)
    AlignedVector<T> dxs;      // dX:[T,B,F] (backward)
    AlignedVector<T> ones;     // [T·B] of 1: db = Dᵀ·1
    AlignedVector<T> dx_mask, dh_mask;  // dropout masks d_x [G_x,B,F], d_h [3,B,U]
    StepMask mask;           // the call's mask in processing order; steps == 0 without one
};

template <class T>
class GRU : public RecurrentLayer<T> {
public:
    struct GRUResult {
        Var<T> output;  // [B,U], or [B,T,U] with return_sequences
        Var<T> state;   // final h [B,U]
    };

    // Throws elman::Error on units 0, a non-elementwise activation, an unknown initializer or
    // a dropout rate outside [0, 1).
    explicit GRU(GRUOptions options);

    // x:[B,T,F]; initial_state:[B,U] used as h_0 (it receives a gradient); without it h_0 is
    // zero, or the carried state when stateful. mask:[B,T] (true = real step; null: all
    // real); training: dropout on. Throws naming the layer and the shapes when one is wrong.
    GRUResult call(Tape<T>& tape, const Var<T>& x, const Var<T>* initial_state = nullptr,
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
    std::string default_name() const override { return "gru"; }
    // input_shape {T, F} (T may be 0: any length).
    void build(const Shape& input_shape) override;
    Shape output_shape(const Shape& input_shape) const override;
    Shape built_input_shape() const override;  // {0, input_dim}
    std::string input_shape_hint() const override { return "{timesteps, features}"; }
    std::size_t param_count() const override;
    // "3·units·(input_dim + units + 2)" with the numbers (+ 1 without reset_after, no term
    // without a bias).
    std::string param_formula() const override;
    std::string type() const override { return "GRU"; }

    // Forget the carried state (stateful): the next call starts from h_0 = 0.
    void reset_states() override;
    // Restarts the dropout masks' stream (see RecurrentDropout::reseed).
    void reseed(std::uint64_t seed) { dropout_.reseed(seed); }
    // The dropout masks of the last call (sizes 0 outside training or at rate 0).
    const GateDropoutMasks<T>& dropout_masks() const { return masks_; }
    // The carried state, [B,U]; empty before the first stateful call or after reset_states().
    const Tensor<T>& states() const { return state_; }
    bool has_state() const { return has_state_; }

    // Keras order and layout: [kernel [F,3U], recurrent_kernel [U,3U], bias [2,3U] or [3U]].
    std::vector<Tensor<T>> get_weights() const override;
    // Builds the layer from the kernel's shape if needed; throws naming the weight and both
    // shapes on a wrong count or shape (a [3U] bias given to a reset_after layer says so).
    void set_weights(const std::vector<Tensor<T>>& weights) override;

    const GRUOptions& options() const { return options_; }
    void set_fused(bool fused) { options_.fused = fused; }
    // Trace mode (GRUOptions::trace): each call() then records z_t, r_t, ĥ_t and h_t into
    // trace(), and the backward pass through that call dL/dh_t. The layer must outlive the
    // backward pass.
    void set_trace(bool on) { options_.trace = on; }
    const GRUTrace<T>& trace() const { return trace_; }
    std::size_t input_dim() const { return input_dim_; }

    Parameter<T> kernel;
    Parameter<T> recurrent_kernel;
    Parameter<T> bias;

private:
    void build_features(std::size_t features);
    Shape bias_shape() const;
    // Sets h0 to the given or carried initial state and returns true; false: start from zeros.
    bool initial_h0(Tape<T>& tape, const Shape& xs, const Var<T>* initial_state,
                    Var<T>& h0) const;

    GRUOptions options_;
    std::size_t input_dim_ = 0;
    Tensor<T> state_;
    bool has_state_ = false;
    GRUTrace<T> trace_;
    std::shared_ptr<GRUWorkspace<T>> workspace_;
    RecurrentDropout dropout_;
    GateDropoutMasks<T> masks_;
};

// What the fused node needs besides its Vars.
template <class T>
struct GRUFusedArgs {
    Activation activation = Activation::tanh;
    Activation recurrent_activation = Activation::sigmoid;
    bool reset_after = true;
    bool go_backwards = false;
    bool return_sequences = false;
    const StepMask* mask = nullptr;                // null: every step is real
    const Tensor<T>* input_dropout = nullptr;      // d_x [G,B,F] (G = 1 or 3), or null
    const Tensor<T>* recurrent_dropout = nullptr;  // d_h [3,B,U], or null
    // Receives z_s, r_s, ĥ_s, h_s now and dL/dh_s during backward (must outlive it).
    GRUTrace<T>* trace = nullptr;
    // Buffers to reuse (null: its own); must not be in use by another live node.
    std::shared_ptr<GRUWorkspace<T>> workspace = nullptr;
    // The node keeps N_s (or q_s), one more [T,B,U] buffer, when it takes at most this many
    // bytes: the backward then skips a per-step product and does dR in one GEMM. Above it
    // (long sequences, large batches: W3's shape) memory stays at 4·T·B·U values. Without
    // recurrent dropout only. Both forms give the same numbers (tests/test_gru_kernel.cpp).
    std::size_t keep_bytes = std::size_t(4) << 20;
};

// The fused GRU (layers/gru_fused.cpp): the whole sequence as ONE tape node with inputs
// (x, kernel, recurrent_kernel[, bias][, h0]). Returns the STATES: [B,U] (the last h) or, with
// return_sequences, [B,T,U] in processing order; with a mask, padded steps carry the state (the
// caller turns states into outputs with output_keep). bias is [2,3U] with reset_after, [3U]
// without; null means no bias. A null h0 means h_0 = 0. Shapes are checked by the caller.
template <class T>
Var<T> gru_fused(const Var<T>& x, const Var<T>& kernel, const Var<T>& recurrent_kernel,
                 const Var<T>* bias, const Var<T>* h0, const GRUFusedArgs<T>& args);

}  // namespace elman
