// The fused LSTM: one tape node for the whole sequence, BPTT written out by hand. The cell's
// elementwise equations (gates, c, h and their δ) are in layers/lstm_cell.cpp, the matrix
// products in layers/lstm_products.cpp; this file holds the buffers and the loops over time.
//
// Buffers (time-major, contiguous, so every per-step operand is one block):
//   X:[T,B,F]     X[s] = x[:, t(s), :] ⊙ d_x  in processing order, t(s) = s (or T−1−s going
//                 backwards); with per-gate input masks one copy per gate, [4,T,B,F]
//   Z:[T,B,4U]    Z[s] = [z_i | z_f | z_c | z_o] of step s, then the gates i, f, g, o; in
//                 backward δ_s = dL/dZ[s] overwrites them. With recurrent dropout (one mask d^k_h
//                 per gate, Keras 3.8+) Z is per gate, [4,T,B,U] (lstm_products.cpp).
//   states        H[s] = h_{s−1}, C[s] = c_{s−1} (H[0] = h_0, C[0] = c_0) are kept only at the
//                 start of every chunk of K steps; the states inside a chunk live in Hc, Cc
//                 [K+1,B,U] and are recomputed from Z's gates in backward (the cell's
//                 elementwise update, no GEMM): an LSTM stores 4U gates per step, and keeping
//                 2U states besides would be 50% more memory (W3: 26 MB of gates, 13 of states)
//   M:[T,B]       m_s[b] = 1 for a real step, 0 for padding (layers/rnn_mask.hpp)
//
// forward:   Z = 1·bᵀ + X·W_x                one GEMM for all steps [T·B,F]·[F,4U]
//            Z[s] += H[s]·W_h                one [B,U]·[U,4U] GEMM per step, beta = 1
//            gates, C[s+1], H[s+1]           the cell; padded rows carry C[s] and H[s]
// backward, chunk by chunk from the last, s = e−1 .. a inside, gh = dL/dh_s and gc = dL/dc_s:
//            Hc, Cc of the chunk             recomputed from its first states and Z's gates
//            gh += dL/dh_s from the output            (every step, or only the last)
//            padded rows: gh_{s−1} += gh, gc passes   the step is skipped
//            δ_s and gc ← dL/dc_{s−1}                 the cell's backward (lstm_cell.cpp)
//            gh_{s−1} += δ_s·W_hᵀ                     [B,4U]·[4U,U], W_hᵀ stored once per backward
//   per chunk  dW_h += H[a..e)ᵀ·D[a..e)               one GEMM over the chunk's rows
//   then     dW_x += Xᵀ·D     db += Dᵀ·1              one GEMM each over all T·B rows
//            dx[:, t(s)] += (δ_s·W_xᵀ) ⊙ d_x          one GEMM, then scattered
//            dh_0 = gh, dc_0 = gc after step 0
// dL/dc_T (from the final-c output) is gc's start. Both passes run with denormals flushed to zero
// (core/denormals.hpp). The buffers live in an LSTMWorkspace the layer reuses across
// training steps.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <utility>

#include "core/error.hpp"
#include "core/denormals.hpp"
#include "layers/lstm_fused_parts.hpp"
#include "layers/rnn_trace.hpp"

namespace elman {

using namespace lstm_detail;

namespace {

// K: the whole sequence when its states are small (3·T·B·U values up to 1 Mi, 4 MB in float),
// else about √T steps (the checkpoints T/K and a chunk K cost least near there) and at least
// 256 rows per dW_h GEMM. `asked` > 0 overrides (tests).
std::size_t chunk_steps(const Dims& n, std::size_t asked)
{
    if (asked) return std::min(asked, n.nt);
    if (3 * n.nt * n.bu() <= (std::size_t{1} << 20)) return n.nt;
    const auto root = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(n.nt))));
    return std::min(n.nt, std::max(root, (256 + n.nb - 1) / n.nb));
}

