// The fused GRU: one tape node for the whole sequence, BPTT written out by hand (its backward
// in layers/gru_bptt.cpp). Gates in Keras' order z, r, h; σ = recurrent_activation.
//
// Buffers (time-major, contiguous, so every per-step operand is one [B,·] block):
//   X:[G_x,T,B,F]  X^g[s] = x[:, t(s), :] ⊙ d_x^g in processing order, t(s) = s (or T−1−s
//                  going backwards); G_x = 1 unless each gate has its own input dropout mask
//   G:[T,B,3U]     G[s] = [a_z | a_r | a_h], the gates' pre-activations, then in place
//                  [z | r | ĥ]; the backward turns G[s] into δ_s = dL/d[a_z | a_r | a_h]
//   H:[T+1,B,U]    H[0] = h_0, H[s+1] = h after step s: H[s] is the state step s reads
//   NQ:[T,B,U]     N_s (reset_after) or q_s of every step, when kept (see Memory)
//   d_h^g:[B,U]    recurrent dropout masks, one per gate (none: all ones); a gate's product
//                  reads H[s] ⊙ d_h^g
//   M:[T,B]        m_s[b] = 1 for a real step, 0 for padding (layers/rnn_mask.hpp)
//
// forward:
//   G = X·W                one GEMM for all steps, [T·B,F]·[F,3U] (per gate with G_x = 3);
//                          each step adds c = [b^x_z + b^h_z | b^x_r + b^h_r | b^x_h] with
//                          reset_after, else the bias [b_z | b_r | b_h]
//   reset_after:  A = H[s]·R                          one [B,U]·[U,3U] GEMM per step
//                 z = σ(G_z + A_z + c_z)   r = σ(G_r + A_r + c_r)
//                 N = A_h + b^h_h          ĥ = act(G_h + c_h + r ⊙ N)
//   not:          [G_z | G_r] += H[s]·[R_z | R_r]     one [B,U]·[U,2U] GEMM per step
//                 z = σ(G_z + c_z)   r = σ(G_r + c_r)   q = r ⊙ H[s]
//                 ĥ = act(G_h + q·R_h + c_h)          one [B,U]·[U,U] GEMM per step
//   H[s+1] = z ⊙ H[s] + (1 − z) ⊙ ĥ,   H[s+1][b] = H[s][b] where m_s[b] = 0 (carried)
//
// backward, s = T−1 .. 0, g = dL/dh after step s (from the output at s, plus what step s+1
// sent back):
//   δ_h = g ⊙ (1 − z) ⊙ act'(ĥ)        act' and σ' from the outputs (tanh: 1 − ĥ², σ: z(1 − z))
//   δ_z = g ⊙ (H[s] − ĥ) ⊙ σ'(z)
//   reset_after:  N = H[s]·R_h + b^h_h                kept, or recomputed (see Memory)
//                 δ_r = δ_h ⊙ N ⊙ σ'(r)
//                 δ^A = [δ_z | δ_r | δ_h ⊙ r]         the gradient of A
//                 dL/dH[s] = g ⊙ z + δ^A·Rᵀ           [B,3U]·[3U,U]
//                 dR += H[s]ᵀ·δ^A,  db^h += Σ_b δ^A   (kept: one GEMM each after the loop)
//   not:          q = r ⊙ H[s]                        kept, or recomputed (elementwise)
//                 dq = δ_h·R_hᵀ                       [B,U]·[U,U]
//                 δ_r = dq ⊙ H[s] ⊙ σ'(r)
//                 dL/dH[s] = g ⊙ z + dq ⊙ r + [δ_z | δ_r]·[R_z | R_r]ᵀ
//                 dR_zr += H[s]ᵀ·[δ_z | δ_r],  dR_h += qᵀ·δ_h       (kept: after the loop)
//   padded rows (m_s[b] = 0): dL/dH[s] = g and δ_s = 0: nothing reaches x_s or the weights
//   with recurrent dropout each gate's H[s] (and q) is ⊙ d_h^g, and so is each gate's share
//   of dL/dH[s]
//   The products by Rᵀ use a transposed copy made once per backward pass ([3U,U]: gate g's
//   block R_gᵀ is rows g·U..(g+1)·U), so that the per-step products are all untransposed.
// then, with G = δ for every step:
//   dW += Xᵀ·G   db^x += Gᵀ·1   dx[:, t(s)] += (G[s]·Wᵀ) ⊙ d_x     one GEMM each (per gate
//   with G_x = 3), and dh_0 += dL/dH[0].
//
// Memory: G and H, 4·T·B·U values, plus [B,·] scratch, and when it takes at most
// GRUFusedArgs::keep_bytes (4 MiB) NQ:[T,B,U], N_s or q_s of every step: the backward then
// skips their recompute and, with δ_h ⊙ r written over N_s, does dR in one GEMM over all T·B
// rows. Above that (W3's shape: 6.5 MB) they are recomputed and dR summed step by step, and
// W3 stays under 40 MB. Recurrent dropout (per-gate left operands) always takes that way.
// float runs with denormals flushed to zero (core/denormals.hpp): BPTT's vanishing gradients
// otherwise spend a long sequence on the CPU's slow path. The buffers live in a GRUWorkspace
// the layer reuses across training steps.
#include <algorithm>
#include <memory>
#include <optional>
#include <type_traits>

