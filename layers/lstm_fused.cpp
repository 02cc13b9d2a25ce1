// The fused LSTM: one tape node for the whole sequence, BPTT written out by hand. The cell's
// elementwise equations (gates, c, h and their δ) are in layers/lstm_cell.cpp; this file holds
// the buffers, the GEMMs and the two loops over time.
//
// Buffers (time-major, contiguous, so every per-step operand is one block):
//   X:[T,B,F]     X[s] = x[:, t(s), :] ⊙ d_x  in processing order, t(s) = s (or T−1−s going
//                 backwards); with per-gate input masks one copy per gate, [4,T,B,F]
//   Z:[T,B,4U]    Z[s] = [z_i | z_f | z_c | z_o] of step s, then the gates i, f, g, o; in
//                 backward δ_s = dL/dZ[s] overwrites them (the fused layout)
//   H:[T+1,B,U]   H[0] = h_0, H[s+1] = h after step s
//   C:[T+1,B,U]   C[0] = c_0, C[s+1] = c after step s; act(c_s) is recomputed in backward
//   M:[T,B]       m_s[b] = 1 for a real step, 0 for padding (layers/rnn_mask.hpp)
// With recurrent dropout (Keras 3.8+: a mask d^k_h [B,U] per gate k) Z takes the per-gate
// layout [4,T,B,U], each gate one block over all steps, so every GEMM below still reads and
// writes contiguous blocks: R:[4,T,B,U], R^k[s] = H[s] ⊙ d^k_h, and W_x, W_h are packed gate by
// gate into W^k_x [F,U], W^k_h [U,U].
//
// forward:   Z = 1·bᵀ + X·W_x                 one GEMM for all steps [T·B,F]·[F,4U]
//            Z[s] += H[s]·W_h                 one [B,U]·[U,4U] GEMM per step, beta = 1
//                                             (per gate: Z^k[s] += R^k[s]·W^k_h, 4 GEMMs)
//            gates, C[s+1], H[s+1]            the cell (lstm_cell.cpp); padded rows carry
//                                             C[s] and H[s]
// backward, s = T−1 .. 0, gh = dL/dh_s and gc = dL/dc_s running:
//            gh += dL/dh_s from the output             (every step, or only the last)
//            padded rows: gh_{s−1} += gh, gc passes    the step is skipped
//            δ_s and gc ← dL/dc_{s−1}                  the cell's backward (lstm_cell.cpp)
//            gh_{s−1} += δ_s·W_hᵀ                      [B,4U]·[U,4U]ᵀ (per gate: ⊙ d^k_h)
//   then     dW_x += Xᵀ·D     dW_h += H[0..T−1]ᵀ·D     one GEMM each over T·B rows
//            db += Dᵀ·1       dx[:, t(s)] += (δ_s·W_xᵀ) ⊙ d_x
//            dh_0 = gh, dc_0 = gc after step 0
// dL/dc_T (from the final-c output) enters as gc's start. The buffers live in an LSTMWorkspace
// the layer reuses across training steps.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "core/blas.hpp"
#include "core/error.hpp"
#include "layers/lstm.hpp"
#include "layers/lstm_cell.hpp"
#include "layers/rnn_trace.hpp"