// One step's states: Cc[j+1], Hc[j+1] from Cc[j] and Z[s]'s gates; padded rows keep Cc[j], Hc[j].
template <class T>
void advance_state(LSTMWorkspace<T>& ws, const Pass<T>& p, std::size_t s, std::size_t j)
{
    const std::size_t bu = p.n.bu();
    T* cs = ws.cc.data() + (j + 1) * bu;
    T* hs = ws.hc.data() + (j + 1) * bu;
    lstm_state_forward(ws.z.data() + s * p.layout.step, p.layout.cell, cs - bu, cs,
                       ws.tc.data(), hs, p.n.nb, p.n.nu, p.act);
    if (ws.mask.steps != 0 && !ws.mask.step_all_real(s)) {
        carry_padded_rows(ws.mask.at(s), cs - bu, cs, p.n.nb, p.n.nu);
        carry_padded_rows(ws.mask.at(s), hs - bu, hs, p.n.nb, p.n.nu);
    }
}

// Appends gate k of step block zs as a [B,U] tensor.
template <class T>
void push_gate(std::vector<Tensor<T>>& to, const T* zs, const GateLayout& l, std::size_t k,
               std::size_t nb, std::size_t nu)
{
    Tensor<T> block = Tensor<T>::from_shape({nb, nu});
    for (std::size_t b = 0; b < nb; ++b)
        std::copy_n(zs + k * l.gate + b * l.row, nu, block.data() + b * nu);
    to.push_back(std::move(block));
}

// Fills Z and the checkpoints, writes the h states into `out` ([B,T,U] or [B,U]) and the last c
// into c_last [B,U]; leaves the last chunk's states in Hc, Cc.
template <class T>
void forward_steps(LSTMWorkspace<T>& ws, const Pass<T>& p, const T* bias, const T* h0,
                   const T* c0, T* out, T* c_last)
{
    const Dims& n = p.n;
    const std::size_t bu = n.bu(), k = p.chunk;
    h0 ? std::copy_n(h0, bu, ws.hc.data()) : std::fill_n(ws.hc.data(), bu, T(0));
    c0 ? std::copy_n(c0, bu, ws.cc.data()) : std::fill_n(ws.cc.data(), bu, T(0));
    input_projection(ws, p, bias);
    LSTMTrace<T>* tr = p.trace;
    for (std::size_t a = 0; a < n.nt; a += k) {
        if (a > 0) {  // the previous chunk's last states start this one
            std::copy_n(ws.hc.data() + k * bu, bu, ws.hc.data());
            std::copy_n(ws.cc.data() + k * bu, bu, ws.cc.data());
        }
        std::copy_n(ws.hc.data(), bu, ws.ckpt_h.data() + (a / k) * bu);
        std::copy_n(ws.cc.data(), bu, ws.ckpt_c.data() + (a / k) * bu);
        for (std::size_t s = a; s < std::min(a + k, n.nt); ++s) {
            const std::size_t j = s - a;
            T* zs = ws.z.data() + s * p.layout.step;
            recurrent_product(ws, p, s, ws.hc.data() + j * bu);
            lstm_gates_forward(zs, p.layout.cell, n.nb, n.nu, p.act, p.rec);
            if (tr) {
                std::vector<Tensor<T>>* gates[4] = {&tr->i, &tr->f, &tr->g, &tr->o};
                for (std::size_t q = 0; q < 4; ++q)
                    push_gate(*gates[q], zs, p.layout.cell, q, n.nb, n.nu);
            }
            advance_state(ws, p, s, j);
            const T* hs = ws.hc.data() + (j + 1) * bu;
            if (tr) {
                RNNTrace<T>::push(tr->c, ws.cc.data() + (j + 1) * bu, n.nb, n.nu);
                RNNTrace<T>::push(tr->h, hs, n.nb, n.nu);
            }
            // out[b,s,:] = h_s (return_sequences), else h after the last step
            if (p.return_sequences)
                for (std::size_t b = 0; b < n.nb; ++b)
                    std::copy_n(hs + b * n.nu, n.nu, out + (b * n.nt + s) * n.nu);
            else if (s + 1 == n.nt)
                std::copy_n(hs, bu, out);
            if (s + 1 == n.nt) std::copy_n(ws.cc.data() + (j + 1) * bu, bu, c_last);
        }
    }
    ws.last_chunk_ready = true;
}

