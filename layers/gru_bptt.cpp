// The fused GRU's backward: BPTT through every step, written out by hand. The buffers and the
// equations are at the top of layers/gru_fused.cpp; here each GEMM has its equation and shapes
// above it. Per step, δ^A (the gradient of the recurrent product A) is built in the [B,3U]
// scratch block D (ws.gh) and δ_s replaces the gates in G[s]; dL/dh runs in two [B,U] blocks,
// g (ws.dh, after step s) and g_prev (ws.dh_prev, the state step s read).
//
// The recurrent weights' gradient: [δ_z | δ_r] is the same in δ^A and δ_s, so dR_zr is one GEMM
// over G after the loop; dR_h pairs H[s] with δ_h ⊙ r (or q_s with δ_h), which is after the loop
// too when N_s (q_s) is kept, else step by step. With recurrent dropout each gate's left operand
// is its own (H[s] ⊙ d_h^g) and all of dR is summed step by step.
#include <algorithm>
#include <utility>

#include "core/blas.hpp"
#include "core/simd.hpp"
#include "layers/gru_kernel.hpp"
#include "layers/rnn_trace.hpp"

namespace elman::gru_kernel {

namespace {

// g += dL/dy at step s: the output's gradient [B,T,U] at s with return_sequences; [B,U] at the
// last step otherwise.
template <class T>
void add_output_gradient(T* g, const T* grad_out, const Dims& n, bool return_sequences,
                         std::size_t s)
{
    if (!return_sequences) {
        if (s + 1 == n.nt)
            for (std::size_t i = 0; i < n.bu(); ++i) g[i] += grad_out[i];
        return;
    }
    for (std::size_t b = 0; b < n.nb; ++b) {
        const T* src = grad_out + (b * n.nt + s) * n.nu;
        T* dst = g + b * n.nu;
        for (std::size_t j = 0; j < n.nu; ++j) dst[j] += src[j];
    }
}

bool real_row(const StepMask& mask, std::size_t s, std::size_t b)
{
    return mask.steps == 0 || mask.at(s)[b] != 0;
}

// One row:  D_h = g ⊙ (1 − z),  D_z = g ⊙ (H[s] − ĥ),  g_prev = g ⊙ z   (the derivatives of
// the activations come after)
template <class T>
ELMAN_CLONES_TEMPLATE void row_deltas(const T* __restrict g, const T* __restrict z,
                             const T* __restrict hh, const T* __restrict h, T* __restrict dz,
                             T* __restrict dhh, T* __restrict g_prev, std::size_t u)
{
    blocked(u, [&](std::size_t j) {
        dhh[j] = g[j] * (T(1) - z[j]);
        dz[j] = g[j] * (h[j] - hh[j]);
        g_prev[j] = g[j] * z[j];
    });
}

// For every row of step s: D_h = δ_h = g ⊙ (1 − z) ⊙ act'(ĥ), D_z = g ⊙ (H[s] − ĥ) (σ' comes
// later, with r's), g_prev = g ⊙ z; padded rows: D = 0, g_prev = g.
template <class T>
void candidate_deltas(GRUWorkspace<T>& ws, const Dims& n, const Config& cfg, std::size_t s)
{
    const std::size_t u = n.nu, u3 = 3 * u;
    const T* gs = ws.g.data() + s * n.bg();
    const T* hp = ws.h.data() + s * n.bu();
    ws.gh.resize(n.bg());
    for (std::size_t b = 0; b < n.nb; ++b) {
        T* d = ws.gh.data() + b * u3;
        const T* g = ws.dh.data() + b * u;
        T* g_prev = ws.dh_prev.data() + b * u;
        if (!real_row(ws.mask, s, b)) {
            std::fill_n(d, u3, T(0));
            std::copy_n(g, u, g_prev);
            continue;
        }
        const T* z = gs + b * u3;
        row_deltas(g, z, z + 2 * u, hp + b * u, d, d + 2 * u, g_prev, u);
        multiply_by_derivative(cfg.act, z + 2 * u, d + 2 * u, u);
    }
}

// g_prev += Σ_g (D_g·R_gᵀ) ⊙ d_h^g over the gates g in [first, last), with Rᵀ's gate blocks
// (ws.rt, [3U,U]: block g is R_gᵀ, rows g·U..) so that every product is untransposed.
template <class T>
void recurrent_gradient(GRUWorkspace<T>& ws, const Dims& n, const Config& cfg, std::size_t first,
                        std::size_t last)
{
    const std::size_t u = n.nu, u3 = 3 * u;
    const T* d = ws.gh.data();
    const T* rt = ws.rt.data();
    if (!cfg.recurrent_masks) {
        // g_prev += D[:, gates]·Rᵀ[gates, :]         [B,kU]·[kU,U]
        gemm<T>(false, false, n.nb, u, (last - first) * u, T(1), d + first * u, u3,
                rt + first * u * u, u, T(1), ws.dh_prev.data(), u);
        return;
    }
    // ws.nh is free here (N and dq are used up): one gate's share at a time
    for (std::size_t g = first; g < last; ++g) {
        // share = D_g·R_gᵀ                           [B,U]·[U,U]
        gemm<T>(false, false, n.nb, u, u, T(1), d + g * u, u3, rt + g * u * u, u, T(0),
                ws.nh.data(), u);
        T* __restrict gp = ws.dh_prev.data();
        const T* __restrict sc = ws.nh.data();
        const T* __restrict m = ws.dh_mask.data() + g * n.bu();
        for (std::size_t i = 0; i < n.bu(); ++i) gp[i] += sc[i] * m[i];
    }
}

// With recurrent dropout, per step: dR[:, g] += (H[s] ⊙ d_h^g)ᵀ·D_g for the gates g in
// [first, last)
template <class T>
void masked_weight_gradient(GRUWorkspace<T>& ws, const Dims& n, const T* h, std::size_t first,
                            std::size_t last, T* dr)
{
    const std::size_t u = n.nu, u3 = 3 * u;
    drop_state(ws, n, h, first, last);
    // dR_g += (H[s] ⊙ d_h^g)ᵀ·D_g                    [U,B]·[B,U] per gate
    for (std::size_t g = first; g < last; ++g)
        gemm<T>(true, false, u, u, n.nb, T(1), ws.hd.data() + g * n.bu(), u, ws.gh.data() + g * u,
                u3, T(1), dr + g * u, u3);
}

// One row:  δ_r (before σ') = δ_h ⊙ N
template <class T>
ELMAN_CLONES_TEMPLATE void row_reset_delta(const T* __restrict dhh, const T* __restrict nv,
                                  T* __restrict dr, std::size_t u)
{
    blocked(u, [&](std::size_t j) { dr[j] = dhh[j] * nv[j]; });
}

// One row:  G_h = δ_h,  D_h = δ_h ⊙ r (A_h's share), copied to `keep`
template <class T>
ELMAN_CLONES_TEMPLATE void row_split_h(T* __restrict dhh, const T* __restrict r, T* __restrict g_h,
                              T* __restrict keep, std::size_t u)
{
    blocked(u, [&](std::size_t j) {
        g_h[j] = dhh[j];
        dhh[j] *= r[j];
        keep[j] = dhh[j];
    });
}

// Step s with reset_after: δ_r from N, δ^A = [δ_z | δ_r | δ_h ⊙ r] in D, δ_s in G[s]; with N
// kept, δ_h ⊙ r replaces N[s] for the GEMM after the loop.
template <class T>
void step_reset_after(GRUWorkspace<T>& ws, const Dims& n, const Config& cfg,
                      const Weights<T>& w, const Grads<T>& grads, std::size_t s)
{
    const std::size_t u = n.nu, u3 = 3 * u;
    const T* hp = ws.h.data() + s * n.bu();
    T* gs = ws.g.data() + s * n.bg();
    candidate_deltas(ws, n, cfg, s);
    ws.nh.resize(n.bu());
    ws.scratch.resize(n.bu());
    T* nk = cfg.keep ? ws.nq.data() + s * n.bu() : ws.scratch.data();
    if (!cfg.keep) {
        // N = H[s]·R_h + b^h_h, recomputed      [B,U]·[U,U]  ((H[s] ⊙ d_h^h) with dropout)
        recurrent_product(ws, n, cfg, w.r, hp, 2, 3, T(0), nk, u);
        if (w.bh)
            for (std::size_t b = 0; b < n.nb; ++b)
                for (std::size_t j = 0; j < u; ++j) nk[b * u + j] += w.bh[2 * u + j];
    }
    for (std::size_t b = 0; b < n.nb; ++b) {
        T* d = ws.gh.data() + b * u3;
        T* gb = gs + b * u3;
        if (!real_row(ws.mask, s, b)) {
            std::fill_n(gb, u3, T(0));
            std::fill_n(nk + b * u, u, T(0));
            continue;
        }
        // δ_r = δ_h ⊙ N ⊙ σ'(r), δ_z = D_z ⊙ σ'(z): one call over [z | r]
        row_reset_delta(d + 2 * u, nk + b * u, d + u, u);
        multiply_by_derivative(cfg.rec, gb, d, 2 * u);
        // G[s] = δ_s = [δ_z | δ_r | δ_h];  D_h = δ_h ⊙ r, also over N[s]
        row_split_h(d + 2 * u, gb + u, gb + 2 * u, nk + b * u, u);
        std::copy_n(d, 2 * u, gb);
    }
    // g_prev += δ^A·Rᵀ                              [B,3U]·[3U,U]
    recurrent_gradient(ws, n, cfg, 0, 3);
    if (cfg.keep) return;  // dR_h and db^h_h after the loop
    if (grads.dr && cfg.recurrent_masks) masked_weight_gradient(ws, n, hp, 0, 3, grads.dr);
    // dR_h += H[s]ᵀ·(δ_h ⊙ r)                       [U,B]·[B,U]
    if (grads.dr && !cfg.recurrent_masks)
        gemm<T>(true, false, u, u, n.nb, T(1), hp, u, ws.gh.data() + 2 * u, u3, T(1),
                grads.dr + 2 * u, u3);
    // db^h_h += Σ_b δ_h ⊙ r  (row 1 of the bias, its h block)
    if (grads.db)
        for (std::size_t b = 0; b < n.nb; ++b)
            for (std::size_t j = 0; j < u; ++j) grads.db[u3 + 2 * u + j] += nk[b * u + j];
}

// One row without reset_after:  q = r ⊙ H[s],  δ_r (before σ') = dq ⊙ H[s],  g_prev += dq ⊙ r
template <class T>
ELMAN_CLONES_TEMPLATE void row_reset_before(const T* __restrict dq, const T* __restrict r,
                                   const T* __restrict h, T* __restrict q, T* __restrict dr,
                                   T* __restrict g_prev, std::size_t u)
{
    blocked(u, [&](std::size_t j) {
        q[j] = r[j] * h[j];
        dr[j] = dq[j] * h[j];
        g_prev[j] += dq[j] * r[j];
    });
}

// The same with recurrent dropout: H[s] ⊙ d_h^h in place of H[s], and g_prev's share ⊙ d_h^h
template <class T>
ELMAN_CLONES_TEMPLATE void row_reset_before_masked(const T* __restrict dq, const T* __restrict r,
                                          const T* __restrict h, const T* __restrict m,
                                          T* __restrict q, T* __restrict dr,
                                          T* __restrict g_prev, std::size_t u)
{
    blocked(u, [&](std::size_t j) {
        const T hd = h[j] * m[j];
        q[j] = r[j] * hd;
        dr[j] = dq[j] * hd;
        g_prev[j] += dq[j] * r[j] * m[j];
    });
}

// Step s without reset_after: dq = δ_h·R_hᵀ, δ_r = dq ⊙ H[s] ⊙ σ'(r), g_prev += dq ⊙ r.
template <class T>
void step_reset_before(GRUWorkspace<T>& ws, const Dims& n, const Config& cfg,
                       const Grads<T>& grads, std::size_t s)
{
    const std::size_t u = n.nu, u3 = 3 * u;
    const T* hp = ws.h.data() + s * n.bu();
    T* gs = ws.g.data() + s * n.bg();
    candidate_deltas(ws, n, cfg, s);
    // dq = δ_h·R_hᵀ                                 [B,U]·[U,U]
    ws.nh.resize(n.bu());
    gemm<T>(false, false, n.nb, u, u, T(1), ws.gh.data() + 2 * u, u3, ws.rt.data() + 2 * u * u,
            u, T(0), ws.nh.data(), u);
    // q = r ⊙ H[s] ⊙ d_h^h: kept, or recomputed here for the per-step dR_h
    ws.scratch.resize(n.bu());
    T* q = cfg.keep ? ws.nq.data() + s * n.bu() : ws.scratch.data();
    const T* dm = cfg.recurrent_masks ? ws.dh_mask.data() + 2 * n.bu() : nullptr;
    for (std::size_t b = 0; b < n.nb; ++b) {
        T* d = ws.gh.data() + b * u3;
        const T* gb = gs + b * u3;
        if (!real_row(ws.mask, s, b)) {
            std::fill_n(q + b * u, u, T(0));
            continue;
        }
        const std::size_t i = b * u;
        if (dm)
            row_reset_before_masked(ws.nh.data() + i, gb + u, hp + i, dm + i, q + i, d + u,
                                    ws.dh_prev.data() + i, u);
        else
            row_reset_before(ws.nh.data() + i, gb + u, hp + i, q + i, d + u,
                             ws.dh_prev.data() + i, u);
        multiply_by_derivative(cfg.rec, gb, d, 2 * u);
    }
    // g_prev += [δ_z | δ_r]·[R_z | R_r]ᵀ            [B,2U]·[2U,U]
    recurrent_gradient(ws, n, cfg, 0, 2);
    if (grads.dr && cfg.recurrent_masks) masked_weight_gradient(ws, n, hp, 0, 2, grads.dr);
    // dR_h += qᵀ·δ_h                                [U,B]·[B,U]
    if (grads.dr && !cfg.keep)
        gemm<T>(true, false, u, u, n.nb, T(1), q, u, ws.gh.data() + 2 * u, u3, T(1),
                grads.dr + 2 * u, u3);
    std::copy_n(ws.gh.data(), n.bg(), gs);  // G[s] = δ_s (zero on padded rows)
}

// With G = δ for every step, over all T·B rows at once (H' = H[0..T−1], the state each step
// read; dR without recurrent dropout only):
//   dR_zr += H'ᵀ·G_zr,  db^h_zr += G_zrᵀ·1 (reset_after)
//   kept:  reset_after  dR_h += H'ᵀ·NQ,  db^h_h += NQᵀ·1     (NQ = δ_h ⊙ r now)
//          not          dR_h += NQᵀ·G_h                        (NQ = q)
template <class T>
void recurrent_weight_gradients(GRUWorkspace<T>& ws, const Dims& n, const Config& cfg,
                                const Grads<T>& grads)
{
    const std::size_t u = n.nu, u3 = 3 * u, rows = n.nt * n.nb;
    const T* h = ws.h.data();
    const T* g = ws.g.data();
    const T* nq = ws.nq.data();
    if (grads.dr && !cfg.recurrent_masks) {  // with them: summed step by step
        // dR_zr += H'ᵀ·G_zr                          [U,T·B]·[T·B,2U]
        gemm<T>(true, false, u, 2 * u, rows, T(1), h, u, g, u3, T(1), grads.dr, u3);
        if (cfg.keep && cfg.reset_after)  // dR_h += H'ᵀ·NQ    [U,T·B]·[T·B,U]
            gemm<T>(true, false, u, u, rows, T(1), h, u, nq, u, T(1), grads.dr + 2 * u, u3);
        if (cfg.keep && !cfg.reset_after)  // dR_h += NQᵀ·G_h  [U,T·B]·[T·B,U]
            gemm<T>(true, false, u, u, rows, T(1), nq, u, g + 2 * u, u3, T(1), grads.dr + 2 * u,
                    u3);
    }
    if (grads.db && cfg.reset_after) {
        ws.ones.resize(rows, T(1));
        // db^h_zr += G_zrᵀ·1                         [2U,T·B]·[T·B]
        gemm<T>(true, false, 2 * u, 1, rows, T(1), g, u3, ws.ones.data(), 1, T(1),
                grads.db + u3, 1);
        if (cfg.keep)  // db^h_h += NQᵀ·1            [U,T·B]·[T·B]
            gemm<T>(true, false, u, 1, rows, T(1), nq, u, ws.ones.data(), 1, T(1),
                    grads.db + u3 + 2 * u, 1);
    }
}

// With G = δ for every step: dW += Xᵀ·G, db^x += Gᵀ·1, dx[:, t(s)] += (G[s]·Wᵀ) ⊙ d_x.
template <class T>
void input_gradients(GRUWorkspace<T>& ws, const Dims& n, const Config& cfg, const T* w,
                     const Grads<T>& grads)
{
    const std::size_t u = n.nu, u3 = 3 * u, rows = n.nt * n.nb;
    const T* d = ws.g.data();
    const bool per_gate = cfg.input_masks == 3;
    if (grads.db) {
        // db^x += Gᵀ·1                              [3U,T·B]·[T·B]
        ws.ones.resize(rows, T(1));
        gemm<T>(true, false, u3, 1, rows, T(1), d, ws.ones.data(), T(1), grads.db);
    }
    if (grads.dw) {
        if (!per_gate)  // dW += Xᵀ·G                [F,T·B]·[T·B,3U]
            gemm<T>(true, false, n.nf, u3, rows, T(1), ws.x.data(), d, T(1), grads.dw);
        else  // dW_g += X^gᵀ·G_g                     [F,T·B]·[T·B,U] per gate
            for (std::size_t g = 0; g < 3; ++g)
                gemm<T>(true, false, n.nf, u, rows, T(1), ws.x.data() + g * rows * n.nf, n.nf,
                        d + g * u, u3, T(1), grads.dw + g * u, u3);
    }
    if (!grads.dx) return;
    ws.dxs.resize(rows * n.nf);
    for (std::size_t g = 0; g < (per_gate ? 3u : 1u); ++g) {
        if (!per_gate)  // dX = G·Wᵀ                   [T·B,3U]·[3U,F]
            gemm<T>(false, true, rows, n.nf, u3, T(1), d, w, T(0), ws.dxs.data());
        else  // dX = G_g·W_gᵀ                         [T·B,U]·[U,F]
            gemm<T>(false, true, rows, n.nf, u, T(1), d + g * u, u3, w + g * u, u3, T(0),
                    ws.dxs.data(), n.nf);
        const T* m = cfg.input_masks ? ws.dx_mask.data() + g * n.nb * n.nf : nullptr;
        for (std::size_t s = 0; s < n.nt; ++s) {
            const std::size_t t = cfg.go_backwards ? n.nt - 1 - s : s;
            for (std::size_t b = 0; b < n.nb; ++b) {
                const T* src = ws.dxs.data() + (s * n.nb + b) * n.nf;
                T* dst = grads.dx + (b * n.nt + t) * n.nf;
                for (std::size_t f = 0; f < n.nf; ++f)
                    dst[f] += m ? src[f] * m[b * n.nf + f] : src[f];
            }
        }
    }
}

}  // namespace

template <class T>
void backprop_through_time(GRUWorkspace<T>& ws, const Dims& n, const Config& cfg,
                           const Weights<T>& w, const T* grad_out, const Grads<T>& grads,
                           GRUTrace<T>* trace)
{
    ws.dh.assign(n.bu(), T(0));
    ws.dh_prev.resize(n.bu());
    // Rᵀ [3U,U], once per backward pass: the per-step products by it are then untransposed
    const std::size_t u = n.nu, u3 = 3 * u;
    ws.rt.resize(u3 * u);
    for (std::size_t k = 0; k < u; ++k)
        for (std::size_t j = 0; j < u3; ++j) ws.rt[j * u + k] = w.r[k * u3 + j];
    for (std::size_t s = n.nt; s-- > 0;) {
        add_output_gradient(ws.dh.data(), grad_out, n, cfg.return_sequences, s);
        // g is complete here: trace mode keeps it as dL/dh_s
        if (trace) RNNTrace<T>::put(trace->dh, s, ws.dh.data(), n.nb, n.nu);
        if (cfg.reset_after)
            step_reset_after(ws, n, cfg, w, grads, s);
        else
            step_reset_before(ws, n, cfg, grads, s);
        std::swap(ws.dh, ws.dh_prev);
    }
    recurrent_weight_gradients(ws, n, cfg, grads);
    // dh_0 += dL/dH[0]
    if (grads.dh0)
        for (std::size_t i = 0; i < n.bu(); ++i) grads.dh0[i] += ws.dh[i];
    input_gradients(ws, n, cfg, w.w, grads);
}

#define ELMAN_INSTANTIATE(T)                                                                 \
    template void backprop_through_time(GRUWorkspace<T>&, const Dims&, const Config&,        \
                                        const Weights<T>&, const T*, const Grads<T>&,        \
                                        GRUTrace<T>*);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman::gru_kernel
