// The fused GRU's backward: BPTT through every step, written out by hand. The buffers and the
// equations are at the top of layers/gru_fused.cpp; here each GEMM has its equation and shapes
// above it. Per step, δ_s is built in the [B,3U] scratch block D (ws.gh), which then replaces
// the gates in G[s]; dL/dh runs in two [B,U] blocks, g (ws.dh, step s) and g_prev (ws.dh_prev,
// the state step s read).
#include <algorithm>
#include <utility>

#include "core/blas.hpp"
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

// For every row of step s:  D_h = g ⊙ (1 − z) ⊙ act'(ĥ),  D_z = g ⊙ (H[s] − ĥ) (σ' comes
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
        const T* hh = z + 2 * u;
        const T* h = hp + b * u;
        for (std::size_t j = 0; j < u; ++j) {
            d[2 * u + j] = g[j] * (T(1) - z[j]);
            d[j] = g[j] * (h[j] - hh[j]);
            g_prev[j] = g[j] * z[j];
        }
        multiply_by_derivative(cfg.act, hh, d + 2 * u, u);
    }
}

// g_prev += Σ_g (D_g·R_gᵀ) ⊙ d_h^g over the gates g in [first, last).
template <class T>
void recurrent_gradient(GRUWorkspace<T>& ws, const Dims& n, const Config& cfg, const T* r,
                        std::size_t first, std::size_t last)
{
    const std::size_t u = n.nu, u3 = 3 * u;
    const T* d = ws.gh.data();
    if (!cfg.recurrent_masks) {
        // g_prev += D[:, gates]·R[:, gates]ᵀ        [B,kU]·[kU,U]
        gemm<T>(false, true, n.nb, u, (last - first) * u, T(1), d + first * u, u3, r + first * u,
                u3, T(1), ws.dh_prev.data(), u);
        return;
    }
    // ws.nh is free here (N and dq are used up): one gate's share at a time
    ws.nh.resize(n.bu());
    for (std::size_t g = first; g < last; ++g) {
        // share = D_g·R_gᵀ                           [B,U]·[U,U]
        gemm<T>(false, true, n.nb, u, u, T(1), d + g * u, u3, r + g * u, u3, T(0),
                ws.nh.data(), u);
        T* __restrict gp = ws.dh_prev.data();
        const T* __restrict sc = ws.nh.data();
        const T* __restrict m = ws.dh_mask.data() + g * n.bu();
        for (std::size_t i = 0; i < n.bu(); ++i) gp[i] += sc[i] * m[i];
    }
}

// dR[:, g] += (H[s] ⊙ d_h^g)ᵀ·D_g for the gates g in [first, last).
template <class T>
void recurrent_weight_gradient(GRUWorkspace<T>& ws, const Dims& n, const Config& cfg,
                               const T* h, std::size_t first, std::size_t last, T* dr)
{
    const std::size_t u = n.nu, u3 = 3 * u;
    const T* d = ws.gh.data();
    if (!cfg.recurrent_masks) {
        // dR[:, gates] += H[s]ᵀ·D[:, gates]         [U,B]·[B,kU]
        gemm<T>(true, false, u, (last - first) * u, n.nb, T(1), h, u, d + first * u, u3, T(1),
                dr + first * u, u3);
        return;
    }
    drop_state(ws, n, h, first, last);
    // dR_g += (H[s] ⊙ d_h^g)ᵀ·D_g                    [U,B]·[B,U] per gate
    for (std::size_t g = first; g < last; ++g)
        gemm<T>(true, false, u, u, n.nb, T(1), ws.hd.data() + g * n.bu(), u, d + g * u, u3,
                T(1), dr + g * u, u3);
}