// Hc, Cc of the chunk starting at step a, from its checkpoint and Z's gates (the forward's own
// elementwise update, so the very same numbers).
template <class T>
void recompute_chunk(LSTMWorkspace<T>& ws, const Pass<T>& p, std::size_t a)
{
    const std::size_t bu = p.n.bu();
    std::copy_n(ws.ckpt_h.data() + (a / p.chunk) * bu, bu, ws.hc.data());
    std::copy_n(ws.ckpt_c.data() + (a / p.chunk) * bu, bu, ws.cc.data());
    for (std::size_t s = a; s < std::min(a + p.chunk, p.n.nt); ++s) advance_state(ws, p, s, s - a);
}

// gh += dL/dh_s from the output: out is [B,T,U] (return_sequences) or [B,U] (last step only)
template <class T>
void add_output_gradient(T* gh, const T* out, const Dims& n, std::size_t s, bool return_sequences)
{
    if (!return_sequences) {
        if (s + 1 == n.nt)
            for (std::size_t i = 0; i < n.bu(); ++i) gh[i] += out[i];
        return;
    }
    for (std::size_t b = 0; b < n.nb; ++b) {
        const T* src = out + (b * n.nt + s) * n.nu;
        for (std::size_t u = 0; u < n.nu; ++u) gh[b * n.nu + u] += src[u];
    }
}

// Step s of the backward pass (see the top of the file), j its place in the chunk.
template <class T>
void step_backward(LSTMWorkspace<T>& ws, const Pass<T>& p, const T* out_grad, std::size_t s,
                   std::size_t j, bool need_state0)
{
    const Dims& n = p.n;
    const std::size_t bu = n.bu();
    add_output_gradient(ws.gh.data(), out_grad, n, s, p.return_sequences);
    if (p.trace) RNNTrace<T>::put(p.trace->dh, s, ws.gh.data(), n.nb, n.nu);
    std::fill(ws.gh_prev.begin(), ws.gh_prev.end(), T(0));
    const unsigned char* real = nullptr;
    if (ws.mask.steps != 0 && !ws.mask.step_all_real(s)) {
        real = ws.mask.at(s);
        pass_padded_rows(real, ws.gh.data(), ws.gh_prev.data(), n.nb, n.nu);
    }
    // act(c_s), recomputed rather than stored
    std::copy_n(ws.cc.data() + (j + 1) * bu, bu, ws.tc.data());
    activate_inplace(p.act, ws.tc.data(), bu);
    const LSTMStepGrads<T> g{.c_prev = ws.cc.data() + j * bu, .tc = ws.tc.data(),
                             .gh = ws.gh.data(), .gc = ws.gc.data(),
                             .dc_total = p.trace ? ws.dc_total.data() : nullptr,
                             .real = real, .scratch = ws.scratch.data()};
    lstm_step_backward(ws.z.data() + s * p.layout.step, p.layout.cell, g, n.nb, n.nu, p.act,
                       p.rec);
    if (p.trace) RNNTrace<T>::put(p.trace->dc, s, ws.dc_total.data(), n.nb, n.nu);
    if (s > 0 || need_state0) recurrent_gradient(ws, p, s, ws.gh_prev.data());
    std::swap(ws.gh, ws.gh_prev);
}