#include "core/blas.hpp"
#include "core/denormals.hpp"
#include "core/error.hpp"
#include "core/simd.hpp"
#include "layers/gru_kernel.hpp"

namespace elman {

namespace gru_kernel {

template <class T>
void drop_state(GRUWorkspace<T>& ws, const Dims& n, const T* h, std::size_t first,
                std::size_t last)
{
    const std::size_t bu = n.bu();
    ws.hd.resize(3 * bu);
    for (std::size_t g = first; g < last; ++g) {
        T* __restrict out = ws.hd.data() + g * bu;
        const T* __restrict hs = h;
        const T* __restrict d = ws.dh_mask.data() + g * bu;
        for (std::size_t i = 0; i < bu; ++i) out[i] = hs[i] * d[i];
    }
}

template <class T>
void recurrent_product(GRUWorkspace<T>& ws, const Dims& n, const Config& cfg, const T* r,
                       const T* h, std::size_t first, std::size_t last, T beta, T* out,
                       std::size_t ldo)
{
    const std::size_t u = n.nu, u3 = 3 * u;
    if (!cfg.recurrent_masks) {
        // out[:, first..last) (+)= H[s]·R[:, first..last)      [B,U]·[U,(last−first)·U]
        gemm<T>(false, false, n.nb, (last - first) * u, u, T(1), h, u, r + first * u, u3, beta,
                out, ldo);
        return;
    }
    drop_state(ws, n, h, first, last);
    // out[:, g] (+)= (H[s] ⊙ d_h^g)·R_g                          [B,U]·[U,U] per gate
    for (std::size_t g = first; g < last; ++g)
        gemm<T>(false, false, n.nb, u, u, T(1), ws.hd.data() + g * n.bu(), u, r + g * u, u3,
                beta, out + (g - first) * u, ldo);
}

}  // namespace gru_kernel

namespace {

using gru_kernel::Config;
using gru_kernel::Dims;
using gru_kernel::Weights;

// X^g[s,b,:] = x[b,t(s),:] ⊙ d_x^g[b,:]   for g < G_x (G_x = 1 without input dropout)
template <class T>
void load_inputs(GRUWorkspace<T>& ws, const T* x, const Dims& n, const Config& cfg)
{
    const std::size_t copies = std::max<std::size_t>(1, cfg.input_masks);
    const std::size_t block = n.nt * n.nb * n.nf;
    ws.x.resize(copies * block);
    for (std::size_t g = 0; g < copies; ++g) {
        const T* d = cfg.input_masks ? ws.dx_mask.data() + g * n.nb * n.nf : nullptr;
        for (std::size_t s = 0; s < n.nt; ++s) {
            const std::size_t t = cfg.go_backwards ? n.nt - 1 - s : s;
            for (std::size_t b = 0; b < n.nb; ++b) {
                const T* src = x + (b * n.nt + t) * n.nf;
                T* dst = ws.x.data() + g * block + (s * n.nb + b) * n.nf;
                if (d)
                    for (std::size_t f = 0; f < n.nf; ++f) dst[f] = src[f] * d[b * n.nf + f];
                else
                    std::copy_n(src, n.nf, dst);
            }
        }
    }
}

// G = X·W (see the top of the file; the bias c is added step by step, where G is read anyway),
// and the bias rows c = [b^x_z + b^h_z | b^x_r + b^h_r | b^x_h] and b^h_h in ws.c [4U]: z and
// r only ever see the sums; zeros without a bias.
template <class T>
void input_projection(GRUWorkspace<T>& ws, const Dims& n, const Config& cfg, const Weights<T>& w)
{
    const std::size_t u = n.nu, u3 = 3 * u, rows = n.nt * n.nb;
    ws.c.assign(4 * u, T(0));
    for (std::size_t j = 0; j < u3; ++j) {
        if (w.bx) ws.c[j] += w.bx[j];
        if (w.bh) ws.c[j < 2 * u ? j : j + u] += w.bh[j];
    }
    ws.g.resize(rows * u3);
    if (cfg.input_masks != 3) {
        // G = X·W           [T·B,F]·[F,3U]
        gemm<T>(false, false, rows, u3, n.nf, T(1), ws.x.data(), w.w, T(0), ws.g.data());
        return;
    }
    // G[:, g] = X^g·W_g      [T·B,F]·[F,U] per gate
    for (std::size_t g = 0; g < 3; ++g)
        gemm<T>(false, false, rows, u, n.nf, T(1), ws.x.data() + g * rows * n.nf, n.nf,
                w.w + g * u, u3, T(0), ws.g.data() + g * u, u3);
}

using gru_kernel::blocked;

// y[j] += a[j] + c[j]
template <class T>
ELMAN_CLONES_TEMPLATE void add2(T* __restrict y, const T* __restrict a, const T* __restrict c,
                       std::size_t len)
{
    blocked(len, [&](std::size_t j) { y[j] += a[j] + c[j]; });
}

// N = A_h + b^h_h, then G_h = (G_h + b^x_h) + r ⊙ N, for one row (N kept in `keep`)
template <class T>
ELMAN_CLONES_TEMPLATE void candidate_in(T* __restrict gh, const T* __restrict r, const T* __restrict ah,
                               const T* __restrict c, T* __restrict keep, std::size_t u)
{
    blocked(u, [&](std::size_t j) {
        keep[j] = ah[j] + c[u + j];
        gh[j] = (gh[j] + c[j]) + r[j] * keep[j];
    });
}

// h_new = z ⊙ h_prev + (1 − z) ⊙ ĥ for one row (Keras' expression, term for term).
template <class T>
ELMAN_CLONES_TEMPLATE void mix(const T* __restrict z, const T* __restrict hh, const T* __restrict h_prev,
                      T* __restrict h_new, std::size_t nu)
{
    blocked(nu, [&](std::size_t j) { h_new[j] = z[j] * h_prev[j] + (T(1) - z[j]) * hh[j]; });
}

// One step with reset_after: A = H[s]·R, then z, r, N, ĥ and h row by row.
template <class T>
void step_reset_after(GRUWorkspace<T>& ws, const Dims& n, const Config& cfg, const Weights<T>& w,
                      std::size_t s)
{
    const std::size_t u = n.nu, u3 = 3 * u;
    const T* h_prev = ws.h.data() + s * n.bu();
    T* h_new = ws.h.data() + (s + 1) * n.bu();
    T* gs = ws.g.data() + s * n.bg();
    ws.gh.resize(n.bg());
    ws.nh.resize(n.bu());
    // N goes to NQ[s] when kept (for the backward), else to a scratch block
    T* nk = cfg.keep ? ws.nq.data() + s * n.bu() : ws.nh.data();
    // A = H[s]·R          [B,U]·[U,3U]  (per gate with recurrent dropout)
    gru_kernel::recurrent_product(ws, n, cfg, w.r, h_prev, 0, 3, T(0), ws.gh.data(), u3);
    for (std::size_t b = 0; b < n.nb; ++b) {
        T* gb = gs + b * u3;
        const T* ab = ws.gh.data() + b * u3;
        // z = σ(G_z + A_z + c_z), r = σ(G_r + A_r + c_r)
        add2(gb, ab, ws.c.data(), 2 * u);
        activate_inplace(cfg.rec, gb, 2 * u);
        // N = A_h + b^h_h;  ĥ = act(G_h + b^x_h + r ⊙ N)
        candidate_in(gb + 2 * u, gb + u, ab + 2 * u, ws.c.data() + 2 * u, nk + b * u, u);
        activate_inplace(cfg.act, gb + 2 * u, u);
        mix(gb, gb + 2 * u, h_prev + b * u, h_new + b * u, u);
    }
}

// One step without reset_after: [G_z | G_r] += H[s]·R_zr, z, r, q = r ⊙ H[s], then
// G_h += q·R_h, ĥ and h.
template <class T>
void step_reset_before(GRUWorkspace<T>& ws, const Dims& n, const Config& cfg,
                       const Weights<T>& w, std::size_t s)
{
    const std::size_t u = n.nu, u3 = 3 * u;
    const T* h_prev = ws.h.data() + s * n.bu();
    T* h_new = ws.h.data() + (s + 1) * n.bu();
    T* gs = ws.g.data() + s * n.bg();
    const T* c = ws.c.data();
    // [G_z | G_r] += H[s]·[R_z | R_r]      [B,U]·[U,2U]  (per gate with recurrent dropout)
    gru_kernel::recurrent_product(ws, n, cfg, w.r, h_prev, 0, 2, T(1), gs, u3);
    // q = r ⊙ H[s] (⊙ d_h^h), kept in NQ[s] for the backward when small
    ws.nh.resize(n.bu());
    T* q = cfg.keep ? ws.nq.data() + s * n.bu() : ws.nh.data();
    const T* dh = cfg.recurrent_masks ? ws.dh_mask.data() + 2 * n.bu() : nullptr;
    for (std::size_t b = 0; b < n.nb; ++b) {
        T* gb = gs + b * u3;
        for (std::size_t j = 0; j < 2 * u; ++j) gb[j] += c[j];
        activate_inplace(cfg.rec, gb, 2 * u);
        for (std::size_t j = 0; j < u; ++j) {
            const std::size_t i = b * u + j;
            q[i] = gb[u + j] * (dh ? h_prev[i] * dh[i] : h_prev[i]);
        }
    }
    // G_h += q·R_h          [B,U]·[U,U]
    gemm<T>(false, false, n.nb, u, u, T(1), q, u, w.r + 2 * u, u3, T(1), gs + 2 * u, u3);
    for (std::size_t b = 0; b < n.nb; ++b) {
        T* gb = gs + b * u3;
        for (std::size_t j = 0; j < u; ++j) gb[2 * u + j] += c[2 * u + j];
        activate_inplace(cfg.act, gb + 2 * u, u);
        mix(gb, gb + 2 * u, h_prev + b * u, h_new + b * u, u);
    }
}

// Fills H[0..T] and turns G into the gates (see the top of the file).
template <class T>
void forward_steps(GRUWorkspace<T>& ws, const Dims& n, const Config& cfg, const Weights<T>& w,
                   const T* h0, GRUTrace<T>* trace)
{
    ws.h.resize((n.nt + 1) * n.bu());
    if (h0)
        std::copy_n(h0, n.bu(), ws.h.data());
    else
        std::fill_n(ws.h.data(), n.bu(), T(0));
    input_projection(ws, n, cfg, w);
    const bool masked = ws.mask.steps != 0;
    for (std::size_t s = 0; s < n.nt; ++s) {
        if (cfg.reset_after)
            step_reset_after(ws, n, cfg, w, s);
        else
            step_reset_before(ws, n, cfg, w, s);
        T* h_new = ws.h.data() + (s + 1) * n.bu();
        if (masked && !ws.mask.step_all_real(s))
            carry_padded_rows(ws.mask.at(s), h_new - n.bu(), h_new, n.nb, n.nu);
        if (trace) trace->push_step(ws.g.data() + s * n.bg(), h_new, n.nb, n.nu);
    }
}

// The node's value: y[b,s,:] = H[s+1,b,:] (return_sequences) or y = H[T].
template <class T>
Tensor<T> states_value(const GRUWorkspace<T>& ws, const Dims& n, bool return_sequences)
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

// The raw weights; with reset_after the bias [2,3U] is b^x (row 0) and b^h (row 1).
template <class T>
Weights<T> weights_of(const T* w, const T* r, const T* b, const Dims& n, const Config& cfg)
{
    Weights<T> out{w, r, b, nullptr};
    if (b && cfg.reset_after) out.bh = b + 3 * n.nu;
    return out;
}

// The mask tensors into the workspace (kept across steps: resize keeps the capacity).
template <class T>
Config prepare(GRUWorkspace<T>& ws, const GRUFusedArgs<T>& args)
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
    Config cfg;
    cfg.act = args.activation;
    cfg.rec = args.recurrent_activation;
    cfg.reset_after = args.reset_after;
    cfg.go_backwards = args.go_backwards;
    cfg.return_sequences = args.return_sequences;
    cfg.input_masks = args.input_dropout ? args.input_dropout->shape()[0] : 0;
    cfg.recurrent_masks = args.recurrent_dropout != nullptr;
    return cfg;
}

}  // namespace