namespace elman {

namespace {

struct Dims {
    std::size_t nb, nt, nf, nu;
    std::size_t bu() const { return nb * nu; }
    std::size_t rows() const { return nt * nb; }
};

// Where step s's gate block starts in Z (and D), and the strides inside it.
struct Layout {
    bool per_gate = false;
    std::size_t step = 0;
    GateLayout cell;
};

Layout layout_for(bool per_gate, const Dims& n)
{
    if (per_gate) return {true, n.bu(), {n.nu, n.rows() * n.nu}};
    return {false, n.nb * 4 * n.nu, {4 * n.nu, n.nu}};
}

// What the loops need besides the workspace.
template <class T>
struct Pass {
    Dims n;
    Layout layout;
    const T* wx;  // kernel [F,4U]
    const T* wh;  // recurrent_kernel [U,4U]
    Activation act, rec;
    bool go_backwards, return_sequences;
    std::size_t input_masks;  // G of d_x [G,B,F]: 0, 1 or 4
    LSTMTrace<T>* trace;
};

// X^k[s,b,:] = x[b,t(s),:] ⊙ d^k_x[b,:]  for k < max(G, 1)
template <class T>
void load_inputs(LSTMWorkspace<T>& ws, const T* x, const Pass<T>& p)
{
    const Dims& n = p.n;
    const std::size_t copies = std::max<std::size_t>(p.input_masks, 1);
    const std::size_t block = n.rows() * n.nf;
    ws.x.resize(copies * block);
    for (std::size_t k = 0; k < copies; ++k) {
        const T* dx = p.input_masks ? ws.dx_mask.data() + k * n.nb * n.nf : nullptr;
        for (std::size_t s = 0; s < n.nt; ++s) {
            const std::size_t t = p.go_backwards ? n.nt - 1 - s : s;
            for (std::size_t b = 0; b < n.nb; ++b) {
                const T* src = x + (b * n.nt + t) * n.nf;
                T* dst = ws.x.data() + k * block + (s * n.nb + b) * n.nf;
                if (dx)
                    for (std::size_t f = 0; f < n.nf; ++f) dst[f] = src[f] * dx[b * n.nf + f];
                else
                    std::copy_n(src, n.nf, dst);
            }
        }
    }
}

// out[k] = w[:, k·U .. (k+1)·U), the gate blocks of a [rows,4U] kernel packed as [4,rows,U]
template <class T>
void pack_gates(const T* w, std::size_t rows, std::size_t nu, std::vector<T>& out)
{
    out.resize(4 * rows * nu);
    for (std::size_t k = 0; k < 4; ++k)
        for (std::size_t r = 0; r < rows; ++r)
            std::copy_n(w + r * 4 * nu + k * nu, nu, out.data() + (k * rows + r) * nu);
}

// to[r, k·U + u] += from[r, u]: a per-gate GEMM's result into its gate's columns
template <class T>
void add_gate_columns(const T* from, std::size_t rows, std::size_t nu, std::size_t k, T* to)
{
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t u = 0; u < nu; ++u) to[r * 4 * nu + k * nu + u] += from[r * nu + u];
}

// Z = 1·bᵀ + X·W_x (see the top of the file)
template <class T>
void input_projection(LSTMWorkspace<T>& ws, const Pass<T>& p, const T* bias)
{
    const Dims& n = p.n;
    T* z = ws.z.data();
    if (!p.layout.per_gate) {
        // every row starts as the bias, then one GEMM [T·B,F]·[F,4U] with beta = 1
        for (std::size_t r = 0; r < n.rows(); ++r) {
            if (bias)
                std::copy_n(bias, 4 * n.nu, z + r * 4 * n.nu);
            else
                std::fill_n(z + r * 4 * n.nu, 4 * n.nu, T(0));
        }
        gemm<T>(false, false, n.rows(), 4 * n.nu, n.nf, T(1), ws.x.data(), p.wx, T(1), z);
        return;
    }
    // per gate: Z^k = 1·b^kᵀ + X^k·W^k_x       [T·B,F]·[F,U]
    const std::size_t block = n.rows() * n.nu;
    for (std::size_t k = 0; k < 4; ++k) {
        T* zk = z + k * block;
        for (std::size_t r = 0; r < n.rows(); ++r) {
            if (bias)
                std::copy_n(bias + k * n.nu, n.nu, zk + r * n.nu);
            else
                std::fill_n(zk + r * n.nu, n.nu, T(0));
        }
        const T* xk = ws.x.data() + (p.input_masks == 4 ? k * n.rows() * n.nf : 0);
        gemm<T>(false, false, n.rows(), n.nu, n.nf, T(1), xk, ws.wx.data() + k * n.nf * n.nu,
                T(1), zk);
    }
}

// Z[s] += h_{s−1}·W_h, h_{s−1} = H[s]
template <class T>
void recurrent_product(LSTMWorkspace<T>& ws, const Pass<T>& p, std::size_t s)
{
    const Dims& n = p.n;
    const T* hs = ws.h.data() + s * n.bu();
    T* zs = ws.z.data() + s * p.layout.step;
    if (!p.layout.per_gate) {
        // [B,4U] += [B,U]·[U,4U]
        gemm<T>(false, false, n.nb, 4 * n.nu, n.nu, T(1), hs, p.wh, T(1), zs);
        return;
    }
    const bool rdrop = !ws.dh_mask.empty();
    for (std::size_t k = 0; k < 4; ++k) {
        const T* in = hs;
        if (rdrop) {
            // R^k[s] = H[s] ⊙ d^k_h
            T* __restrict rk = ws.r.data() + (k * n.nt + s) * n.bu();
            const T* __restrict dh = ws.dh_mask.data() + k * n.bu();
            for (std::size_t i = 0; i < n.bu(); ++i) rk[i] = hs[i] * dh[i];
            in = rk;
        }
        // Z^k[s] += R^k[s]·W^k_h      [B,U]·[U,U]
        gemm<T>(false, false, n.nb, n.nu, n.nu, T(1), in, ws.wh.data() + k * n.nu * n.nu, T(1),
                zs + k * p.layout.cell.gate);
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

// Fills Z, H[0..T], C[0..T] (see the top of the file).
template <class T>
void forward_steps(LSTMWorkspace<T>& ws, const Pass<T>& p, const T* bias, const T* h0,
                   const T* c0)
{
    const Dims& n = p.n;
    const std::size_t bu = n.bu();
    ws.z.resize(n.rows() * 4 * n.nu);
    ws.h.resize((n.nt + 1) * bu);
    ws.c.resize((n.nt + 1) * bu);
    ws.tc.resize(bu);
    if (!ws.dh_mask.empty()) ws.r.resize(4 * n.nt * bu);
    h0 ? std::copy_n(h0, bu, ws.h.data()) : std::fill_n(ws.h.data(), bu, T(0));
    c0 ? std::copy_n(c0, bu, ws.c.data()) : std::fill_n(ws.c.data(), bu, T(0));
    input_projection(ws, p, bias);
    const bool masked = ws.mask.steps != 0;
    LSTMTrace<T>* tr = p.trace;
    for (std::size_t s = 0; s < n.nt; ++s) {
        T* zs = ws.z.data() + s * p.layout.step;
        T* cs = ws.c.data() + (s + 1) * bu;
        T* hs = ws.h.data() + (s + 1) * bu;
        recurrent_product(ws, p, s);
        lstm_gates_forward(zs, p.layout.cell, n.nb, n.nu, p.act, p.rec);
        if (tr) {
            std::vector<Tensor<T>>* gates[4] = {&tr->i, &tr->f, &tr->g, &tr->o};
            for (std::size_t k = 0; k < 4; ++k) push_gate(*gates[k], zs, p.layout.cell, k, n.nb, n.nu);
        }
        lstm_state_forward(zs, p.layout.cell, cs - bu, cs, ws.tc.data(), hs, n.nb, n.nu, p.act);
        // a padded row keeps both states of the step before
        if (masked && !ws.mask.step_all_real(s)) {
            carry_padded_rows(ws.mask.at(s), cs - bu, cs, n.nb, n.nu);
            carry_padded_rows(ws.mask.at(s), hs - bu, hs, n.nb, n.nu);
        }
        if (tr) {
            RNNTrace<T>::push(tr->c, cs, n.nb, n.nu);
            RNNTrace<T>::push(tr->h, hs, n.nb, n.nu);
        }
    }
}

// The node's value: y[b,s,:] = H[s+1,b,:] (return_sequences) or y = H[T].
template <class T>
Tensor<T> states_value(const LSTMWorkspace<T>& ws, const Dims& n, bool return_sequences)
{
    const T* hp = ws.h.data();
    if (!return_sequences) {
        Tensor<T> y = Tensor<T>::from_shape({n.nb, n.nu});
        std::copy_n(hp + n.nt * n.bu(), n.bu(), y.data());
        return y;
    }
    Tensor<T> y = Tensor<T>::from_shape({n.nb, n.nt, n.nu});
    for (std::size_t s = 0; s < n.nt; ++s)
        for (std::size_t b = 0; b < n.nb; ++b)
            std::copy_n(hp + (s + 1) * n.bu() + b * n.nu, n.nu, y.data() + (b * n.nt + s) * n.nu);
    return y;
}

// gh_prev += δ_s·W_hᵀ (per gate: Σ_k (δ^k_s·W^k_hᵀ) ⊙ d^k_h)
template <class T>
void recurrent_gradient(LSTMWorkspace<T>& ws, const Pass<T>& p, std::size_t s, T* gh_prev)
{
    const Dims& n = p.n;
    const T* ds = ws.z.data() + s * p.layout.step;
    if (!p.layout.per_gate) {
        // [B,U] += [B,4U]·[U,4U]ᵀ
        gemm<T>(false, true, n.nb, n.nu, 4 * n.nu, T(1), ds, p.wh, T(1), gh_prev);
        return;
    }
    const bool rdrop = !ws.dh_mask.empty();
    for (std::size_t k = 0; k < 4; ++k) {
        const T* dk = ds + k * p.layout.cell.gate;
        const T* whk = ws.wh.data() + k * n.nu * n.nu;
        if (!rdrop) {
            gemm<T>(false, true, n.nb, n.nu, n.nu, T(1), dk, whk, T(1), gh_prev);
            continue;
        }
        // [B,U] = [B,U]·[U,U]ᵀ, then ⊙ d^k_h
        gemm<T>(false, true, n.nb, n.nu, n.nu, T(1), dk, whk, T(0), ws.scratch.data());
        T* __restrict g = gh_prev;
        const T* __restrict sc = ws.scratch.data();
        const T* __restrict dh = ws.dh_mask.data() + k * n.bu();
        for (std::size_t i = 0; i < n.bu(); ++i) g[i] += sc[i] * dh[i];
    }
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

// Turns Z's gates into δ, step by step from the last (see the top of the file); leaves
// dL/dh_0 in ws.gh and dL/dc_0 in ws.gc.
template <class T>
void backprop_through_time(LSTMWorkspace<T>& ws, const Pass<T>& p, const T* out_grad,
                           bool need_state0)
{
    const Dims& n = p.n;
    const std::size_t bu = n.bu();
    ws.gh.assign(bu, T(0));
    ws.gh_prev.resize(bu);
    if (ws.has_dc_out)
        ws.gc = ws.dc_out;
    else
        ws.gc.assign(bu, T(0));
    ws.has_dc_out = false;
    ws.scratch.resize(std::max(5 * n.nu, bu));
    if (p.trace) ws.dc_total.resize(bu);
    const bool masked = ws.mask.steps != 0;
    for (std::size_t s = n.nt; s-- > 0;) {
        add_output_gradient(ws.gh.data(), out_grad, n, s, p.return_sequences);
        if (p.trace) RNNTrace<T>::put(p.trace->dh, s, ws.gh.data(), n.nb, n.nu);
        std::fill(ws.gh_prev.begin(), ws.gh_prev.end(), T(0));
        const unsigned char* real = nullptr;
        if (masked && !ws.mask.step_all_real(s)) {
            real = ws.mask.at(s);
            pass_padded_rows(real, ws.gh.data(), ws.gh_prev.data(), n.nb, n.nu);
        }
        // act(c_s), recomputed rather than stored
        std::copy_n(ws.c.data() + (s + 1) * bu, bu, ws.tc.data());
        activate_inplace(p.act, ws.tc.data(), bu);
        const LSTMStepGrads<T> g{.c_prev = ws.c.data() + s * bu, .tc = ws.tc.data(),
                                 .gh = ws.gh.data(), .gc = ws.gc.data(),
                                 .dc_total = p.trace ? ws.dc_total.data() : nullptr,
                                 .real = real, .scratch = ws.scratch.data()};
        lstm_step_backward(ws.z.data() + s * p.layout.step, p.layout.cell, g, n.nb, n.nu, p.act,
                           p.rec);
        if (p.trace) RNNTrace<T>::put(p.trace->dc, s, ws.dc_total.data(), n.nb, n.nu);
        if (s > 0 || need_state0) recurrent_gradient(ws, p, s, ws.gh_prev.data());
        std::swap(ws.gh, ws.gh_prev);
    }
}

// dW_x += Xᵀ·D, dW_h += H[0..T−1]ᵀ·D (or R^kᵀ·D^k per gate), db += Dᵀ·1
template <class T>
void weight_gradients(LSTMWorkspace<T>& ws, const Pass<T>& p, T* dwx, T* dwh, T* db)
{
    const Dims& n = p.n;
    const std::size_t rows = n.rows(), nu = n.nu;
    const T* d = ws.z.data();
    if (db) ws.ones.resize(rows, T(1));
    if (!p.layout.per_gate) {
        // [F,T·B]·[T·B,4U]    [U,T·B]·[T·B,4U]    [4U,T·B]·[T·B]
        if (dwx) gemm<T>(true, false, n.nf, 4 * nu, rows, T(1), ws.x.data(), d, T(1), dwx);
        if (dwh) gemm<T>(true, false, nu, 4 * nu, rows, T(1), ws.h.data(), d, T(1), dwh);
        if (db) gemm<T>(true, false, 4 * nu, 1, rows, T(1), d, ws.ones.data(), T(1), db);
        return;
    }
    ws.scratch.resize(std::max({5 * nu, n.bu(), n.nf * nu, nu * nu}));
    const bool rdrop = !ws.dh_mask.empty();
    for (std::size_t k = 0; k < 4; ++k) {
        const T* dk = d + k * rows * nu;
        if (dwx) {
            // dW^k_x += X^kᵀ·D^k     [F,T·B]·[T·B,U]
            const T* xk = ws.x.data() + (p.input_masks == 4 ? k * rows * n.nf : 0);
            gemm<T>(true, false, n.nf, nu, rows, T(1), xk, dk, T(0), ws.scratch.data());
            add_gate_columns(ws.scratch.data(), n.nf, nu, k, dwx);
        }
        if (dwh) {
            // dW^k_h += R^kᵀ·D^k     [U,T·B]·[T·B,U]     (R^k = H[0..T−1] without the mask)
            const T* rk = rdrop ? ws.r.data() + k * rows * nu : ws.h.data();
            gemm<T>(true, false, nu, nu, rows, T(1), rk, dk, T(0), ws.scratch.data());
            add_gate_columns(ws.scratch.data(), nu, nu, k, dwh);
        }
        // db^k += D^kᵀ·1, straight into the bias gradient's block k
        if (db) gemm<T>(true, false, nu, 1, rows, T(1), dk, ws.ones.data(), T(1), db + k * nu);
    }
}

// dX = D·W_xᵀ (per gate: Σ_k (D^k·W^k_xᵀ) ⊙ d^k_x), then dx[b,t(s),:] += dX[s,b,:] (⊙ d_x)
template <class T>
void input_gradient(LSTMWorkspace<T>& ws, const Pass<T>& p, T* dx)
{
    const Dims& n = p.n;
    const std::size_t rows = n.rows();
    ws.dx.resize(rows * n.nf);
    if (!p.layout.per_gate) {
        // [T·B,4U]·[F,4U]ᵀ
        gemm<T>(false, true, rows, n.nf, 4 * n.nu, T(1), ws.z.data(), p.wx, T(0), ws.dx.data());
    } else {
        std::fill(ws.dx.begin(), ws.dx.end(), T(0));
        ws.scratch.resize(std::max(ws.scratch.size(), rows * n.nf));
        for (std::size_t k = 0; k < 4; ++k) {
            const T* dk = ws.z.data() + k * rows * n.nu;
            const T* wxk = ws.wx.data() + k * n.nf * n.nu;
            if (p.input_masks != 4) {
                gemm<T>(false, true, rows, n.nf, n.nu, T(1), dk, wxk, T(1), ws.dx.data());
                continue;
            }
            // [T·B,F] = [T·B,U]·[F,U]ᵀ, then ⊙ d^k_x row by row
            gemm<T>(false, true, rows, n.nf, n.nu, T(1), dk, wxk, T(0), ws.scratch.data());
            const T* mk = ws.dx_mask.data() + k * n.nb * n.nf;
            for (std::size_t r = 0; r < rows; ++r)
                for (std::size_t f = 0; f < n.nf; ++f)
                    ws.dx[r * n.nf + f] += ws.scratch[r * n.nf + f] * mk[(r % n.nb) * n.nf + f];
        }
    }
    const T* mask = p.input_masks == 1 ? ws.dx_mask.data() : nullptr;
    for (std::size_t s = 0; s < n.nt; ++s) {
        const std::size_t t = p.go_backwards ? n.nt - 1 - s : s;
        for (std::size_t b = 0; b < n.nb; ++b) {
            const T* src = ws.dx.data() + (s * n.nb + b) * n.nf;
            T* dst = dx + (b * n.nt + t) * n.nf;
            if (mask)
                for (std::size_t f = 0; f < n.nf; ++f) dst[f] += src[f] * mask[b * n.nf + f];
            else
                for (std::size_t f = 0; f < n.nf; ++f) dst[f] += src[f];
        }
    }
}

// The dropout masks and the step mask into the workspace; returns the input mask count G.
template <class T>
std::size_t keep_masks(LSTMWorkspace<T>& ws, const LSTMFusedArgs<T>& args)
{
    const auto keep = [](const Tensor<T>* m, std::vector<T>& to) {
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

    // resize() and assign() keep the capacity: from the second training step on nothing of
    // size T is allocated.
    std::shared_ptr<LSTMWorkspace<T>> workspace = args.workspace;
    if (!workspace) workspace = std::make_shared<LSTMWorkspace<T>>();
    LSTMWorkspace<T>& ws = *workspace;
    const std::size_t input_masks = keep_masks(ws, args);
    const bool per_gate = args.recurrent_dropout || input_masks == 4;
    const Pass<T> p{n, layout_for(per_gate, n), kernel.value().data(),
                    recurrent_kernel.value().data(), args.activation, args.recurrent_activation,
                    args.go_backwards, args.return_sequences, input_masks, args.trace};
    if (per_gate) {
        pack_gates(p.wx, n.nf, n.nu, ws.wx);
        pack_gates(p.wh, n.nu, n.nu, ws.wh);
    }
    load_inputs(ws, xv.data(), p);
    forward_steps(ws, p, bias ? bias->value().data() : nullptr, h0 ? h0->value().data() : nullptr,
                  c0 ? c0->value().data() : nullptr);
    ws.has_dc_out = false;

    std::vector<Var<T>> inputs{x, kernel, recurrent_kernel};
    const std::size_t bias_k = bias ? inputs.size() : 0;
    if (bias) inputs.push_back(*bias);
    const std::size_t h0_k = h0 ? inputs.size() : 0;
    if (h0) inputs.insert(inputs.end(), {*h0, *c0});

    LSTMFusedResult<T> r;
    r.states = record<T>(
        "lstm_fused", states_value(ws, n, args.return_sequences), inputs,
        [workspace, forward_pass = p, bias_k, h0_k](BackwardContext<T>& c) {
            LSTMWorkspace<T>& ws = *workspace;
            Pass<T> p = forward_pass;
            p.wx = c.input(1).data();
            p.wh = c.input(2).data();
            const bool need_state0 = h0_k && (c.needs_grad(h0_k) || c.needs_grad(h0_k + 1));
            backprop_through_time(ws, p, c.grad().data(), need_state0);
            // dh_0 += gh, dc_0 += gc after the first step
            for (std::size_t k = 0; need_state0 && k < 2; ++k) {
                if (!c.needs_grad(h0_k + k)) continue;
                T* d = c.grad_buffer(h0_k + k).data();
                const std::vector<T>& g = k == 0 ? ws.gh : ws.gc;
                for (std::size_t i = 0; i < p.n.bu(); ++i) d[i] += g[i];
            }
            weight_gradients(ws, p, c.needs_grad(1) ? c.grad_buffer(1).data() : nullptr,
                             c.needs_grad(2) ? c.grad_buffer(2).data() : nullptr,
                             bias_k && c.needs_grad(bias_k) ? c.grad_buffer(bias_k).data()
                                                            : nullptr);
            if (c.needs_grad(0)) input_gradient(ws, p, c.grad_buffer(0).data());
        });

    // The final c: a second node after the first, so its backward runs first and leaves
    // dL/dc_T where the first one's BPTT starts from.
    Tensor<T> c_last = Tensor<T>::from_shape({n.nb, n.nu});
    std::copy_n(ws.c.data() + n.nt * n.bu(), n.bu(), c_last.data());
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

}  // namespace elman