// Turns Z's gates into δ, chunk by chunk from the last, and adds dW_h; leaves dL/dh_0 in ws.gh
// and dL/dc_0 in ws.gc.
template <class T>
void backprop_through_time(LSTMWorkspace<T>& ws, const Pass<T>& p, const T* out_grad,
                           bool need_state0, T* dwh)
{
    const Dims& n = p.n;
    const std::size_t bu = n.bu(), k = p.chunk;
    ws.gh.assign(bu, T(0));
    ws.gh_prev.resize(bu);
    if (ws.has_dc_out)
        ws.gc = ws.dc_out;
    else
        ws.gc.assign(bu, T(0));
    ws.has_dc_out = false;
    if (p.trace) ws.dc_total.resize(bu);
    // a: the chunks' first steps, the last chunk first (the forward left its states in Hc, Cc)
    const std::size_t last = (n.nt - 1) / k * k;
    for (std::size_t a = last;; a -= k) {
        if (a != last || !ws.last_chunk_ready) recompute_chunk(ws, p, a);
        const std::size_t e = std::min(a + k, n.nt);
        for (std::size_t s = e; s-- > a;) step_backward(ws, p, out_grad, s, s - a, need_state0);
        if (dwh) recurrent_weight_gradient(ws, p, a, e, ws.hc.data(), dwh);
        if (a == 0) break;
    }
    ws.last_chunk_ready = false;
}

// The dropout masks and the step mask into the workspace; returns the input mask count G.
template <class T>
std::size_t keep_masks(LSTMWorkspace<T>& ws, const LSTMFusedArgs<T>& args)
{
    const auto keep = [](const Tensor<T>* m, AlignedVector<T>& to) {
        if (m)
            to.assign(m->data(), m->data() + m->size());
        else
            to.clear();
    };
    keep(args.input_dropout, ws.dx_mask);
    keep(args.recurrent_dropout, ws.dh_mask);
    ws.mask = args.mask ? *args.mask : StepMask{};
    return args.input_dropout ? args.input_dropout->shape()[0] : 0;
}

// Sizes every buffer for the pass (resize keeps the capacity: nothing of size T is allocated
// from the second training step on) and packs the gate blocks of the weights when per gate.
template <class T>
void prepare(LSTMWorkspace<T>& ws, const Pass<T>& p)
{
    const Dims& n = p.n;
    const std::size_t bu = n.bu(), chunks = (n.nt + p.chunk - 1) / p.chunk;
    ws.z.resize(n.rows() * 4 * n.nu);
    ws.hc.resize((p.chunk + 1) * bu);
    ws.cc.resize((p.chunk + 1) * bu);
    ws.ckpt_h.resize(chunks * bu);
    ws.ckpt_c.resize(chunks * bu);
    ws.tc.resize(bu);
    ws.scratch.resize(std::max({5 * n.nu, bu, n.nu * n.nu, n.nf * n.nu,
                                p.input_masks == 4 ? n.rows() * n.nf : 0}));
    if (p.layout.per_gate) {
        pack_gates(p.wx, n.nf, n.nu, ws.wx);
        pack_gates(p.wh, n.nu, n.nu, ws.wh);
        if (!ws.dh_mask.empty()) ws.r.resize(p.chunk * bu);
    }
}

}  // namespace

