// LSTM::call in stages: check the input, pick (h_0, c_0), lay out the mask and draw the dropout
// masks, run one of the two paths, then turn the states into outputs:
//
//   fused:     lstm_fused (layers/lstm_fused.cpp): one node, BPTT by hand
//   composed:  composed_states below: primitive ops per step, BPTT from the tape
//   outputs:   y_s = e_s ⊙ h_s, with e_s = 0 only where a mask makes the output zeros
//              (layers/rnn_mask.hpp)
#include <xtensor/xview.hpp>

#include "core/error.hpp"
#include "core/init.hpp"
#include "core/ops.hpp"
#include "layers/lstm.hpp"
#include "layers/recurrent_common.hpp"

namespace elman {

namespace {

// Trace mode on the composed path: passes v on through an identity node that copies the total
// gradient reaching it into to[s] before handing it back.
template <class T>
Var<T> traced(const Var<T>& v, std::vector<Tensor<T>>& to, std::size_t s)
{
    std::vector<Tensor<T>>* dst = &to;
    return record<T>("trace", v.value(), {v}, [dst, s](BackwardContext<T>& c) {
        if (dst->size() <= s) dst->resize(s + 1);
        (*dst)[s] = c.grad();
        c.add_grad(0, c.grad());
    });
}

// The weights of gate k as [F,U], [U,U] and [U] slices of the [F,4U], [U,4U], [4U] parameters
// (reshape to [·,4,U], select along the gate axis), so that their gradients reach the whole.
template <class T>
struct GateWeights {
    Var<T> wx[4], wh[4], b[4];
};

template <class T>
GateWeights<T> split_gates(const Var<T>& wx, const Var<T>& wh, const Var<T>* b, std::size_t nu)
{
    GateWeights<T> g;
    const Var<T> wx3 = reshape(wx, {wx.shape()[0], 4, nu});
    const Var<T> wh3 = reshape(wh, {nu, 4, nu});
    for (std::size_t k = 0; k < 4; ++k) {
        g.wx[k] = select(wx3, 1, k);
        g.wh[k] = select(wh3, 1, k);
        if (b) g.b[k] = select(reshape(*b, {4, nu}), 0, k);
    }
    return g;
}

// Mask k of a [G,B,·] dropout tensor as a constant [B,·] (with G = 1 every gate uses mask 0).
template <class T>
Var<T> gate_mask(Tape<T>& tape, const Tensor<T>& masks, std::size_t k, const char* label)
{
    const std::size_t g = masks.shape()[0] == 1 ? 0 : k;
    return tape.constant(Tensor<T>(xt::view(masks, g, xt::all(), xt::all())), label);
}

// The composed path: every step from primitive tape ops. Returns the h states ([B,T,U] in
// processing order with return_sequences, else the last) and the last c.
template <class T>
LSTMFusedResult<T> composed_states(Tape<T>& tape, const Var<T>& x, Var<T> h, Var<T> c,
                                   const GateWeights<T>& w, bool use_bias,
                                   const LSTMFusedArgs<T>& args)
{
    const std::size_t nt = x.shape()[1];
    const Activation act = args.activation, rec = args.recurrent_activation;
    Var<T> dx[4], dh[4];
    for (std::size_t k = 0; k < 4; ++k) {
        if (args.input_dropout) dx[k] = gate_mask(tape, *args.input_dropout, k, "dropout mask");
        if (args.recurrent_dropout)
            dh[k] = gate_mask(tape, *args.recurrent_dropout, k, "recurrent_dropout mask");
    }
    LSTMTrace<T>* tr = args.trace;
    std::vector<Var<T>> hs;
    for (std::size_t s = 0; s < nt; ++s) {
        const Var<T> x_s = select(x, 1, args.go_backwards ? nt - 1 - s : s);
        // z^k = (x_s ⊙ d^k_x)·W^k_x + (h_{s−1} ⊙ d^k_h)·W^k_h + b^k   [B,F]·[F,U] + [B,U]·[U,U]
        Var<T> gate[4];
        for (std::size_t k = 0; k < 4; ++k) {
            const Var<T> xk = args.input_dropout ? mul(x_s, dx[k]) : x_s;
            const Var<T> hk = args.recurrent_dropout ? mul(h, dh[k]) : h;
            Var<T> z = add(matmul(xk, w.wx[k]), matmul(hk, w.wh[k]));
            if (use_bias) z = add(z, w.b[k]);
            // i = σ(z_i), f = σ(z_f), g = act(z_c), o = σ(z_o)
            gate[k] = activate(z, k == 2 ? act : rec);
        }
        if (tr) {
            std::vector<Tensor<T>>* to[4] = {&tr->i, &tr->f, &tr->g, &tr->o};
            for (std::size_t k = 0; k < 4; ++k) to[k]->push_back(gate[k].value());
        }
        // c_s = f ⊙ c_{s−1} + i ⊙ g;  h_s = o ⊙ act(c_s); a padded step keeps both (its h
        // candidate then reads the carried c, but the carry discards it, gradient included)
        const bool padded = args.mask && !args.mask->step_all_real(s);
        Var<T> c_new = add(mul(gate[1], c), mul(gate[0], gate[2]));
        if (padded) c_new = carry_state(tape, c_new, c, *args.mask, s);
        if (tr) c_new = traced(c_new, tr->dc, s);
        Var<T> h_new = mul(gate[3], activate(c_new, act));
        if (padded) h_new = carry_state(tape, h_new, h, *args.mask, s);
        if (tr) h_new = traced(h_new, tr->dh, s);
        c = c_new;
        h = h_new;
        if (tr) {
            tr->c.push_back(c.value());
            tr->h.push_back(h.value());
        }
        if (args.return_sequences) hs.push_back(h);
    }
    return {args.return_sequences ? stack(hs, 1) : h, c};
}

}  // namespace

// (h_0, c_0): the given initial states, else the carried ones (stateful), else none (zeros).
template <class T>
bool LSTM<T>::initial_states(Tape<T>& tape, const Shape& xs, const Var<T>* h0_in,
                             const Var<T>* c0_in, Var<T>& h0, Var<T>& c0) const
{
    const std::string nm = this->name();
    if ((h0_in == nullptr) != (c0_in == nullptr))
        throw Error(nm + ": an LSTM has two states: give both initial states h0 and c0 (or "
                    "neither), got only " + (h0_in ? "h0" : "c0"));
    if (h0_in) {
        recurrent_detail::check_initial_state(nm, "initial state h0", *h0_in, xs, options_.units);
        recurrent_detail::check_initial_state(nm, "initial state c0", *c0_in, xs, options_.units);
        h0 = *h0_in;
        c0 = *c0_in;
        return true;
    }
    if (!options_.stateful || !has_state_) return false;
    recurrent_detail::check_carried_batch(nm, "states", Shape(state_h_.shape().begin(), state_h_.shape().end()), xs);
    h0 = tape.constant(state_h_, nm + "/state_h");
    c0 = tape.constant(state_c_, nm + "/state_c");
    return true;
}

template <class T>
typename LSTM<T>::LSTMResult LSTM<T>::call(Tape<T>& tape, const Var<T>& x, const Var<T>* h0_in,
                                           const Var<T>* c0_in, const Mask* mask, bool training)
{
    const std::string nm = this->name();
    const Shape xs = recurrent_detail::input_shape(nm, x);
    build_features(xs[2]);
    const std::size_t nb = xs[0], nt = xs[1], nu = options_.units;

    Var<T> h0, c0;
    const bool have_state = initial_states(tape, xs, h0_in, c0_in, h0, c0);

    // A mask with no padded step changes nothing: both paths then run unmasked.
    StepMask steps;
    if (mask) steps = make_step_mask(*mask, xs, options_.go_backwards, nm);
    const bool masked = mask && !steps.none_masked();
    dropout_.draw_gates(masks_, training, 4, nb, xs[2], nu, nm);

    const Var<T> wx = tape.param(kernel);
    const Var<T> wh = tape.param(recurrent_kernel);
    Var<T> b;
    if (options_.use_bias) b = tape.param(bias);

    trace_.clear();
    LSTMFusedArgs<T> args{
        .activation = options_.activation,
        .recurrent_activation = options_.recurrent_activation,
        .go_backwards = options_.go_backwards,
        .return_sequences = options_.return_sequences,
        .mask = masked ? &steps : nullptr,
        .input_dropout = masks_.has_input() ? &masks_.input : nullptr,
        .recurrent_dropout = masks_.has_recurrent() ? &masks_.recurrent : nullptr,
        .trace = options_.trace ? &trace_ : nullptr,
    };
    LSTMFusedResult<T> states;
    if (options_.fused) {
        // Reuse the buffers of the previous call unless a live tape still holds its nodes.
        if (!workspace_ || workspace_.use_count() > 1)
            workspace_ = std::make_shared<LSTMWorkspace<T>>();
        args.workspace = workspace_;
        states = lstm_fused(x, wx, wh, options_.use_bias ? &b : nullptr,
                            have_state ? &h0 : nullptr, have_state ? &c0 : nullptr, args);
    } else {
        const Var<T> zero = tape.constant(zeros<T>({nb, nu}), nm + "/zero state");
        states = composed_states(tape, x, have_state ? h0 : zero, have_state ? c0 : zero,
                                 split_gates(wx, wh, options_.use_bias ? &b : nullptr, nu),
                                 options_.use_bias, args);
    }

    LSTMResult r;
    r.h = options_.return_sequences ? select(states.states, 1, nt - 1) : states.states;
    r.c = states.c;
    r.output = states.states;
    if (masked)
        r.output = recurrent_detail::masked_output(tape, nm, r.output, steps, options_.zero_output_for_mask, options_.return_sequences);
    if (options_.stateful) {
        state_h_ = r.h.value();
        state_c_ = r.c.value();
        has_state_ = true;
    }
    return r;
}

template <class T>
Var<T> LSTM<T>::forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx)
{
    return call(tape, x, nullptr, nullptr, ctx.mask, ctx.training).output;
}

