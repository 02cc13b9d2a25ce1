// SimpleRNN::call in stages: check the input, pick h_0, lay out the mask and draw the dropout
// masks, run one of the two paths, then turn the states into outputs:
//
//   fused:     simple_rnn_fused (layers/simple_rnn_fused.cpp): one node, BPTT by hand
//   composed:  composed_states below: primitive ops per step, BPTT from the tape
//   outputs:   y_s = e_s ⊙ h_s, with e_s = 0 only where a mask makes the output zeros
//              (layers/rnn_mask.hpp)
#include "core/error.hpp"
#include "core/init.hpp"
#include "core/ops.hpp"
#include "layers/simple_rnn.hpp"
#include "layers/recurrent_common.hpp"

namespace elman {

namespace {

// Trace mode on the composed path: records a_s and h_s, and passes h_s on through an identity
// node whose backward copies the total dL/dh_s into the trace before handing it back.
template <class T>
Var<T> traced(const Var<T>& h, const Var<T>& a, RNNTrace<T>& trace, std::size_t s, std::size_t nb,
              std::size_t nu)
{
    RNNTrace<T>::push(trace.a, a.value().data(), nb, nu);
    RNNTrace<T>::push(trace.h, h.value().data(), nb, nu);
    RNNTrace<T>* tr = &trace;
    return record<T>("trace", h.value(), {h}, [tr, s, nb, nu](BackwardContext<T>& c) {
        RNNTrace<T>::put(tr->dh, s, c.grad().data(), nb, nu);
        c.add_grad(0, c.grad());
    });
}

// The composed path: every step from primitive tape ops. Returns the states, [B,T,U] in
// processing order with return_sequences, else the last one [B,U].
template <class T>
Var<T> composed_states(Tape<T>& tape, const Var<T>& x, Var<T> h, const Var<T>& wx,
                       const Var<T>& wh, const Var<T>* b, const SimpleRNNFusedArgs<T>& args)
{
    const Shape xs = x.shape();
    const std::size_t nb = xs[0], nt = xs[1];
    const std::size_t nu = wh.shape()[0];
    Var<T> dx_mask, dh_mask;
    if (args.input_dropout) dx_mask = tape.constant(*args.input_dropout, "dropout mask");
    if (args.recurrent_dropout)
        dh_mask = tape.constant(*args.recurrent_dropout, "recurrent_dropout mask");
    std::vector<Var<T>> hs;
    if (args.return_sequences) hs.reserve(nt);
    for (std::size_t s = 0; s < nt; ++s) {
        const std::size_t t = args.go_backwards ? nt - 1 - s : s;
        // dropout: x_s ⊙ d_x and h_{s−1} ⊙ d_h, the same masks at every step
        Var<T> x_s = select(x, 1, t);
        if (args.input_dropout) x_s = mul(x_s, dx_mask);
        const Var<T> h_in = args.recurrent_dropout ? mul(h, dh_mask) : h;
        // a_s = x_s·W_x + h_{s−1}·W_h + b      [B,F]·[F,U] + [B,U]·[U,U] + [U]
        Var<T> a = add(matmul(x_s, wx), matmul(h_in, wh));
        if (b) a = add(a, *b);
        // h_s = act(a_s): the state and the output of step s; a padded step keeps h_{s−1}
        const Var<T> candidate = activate(a, args.activation);
        const bool padded = args.mask && !args.mask->step_all_real(s);
        h = padded ? carry_state(tape, candidate, h, *args.mask, s) : candidate;
        if (args.trace) h = traced(h, a, *args.trace, s, nb, nu);
        if (args.return_sequences) hs.push_back(h);
    }
    return args.return_sequences ? stack(hs, 1) : h;
}

}  // namespace

// h_0: the given initial state, else the carried one (stateful), else none (zeros).
template <class T>
bool SimpleRNN<T>::initial_h0(Tape<T>& tape, const Shape& xs, const Var<T>* initial_state,
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
typename SimpleRNN<T>::RNNResult SimpleRNN<T>::call(Tape<T>& tape, const Var<T>& x,
                                                    const Var<T>* initial_state,
                                                    const Mask* mask, bool training)
{
    const std::string nm = this->name();
    const Shape xs = recurrent_detail::input_shape(nm, x);
    build_features(xs[2]);
    const std::size_t nb = xs[0];
    const std::size_t nt = xs[1];
    const std::size_t nu = options_.units;

    Var<T> h0;
    const bool have_h0 = initial_h0(tape, xs, initial_state, h0);

    // A mask with no padded step changes nothing: both paths then run unmasked.
    StepMask steps;
    if (mask) steps = make_step_mask(*mask, xs, options_.go_backwards, nm);
    const bool masked = mask && !steps.none_masked();
    dropout_.draw(masks_, training, nb, xs[2], nu, nm);

    const Var<T> wx = tape.param(kernel);
    const Var<T> wh = tape.param(recurrent_kernel);
    Var<T> b;
    if (options_.use_bias) b = tape.param(bias);

    trace_.clear();
    SimpleRNNFusedArgs<T> args{
        .activation = options_.activation,
        .go_backwards = options_.go_backwards,
        .return_sequences = options_.return_sequences,
        .mask = masked ? &steps : nullptr,
        .input_dropout = masks_.has_input() ? &masks_.input : nullptr,
        .recurrent_dropout = masks_.has_recurrent() ? &masks_.recurrent : nullptr,
        .trace = options_.trace ? &trace_ : nullptr,
    };
    Var<T> states;
    if (options_.fused) {
        // Reuse the buffers of the previous call unless a live tape still holds its node (the
        // node shares the workspace, so then the count is above 1).
        if (!workspace_ || workspace_.use_count() > 1)
            workspace_ = std::make_shared<SimpleRNNWorkspace<T>>();
        args.workspace = workspace_;
        states = simple_rnn_fused(x, wx, wh, options_.use_bias ? &b : nullptr,
                                  have_h0 ? &h0 : nullptr, args);
    } else {
        const Var<T> start = have_h0 ? h0 : tape.constant(zeros<T>({nb, nu}), nm + "/h0");
        states = composed_states(tape, x, start, wx, wh, options_.use_bias ? &b : nullptr, args);
    }

    RNNResult r;
    r.state = options_.return_sequences ? select(states, 1, nt - 1) : states;
    r.output = states;
    if (masked)
        r.output = recurrent_detail::masked_output(tape, nm, r.output, steps, options_.zero_output_for_mask, options_.return_sequences);
    if (options_.stateful) {
        state_ = r.state.value();
        has_state_ = true;
    }
    return r;
}

template <class T>
Var<T> SimpleRNN<T>::forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx)
{
    return call(tape, x, nullptr, ctx.mask, ctx.training).output;
}

template <class T>
typename RecurrentLayer<T>::Result SimpleRNN<T>::call_states(
    Tape<T>& tape, const Var<T>& x, const std::vector<Var<T>>& initial_states,
    const CallContext& ctx)
{
    if (initial_states.size() > 1)
        throw Error(this->name() + ": SimpleRNN has one state, got " +
                    std::to_string(initial_states.size()) + " initial states");
    const RNNResult r = call(tape, x, initial_states.empty() ? nullptr : &initial_states[0],
                             ctx.mask, ctx.training);
    return {r.output, {r.state}};
}

template <class T>
std::optional<Mask> SimpleRNN<T>::compute_mask(const Var<T>& x, const Mask* mask) const
{
    (void)x;
    if (!mask || !options_.return_sequences) return std::nullopt;
    return *mask;
}

// The rest of SimpleRNN<T> is instantiated in layers/simple_rnn.cpp.
#define ELMAN_INSTANTIATE(T)                                                                    \
    template typename SimpleRNN<T>::RNNResult SimpleRNN<T>::call(                               \
        Tape<T>&, const Var<T>&, const Var<T>*, const Mask*, bool);                             \
    template Var<T> SimpleRNN<T>::forward(Tape<T>&, const Var<T>&, const CallContext&);        \
    template typename RecurrentLayer<T>::Result SimpleRNN<T>::call_states(                      \
        Tape<T>&, const Var<T>&, const std::vector<Var<T>>&, const CallContext&);               \
    template std::optional<Mask> SimpleRNN<T>::compute_mask(const Var<T>&, const Mask*) const; \
    template bool SimpleRNN<T>::initial_h0(Tape<T>&, const Shape&, const Var<T>*, Var<T>&) const;

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