template <class T>
LSTMFusedResult<T> lstm_fused(const Var<T>& x, const Var<T>& kernel,
                              const Var<T>& recurrent_kernel, const Var<T>* bias, const Var<T>* h0,
                              const Var<T>* c0, const LSTMFusedArgs<T>& args)
{
    const Tensor<T>& xv = x.value("lstm_fused");
    const Dims n{xv.shape()[0], xv.shape()[1], xv.shape()[2],
                 recurrent_kernel.value("lstm_fused").shape()[0]};
    if ((h0 == nullptr) != (c0 == nullptr))
        throw Error("lstm_fused: give both initial states h0 and c0, or neither");
    const FlushDenormals ftz;

    std::shared_ptr<LSTMWorkspace<T>> workspace = args.workspace;
    if (!workspace) workspace = std::make_shared<LSTMWorkspace<T>>();
    LSTMWorkspace<T>& ws = *workspace;
    const std::size_t input_masks = keep_masks(ws, args);
    const bool per_gate = args.recurrent_dropout || input_masks == 4;
    const Pass<T> p{n, layout_for(per_gate, n), kernel.value().data(),
                    recurrent_kernel.value().data(), args.activation, args.recurrent_activation,
                    args.go_backwards, args.return_sequences, input_masks,
                    chunk_steps(n, args.chunk_steps), args.trace};
    prepare(ws, p);
    load_inputs(ws, xv.data(), p);
    Tensor<T> states = args.return_sequences ? Tensor<T>::from_shape({n.nb, n.nt, n.nu})
                                             : Tensor<T>::from_shape({n.nb, n.nu});
    Tensor<T> c_last = Tensor<T>::from_shape({n.nb, n.nu});
    forward_steps(ws, p, bias ? bias->value().data() : nullptr, h0 ? h0->value().data() : nullptr,
                  c0 ? c0->value().data() : nullptr, states.data(), c_last.data());
    ws.has_dc_out = false;

    std::vector<Var<T>> inputs{x, kernel, recurrent_kernel};
    const std::size_t bias_k = bias ? inputs.size() : 0;
    if (bias) inputs.push_back(*bias);
    const std::size_t h0_k = h0 ? inputs.size() : 0;
    if (h0) inputs.insert(inputs.end(), {*h0, *c0});

    LSTMFusedResult<T> r;
    r.states = record<T>(
        "lstm_fused", std::move(states), inputs,
        [workspace, forward_pass = p, bias_k, h0_k](BackwardContext<T>& c) {
            const FlushDenormals ftz;
            LSTMWorkspace<T>& ws = *workspace;
            Pass<T> p = forward_pass;
            p.wx = c.input(1).data();
            p.wh = c.input(2).data();
            const bool need_state0 = h0_k && (c.needs_grad(h0_k) || c.needs_grad(h0_k + 1));
            transpose_recurrent_kernel(ws, p);
            backprop_through_time(ws, p, c.grad().data(), need_state0,
                                  c.needs_grad(2) ? c.grad_buffer(2).data() : nullptr);
            // dh_0 += gh, dc_0 += gc after the first step
            for (std::size_t k = 0; need_state0 && k < 2; ++k) {
                if (!c.needs_grad(h0_k + k)) continue;
                T* d = c.grad_buffer(h0_k + k).data();
                const AlignedVector<T>& g = k == 0 ? ws.gh : ws.gc;
                for (std::size_t i = 0; i < p.n.bu(); ++i) d[i] += g[i];
            }
            input_weight_gradients(ws, p, c.needs_grad(1) ? c.grad_buffer(1).data() : nullptr,
                                   bias_k && c.needs_grad(bias_k) ? c.grad_buffer(bias_k).data()
                                                                  : nullptr);
            if (c.needs_grad(0)) input_gradient(ws, p, c.grad_buffer(0).data());
        });

    // The final c: a second node after the first, so its backward runs first and leaves
    // dL/dc_T where the first one's BPTT starts from.
    r.c = record<T>("lstm_fused_c", std::move(c_last), {r.states},
                    [workspace](BackwardContext<T>& c) {
                        LSTMWorkspace<T>& ws = *workspace;
                        ws.dc_out.assign(c.grad().data(), c.grad().data() + c.grad().size());
                        ws.has_dc_out = true;
                        // the first node's backward must run even if h reaches no loss
                        if (c.needs_grad(0)) c.grad_buffer(0);
                    });
    return r;
}

#define ELMAN_INSTANTIATE(T)                                                                 \
    template LSTMFusedResult<T> lstm_fused(const Var<T>&, const Var<T>&, const Var<T>&,      \
                                           const Var<T>*, const Var<T>*, const Var<T>*,      \
                                           const LSTMFusedArgs<T>&);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