template <class T>
Var<T> gru_fused(const Var<T>& x, const Var<T>& kernel, const Var<T>& recurrent_kernel,
                 const Var<T>* bias, const Var<T>* h0, const GRUFusedArgs<T>& args)
{
    const Tensor<T>& xv = x.value("gru_fused");
    const Dims n{xv.shape()[0], xv.shape()[1], xv.shape()[2],
                 recurrent_kernel.value("gru_fused").shape()[0]};
    std::shared_ptr<GRUWorkspace<T>> workspace = args.workspace;
    if (!workspace) workspace = std::make_shared<GRUWorkspace<T>>();
    GRUWorkspace<T>& ws = *workspace;
    Config cfg = prepare(ws, args);
    cfg.keep = !cfg.recurrent_masks && n.nt * n.bu() * sizeof(T) <= args.keep_bytes;
    if (cfg.keep) ws.nq.resize(n.nt * n.bu());
    // float only: float64 results (the gradient checks) stay bit for bit IEEE
    std::optional<FlushDenormals> ftz;
    if constexpr (std::is_same_v<T, float>) ftz.emplace();

    load_inputs(ws, xv.data(), n, cfg);
    forward_steps(ws, n, cfg,
                  weights_of(kernel.value().data(), recurrent_kernel.value().data(),
                             bias ? bias->value().data() : nullptr, n, cfg),
                  h0 ? h0->value().data() : nullptr, args.trace);

    std::vector<Var<T>> inputs{x, kernel, recurrent_kernel};
    const std::size_t bias_k = bias ? inputs.size() : 0;
    if (bias) inputs.push_back(*bias);
    const std::size_t h0_k = h0 ? inputs.size() : 0;
    if (h0) inputs.push_back(*h0);

    return record<T>(
        "gru_fused", states_value(ws, n, cfg.return_sequences), inputs,
        [workspace = std::move(workspace), n, cfg, bias_k, h0_k,
         trace = args.trace](BackwardContext<T>& c) {
            std::optional<FlushDenormals> ftz;
            if constexpr (std::is_same_v<T, float>) ftz.emplace();
            gru_kernel::Grads<T> grads;
            const auto want = [&](std::size_t k) {
                return k && c.needs_grad(k) ? c.grad_buffer(k).data() : nullptr;
            };
            grads.dx = c.needs_grad(0) ? c.grad_buffer(0).data() : nullptr;
            grads.dw = want(1);
            grads.dr = want(2);
            grads.db = want(bias_k);
            grads.dh0 = want(h0_k);
            gru_kernel::backprop_through_time(
                *workspace, n, cfg,
                weights_of(c.input(1).data(), c.input(2).data(),
                           bias_k ? c.input(bias_k).data() : nullptr, n, cfg),
                c.grad().data(), grads, trace);
        });
}

#define ELMAN_INSTANTIATE(T)                                                                  \
    template Var<T> gru_fused(const Var<T>&, const Var<T>&, const Var<T>&, const Var<T>*,    \
                              const Var<T>*, const GRUFusedArgs<T>&);                         \
    template void gru_kernel::drop_state(GRUWorkspace<T>&, const gru_kernel::Dims&, const T*, \
                                         std::size_t, std::size_t);                           \
    template void gru_kernel::recurrent_product(GRUWorkspace<T>&, const gru_kernel::Dims&,    \
                                                const gru_kernel::Config&, const T*, const T*, \
                                                std::size_t, std::size_t, T, T*, std::size_t);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