template <class T>
typename RecurrentLayer<T>::Result LSTM<T>::call_states(Tape<T>& tape, const Var<T>& x,
                                                        const std::vector<Var<T>>& initial_states,
                                                        const CallContext& ctx)
{
    if (!initial_states.empty() && initial_states.size() != 2)
        throw Error(this->name() + ": an LSTM has two states (h, c), got " +
                    std::to_string(initial_states.size()) + " initial states");
    const bool given = !initial_states.empty();
    const LSTMResult r = call(tape, x, given ? &initial_states[0] : nullptr,
                              given ? &initial_states[1] : nullptr, ctx.mask, ctx.training);
    return {r.output, {r.h, r.c}};
}

template <class T>
std::optional<Mask> LSTM<T>::compute_mask(const Var<T>& x, const Mask* mask) const
{
    (void)x;
    if (!mask || !options_.return_sequences) return std::nullopt;
    return *mask;
}

// The rest of LSTM<T> is instantiated in layers/lstm.cpp.
#define ELMAN_INSTANTIATE(T)                                                                    \
    template typename LSTM<T>::LSTMResult LSTM<T>::call(Tape<T>&, const Var<T>&, const Var<T>*, \
                                                        const Var<T>*, const Mask*, bool);      \
    template Var<T> LSTM<T>::forward(Tape<T>&, const Var<T>&, const CallContext&);             \
    template typename RecurrentLayer<T>::Result LSTM<T>::call_states(                           \
        Tape<T>&, const Var<T>&, const std::vector<Var<T>>&, const CallContext&);               \
    template std::optional<Mask> LSTM<T>::compute_mask(const Var<T>&, const Mask*) const;      \
    template bool LSTM<T>::initial_states(Tape<T>&, const Shape&, const Var<T>*, const Var<T>*, \
                                          Var<T>&, Var<T>&) const;

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
