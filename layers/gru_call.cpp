// GRU::call in stages: check the input, pick h_0, lay out the mask and draw the dropout masks,
// run one of the two paths, then turn the states into outputs:
//
//   fused:     gru_fused (layers/gru_fused.cpp): one node, BPTT by hand
//   composed:  composed_states below: primitive ops per step and gate, BPTT from the tape
//   outputs:   y_s = e_s ⊙ h_s, with e_s = 0 only where a mask makes the output zeros
//              (layers/rnn_mask.hpp)
#include <array>
#include <optional>

#include <xtensor/xview.hpp>

#include "core/error.hpp"
#include "core/init.hpp"
#include "core/ops.hpp"
#include "layers/gru.hpp"
#include "layers/rnn_trace.hpp"
#include "layers/recurrent_common.hpp"

namespace elman {

namespace {

// Gate g's block of a weight whose last axis is [z | r | h] (3U): w[..., g·U:(g+1)·U] as tape
// ops (reshape to [..., 3, U], select g), so that its gradient lands in the right columns.
template <class T>
Var<T> gate_block(const Var<T>& w, std::size_t g, std::size_t nu)
{
    Shape s = w.shape();
    const int axis = static_cast<int>(s.size()) - 1;
    s.back() = 3;
    s.push_back(nu);
    return select(reshape(w, s), axis, g);
}

// Mask g of a [G,B,·] dropout mask tensor as a constant (G = 1: the mask of every gate).
template <class T>
Var<T> gate_mask(Tape<T>& tape, const Tensor<T>& masks, std::size_t g, const char* label)
{
    const std::size_t k = masks.shape()[0] == 1 ? 0 : g;
    return tape.constant(Tensor<T>(xt::view(masks, k, xt::all(), xt::all())), label);
}

// The weights of one call split by gate g = z, r, h, and the dropout masks.
template <class T>
struct Gates {
    Var<T> w[3], r[3];                       // W_g [F,U], R_g [U,U]
    std::optional<Var<T>> bx[3], bh[3];      // b^x_g, b^h_g [U] (b^h with reset_after only)
    std::optional<Var<T>> dx[3], dh[3];      // d_x^g [B,F], d_h^g [B,U]
};

template <class T>
Gates<T> split_gates(Tape<T>& tape, const Var<T>& w, const Var<T>& r, const Var<T>* b,
                     std::size_t nu, const GRUFusedArgs<T>& args)
{
    Gates<T> k;
    for (std::size_t g = 0; g < 3; ++g) {
        k.w[g] = gate_block(w, g, nu);
        k.r[g] = gate_block(r, g, nu);
        if (b && args.reset_after) {
            k.bx[g] = gate_block(select(*b, 0, 0), g, nu);
            k.bh[g] = gate_block(select(*b, 0, 1), g, nu);
        } else if (b) {
            k.bx[g] = gate_block(*b, g, nu);
        }
        if (args.input_dropout) k.dx[g] = gate_mask(tape, *args.input_dropout, g, "dropout mask");
        if (args.recurrent_dropout)
            k.dh[g] = gate_mask(tape, *args.recurrent_dropout, g, "recurrent_dropout mask");
    }
    return k;
}

// v ⊙ m when there is a mask m, else v
template <class T>
Var<T> maybe_mul(const Var<T>& v, const std::optional<Var<T>>& m)
{
    return m ? mul(v, *m) : v;
}

template <class T>
Var<T> maybe_add(const Var<T>& v, const std::optional<Var<T>>& b)
{
    return b ? add(v, *b) : v;
}

// One step of the cell (the equations of layers/gru.hpp), h the state before it:
//   a^x_g = (x_s ⊙ d_x^g)·W_g + b^x_g           [B,F]·[F,U] + [U]
//   z = σ(a^x_z + (h ⊙ d_h^z)·R_z + b^h_z)      r likewise
//   ĥ = act(a^x_h + r ⊙ ((h ⊙ d_h^h)·R_h + b^h_h))      reset_after
//   ĥ = act(a^x_h + (r ⊙ h ⊙ d_h^h)·R_h)                not
//   h_s = z ⊙ h + (1 − z) ⊙ ĥ
// Returns {z, r, ĥ, h_s}.
template <class T>
std::array<Var<T>, 4> cell(const Var<T>& x_s, const Var<T>& h, const Gates<T>& k,
                           const GRUFusedArgs<T>& args)
{
    Var<T> gate[3];
    for (std::size_t g = 0; g < 3; ++g)
        gate[g] = maybe_add(matmul(maybe_mul(x_s, k.dx[g]), k.w[g]), k.bx[g]);
    for (std::size_t g = 0; g < 2; ++g)
        gate[g] = activate(
            maybe_add(add(gate[g], matmul(maybe_mul(h, k.dh[g]), k.r[g])), k.bh[g]),
            args.recurrent_activation);
    const Var<T>& z = gate[0];
    const Var<T>& r = gate[1];
    const Var<T> recurrent =
        args.reset_after ? mul(r, maybe_add(matmul(maybe_mul(h, k.dh[2]), k.r[2]), k.bh[2]))
                         : matmul(mul(r, maybe_mul(h, k.dh[2])), k.r[2]);
    const Var<T> hh = activate(add(gate[2], recurrent), args.activation);
    const Var<T> h_s = add(mul(z, h), mul(rsub_scalar(z, T(1)), hh));
    return {z, r, hh, h_s};
}

// Trace mode on the composed path: records z, r, ĥ, h_s and passes h_s on through an identity
// node whose backward copies the total dL/dh_s into the trace before handing it back.
template <class T>
Var<T> traced(const std::array<Var<T>, 4>& c, const Var<T>& h, GRUTrace<T>& trace,
              std::size_t s)
{
    const Shape hs = h.shape();
    const std::size_t nb = hs[0], nu = hs[1];
    std::vector<Tensor<T>>* to[3] = {&trace.z, &trace.r, &trace.hh};
    for (std::size_t k = 0; k < 3; ++k) RNNTrace<T>::push(*to[k], c[k].value().data(), nb, nu);
    RNNTrace<T>::push(trace.h, h.value().data(), nb, nu);
    GRUTrace<T>* tr = &trace;
    return record<T>("trace", h.value(), {h}, [tr, s, nb, nu](BackwardContext<T>& ctx) {
        RNNTrace<T>::put(tr->dh, s, ctx.grad().data(), nb, nu);
        ctx.add_grad(0, ctx.grad());
    });
}

// The composed path: every step from primitive tape ops. Returns the states, [B,T,U] in
// processing order with return_sequences, else the last one [B,U].
template <class T>
Var<T> composed_states(Tape<T>& tape, const Var<T>& x, Var<T> h, const Var<T>& w,
                       const Var<T>& r, const Var<T>* b, const GRUFusedArgs<T>& args)
{
    const std::size_t nt = x.shape()[1];
    const std::size_t nu = r.shape()[0];
    const Gates<T> k = split_gates(tape, w, r, b, nu, args);
    std::vector<Var<T>> hs;
    if (args.return_sequences) hs.reserve(nt);
    for (std::size_t s = 0; s < nt; ++s) {
        const std::size_t t = args.go_backwards ? nt - 1 - s : s;
        const std::array<Var<T>, 4> c = cell(select(x, 1, t), h, k, args);
        // a padded step keeps the state before it
        const bool padded = args.mask && !args.mask->step_all_real(s);
        h = padded ? carry_state(tape, c[3], h, *args.mask, s) : c[3];
        if (args.trace) h = traced(c, h, *args.trace, s);
        if (args.return_sequences) hs.push_back(h);
    }
    return args.return_sequences ? stack(hs, 1) : h;
}

}  // namespace

// h_0: the given initial state, else the carried one (stateful), else none (zeros).
template <class T>
bool GRU<T>::initial_h0(Tape<T>& tape, const Shape& xs, const Var<T>* initial_state,
                        Var<T>& h0) const
{
    const std::string nm = this->name();
    if (initial_state) {
        recurrent_detail::check_initial_state(nm, "initial_state", *initial_state, xs, options_.units);
        h0 = *initial_state;
        return true;
    }
    if (!options_.stateful || !has_state_) return false;
    recurrent_detail::check_carried_batch(nm, "a state", Shape(state_.shape().begin(), state_.shape().end()), xs);
    h0 = tape.constant(state_, nm + "/state");
    return true;
}

template <class T>
typename GRU<T>::GRUResult GRU<T>::call(Tape<T>& tape, const Var<T>& x,
                                        const Var<T>* initial_state, const Mask* mask,
                                        bool training)
{
    const std::string nm = this->name();
    const Shape xs = recurrent_detail::input_shape(nm, x);
    build_features(xs[2]);
    const std::size_t nb = xs[0], nt = xs[1], nu = options_.units;

    Var<T> h0;
    const bool have_h0 = initial_h0(tape, xs, initial_state, h0);
    // A mask with no padded step changes nothing: both paths then run unmasked.
    StepMask steps;
    if (mask) steps = make_step_mask(*mask, xs, options_.go_backwards, nm);
    const bool masked = mask && !steps.none_masked();
    dropout_.draw_gates(masks_, training, 3, nb, xs[2], nu, nm);

    const Var<T> w = tape.param(kernel);
    const Var<T> r = tape.param(recurrent_kernel);
    Var<T> b;
    if (options_.use_bias) b = tape.param(bias);
    trace_.clear();
    GRUFusedArgs<T> args{
        .activation = options_.activation,
        .recurrent_activation = options_.recurrent_activation,
        .reset_after = options_.reset_after,
        .go_backwards = options_.go_backwards,
        .return_sequences = options_.return_sequences,
        .mask = masked ? &steps : nullptr,
        .input_dropout = masks_.has_input() ? &masks_.input : nullptr,
        .recurrent_dropout = masks_.has_recurrent() ? &masks_.recurrent : nullptr,
        .trace = options_.trace ? &trace_ : nullptr,
    };
    Var<T> states;
    if (options_.fused) {
        // Reuse the buffers of the previous call unless a live tape still holds its node.
        if (!workspace_ || workspace_.use_count() > 1)
            workspace_ = std::make_shared<GRUWorkspace<T>>();
        args.workspace = workspace_;
        states = gru_fused(x, w, r, options_.use_bias ? &b : nullptr, have_h0 ? &h0 : nullptr,
                           args);
    } else {
        const Var<T> start = have_h0 ? h0 : tape.constant(zeros<T>({nb, nu}), nm + "/h0");
        states = composed_states(tape, x, start, w, r, options_.use_bias ? &b : nullptr, args);
    }

    GRUResult out;
    out.state = options_.return_sequences ? select(states, 1, nt - 1) : states;
    out.output = states;
    if (masked)
        out.output = recurrent_detail::masked_output(tape, nm, out.output, steps, options_.zero_output_for_mask, options_.return_sequences);
    if (options_.stateful) {
        state_ = out.state.value();
        has_state_ = true;
    }
    return out;
}

template <class T>
Var<T> GRU<T>::forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx)
{
    return call(tape, x, nullptr, ctx.mask, ctx.training).output;
}