// Step s with reset_after: δ_r from N, δ^A = [δ_z | δ_r | δ_h ⊙ r] in D and δ_s in G[s].
template <class T>
void step_reset_after(GRUWorkspace<T>& ws, const Dims& n, const Config& cfg,
                      const Weights<T>& w, const Grads<T>& grads, std::size_t s)
{
    const std::size_t u = n.nu, u3 = 3 * u;
    const T* hp = ws.h.data() + s * n.bu();
    T* gs = ws.g.data() + s * n.bg();
    candidate_deltas(ws, n, cfg, s);
    // N = H[s]·R_h + b^h_h, recomputed          [B,U]·[U,U]  ((H[s] ⊙ d_h^h) with dropout)
    ws.nh.resize(n.bu());
    recurrent_product(ws, n, cfg, w.r, hp, 2, 3, T(0), ws.nh.data(), u);
    for (std::size_t b = 0; b < n.nb; ++b) {
        T* d = ws.gh.data() + b * u3;
        T* gb = gs + b * u3;
        if (!real_row(ws.mask, s, b)) {
            std::fill_n(gb, u3, T(0));
            continue;
        }
        const T* nb_row = ws.nh.data() + b * u;
        // δ_r = δ_h ⊙ N ⊙ σ'(r), δ_z = D_z ⊙ σ'(z): one call over [z | r]
        for (std::size_t j = 0; j < u; ++j)
            d[u + j] = d[2 * u + j] * (w.bh ? nb_row[j] + w.bh[2 * u + j] : nb_row[j]);
        multiply_by_derivative(cfg.rec, gb, d, 2 * u);
        // G[s] = δ_s = [δ_z | δ_r | δ_h];  D_h = δ_h ⊙ r (A_h's share)
        for (std::size_t j = 0; j < u; ++j) {
            const T r = gb[u + j];
            gb[2 * u + j] = d[2 * u + j];
            d[2 * u + j] *= r;
        }
        std::copy_n(d, 2 * u, gb);
    }
    // g_prev += δ^A·Rᵀ                              [B,3U]·[3U,U]
    recurrent_gradient(ws, n, cfg, w.r, 0, 3);
    // dR += H[s]ᵀ·δ^A                               [U,B]·[B,3U]
    if (grads.dr) recurrent_weight_gradient(ws, n, cfg, hp, 0, 3, grads.dr);
    // db^h += Σ_b δ^A   (row 1 of the bias)
    if (grads.db)
        for (std::size_t b = 0; b < n.nb; ++b)
            for (std::size_t j = 0; j < u3; ++j) grads.db[u3 + j] += ws.gh[b * u3 + j];
}

// Step s without reset_after: dq = δ_h·R_hᵀ, δ_r = dq ⊙ H[s] ⊙ σ'(r), g_prev += dq ⊙ r.
template <class T>
void step_reset_before(GRUWorkspace<T>& ws, const Dims& n, const Config& cfg,
                       const Weights<T>& w, const Grads<T>& grads, std::size_t s)
{
    const std::size_t u = n.nu, u3 = 3 * u;
    const T* hp = ws.h.data() + s * n.bu();
    T* gs = ws.g.data() + s * n.bg();
    candidate_deltas(ws, n, cfg, s);
    // dq = δ_h·R_hᵀ                                 [B,U]·[U,U]ᵀ
    ws.nh.resize(n.bu());
    gemm<T>(false, true, n.nb, u, u, T(1), ws.gh.data() + 2 * u, u3, w.r + 2 * u, u3, T(0),
            ws.nh.data(), u);
    // q = r ⊙ H[s] ⊙ d_h^h, recomputed for dR_h
    ws.scratch.resize(n.bu());
    const T* dm = cfg.recurrent_masks ? ws.dh_mask.data() + 2 * n.bu() : nullptr;
    for (std::size_t b = 0; b < n.nb; ++b) {
        T* d = ws.gh.data() + b * u3;
        const T* gb = gs + b * u3;
        T* q = ws.scratch.data() + b * u;
        if (!real_row(ws.mask, s, b)) {
            std::fill_n(q, u, T(0));
            continue;
        }
        T* g_prev = ws.dh_prev.data() + b * u;
        const T* dq = ws.nh.data() + b * u;
        for (std::size_t j = 0; j < u; ++j) {
            const std::size_t i = b * u + j;
            const T hd = dm ? hp[i] * dm[i] : hp[i];
            q[j] = gb[u + j] * hd;
            d[u + j] = dq[j] * hd;
            g_prev[j] += dm ? dq[j] * gb[u + j] * dm[i] : dq[j] * gb[u + j];
        }
        multiply_by_derivative(cfg.rec, gb, d, 2 * u);
    }
    // g_prev += [δ_z | δ_r]·[R_z | R_r]ᵀ            [B,2U]·[2U,U]
    recurrent_gradient(ws, n, cfg, w.r, 0, 2);
    if (grads.dr) {
        // dR_zr += H[s]ᵀ·[δ_z | δ_r]                [U,B]·[B,2U]
        recurrent_weight_gradient(ws, n, cfg, hp, 0, 2, grads.dr);
        // dR_h += qᵀ·δ_h                            [U,B]·[B,U]
        gemm<T>(true, false, u, u, n.nb, T(1), ws.scratch.data(), u, ws.gh.data() + 2 * u, u3,
                T(1), grads.dr + 2 * u, u3);
    }
    std::copy_n(ws.gh.data(), n.bg(), gs);  // G[s] = δ_s (zero on padded rows)
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
    for (std::size_t s = n.nt; s-- > 0;) {
        add_output_gradient(ws.dh.data(), grad_out, n, cfg.return_sequences, s);
        // g is complete here: trace mode keeps it as dL/dh_s
        if (trace) RNNTrace<T>::put(trace->dh, s, ws.dh.data(), n.nb, n.nu);
        if (cfg.reset_after)
            step_reset_after(ws, n, cfg, w, grads, s);
        else
            step_reset_before(ws, n, cfg, w, grads, s);
        std::swap(ws.dh, ws.dh_prev);
    }
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

}  // namespace elman::gru_kernel