template <class T>
typename RecurrentLayer<T>::Result GRU<T>::call_states(Tape<T>& tape, const Var<T>& x,
                                                       const std::vector<Var<T>>& initial_states,
                                                       const CallContext& ctx)
{
    if (initial_states.size() > 1)
        throw Error(this->name() + ": GRU has one state, got " +
                    std::to_string(initial_states.size()) + " initial states");
    const GRUResult r = call(tape, x, initial_states.empty() ? nullptr : &initial_states[0],
                             ctx.mask, ctx.training);
    return {r.output, {r.state}};
}

template <class T>
std::optional<Mask> GRU<T>::compute_mask(const Var<T>& x, const Mask* mask) const
{
    (void)x;
    if (!mask || !options_.return_sequences) return std::nullopt;
    return *mask;
}

// The rest of GRU<T> is instantiated in layers/gru.cpp.
#define ELMAN_INSTANTIATE(T)                                                                   \
    template typename GRU<T>::GRUResult GRU<T>::call(Tape<T>&, const Var<T>&, const Var<T>*,   \
                                                     const Mask*, bool);                       \
    template Var<T> GRU<T>::forward(Tape<T>&, const Var<T>&, const CallContext&);             \
    template typename RecurrentLayer<T>::Result GRU<T>::call_states(                           \
        Tape<T>&, const Var<T>&, const std::vector<Var<T>>&, const CallContext&);              \
    template std::optional<Mask> GRU<T>::compute_mask(const Var<T>&, const Mask*) const;      \
    template bool GRU<T>::initial_h0(Tape<T>&, const Shape&, const Var<T>*, Var<T>&) const;

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
