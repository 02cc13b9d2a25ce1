// The fused LSTM's matrix products (layers/lstm_fused_parts.hpp), each GEMM with its equation
// and shapes above it. Two layouts (layers/lstm_fused.cpp):
//   fused      Z:[T,B,4U], gates side by side in a row: ONE GEMM covers the four gates
//   per gate   Z:[4,T,B,U] with recurrent dropout, whose mask differs per gate (Keras 3.8+):
//              four GEMMs on the packed gate blocks W^k_x [F,U], W^k_h [U,U], each reading and
//              writing contiguous blocks
#include <algorithm>

#include "core/blas.hpp"
#include "layers/lstm_fused_parts.hpp"

namespace elman::lstm_detail {

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

template <class T>
void pack_gates(const T* w, std::size_t rows, std::size_t nu, AlignedVector<T>& out)
{
    out.resize(4 * rows * nu);
    for (std::size_t k = 0; k < 4; ++k)
        for (std::size_t r = 0; r < rows; ++r)
            std::copy_n(w + r * 4 * nu + k * nu, nu, out.data() + (k * rows + r) * nu);
}

namespace {

// to[r, k·U + u] += from[r, u]: a per-gate GEMM's result into its gate's columns
template <class T>
void add_gate_columns(const T* from, std::size_t rows, std::size_t nu, std::size_t k, T* to)
{
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t u = 0; u < nu; ++u) to[r * 4 * nu + k * nu + u] += from[r * nu + u];
}

// rows r of out = rows of `block` (count·B rows of width w) ⊙ mask[r mod B]: a per-row mask
// [B,w] over several steps
template <class T>
void mask_rows(const T* block, const T* mask, std::size_t count, std::size_t nb, std::size_t w,
               T* out)
{
    for (std::size_t r = 0; r < count * nb; ++r) {
        const T* __restrict src = block + r * w;
        const T* __restrict m = mask + (r % nb) * w;
        T* __restrict dst = out + r * w;
        for (std::size_t i = 0; i < w; ++i) dst[i] = src[i] * m[i];
    }
}

}  // namespace

template <class T>
void input_projection(LSTMWorkspace<T>& ws, const Pass<T>& p, const T* bias)
{
    const Dims& n = p.n;
    const std::size_t gates = p.layout.per_gate ? 4 : 1;
    const std::size_t width = 4 * n.nu / gates;  // 4U, or U per gate
    for (std::size_t k = 0; k < gates; ++k) {
        T* zk = ws.z.data() + k * n.rows() * width;
        const T* bk = bias ? bias + k * width : nullptr;
        // every row starts as the bias, then the GEMM adds (beta = 1)
        for (std::size_t r = 0; r < n.rows(); ++r) {
            if (bk)
                std::copy_n(bk, width, zk + r * width);
            else
                std::fill_n(zk + r * width, width, T(0));
        }
        if (!p.layout.per_gate) {
            // Z += X·W_x        [T·B,F]·[F,4U], all steps' input projections at once
            gemm<T>(false, false, n.rows(), width, n.nf, T(1), ws.x.data(), p.wx, T(1), zk);
            continue;
        }
        // Z^k += X^k·W^k_x     [T·B,F]·[F,U]
        const T* xk = ws.x.data() + (p.input_masks == 4 ? k * n.rows() * n.nf : 0);
        gemm<T>(false, false, n.rows(), n.nu, n.nf, T(1), xk, ws.wx.data() + k * n.nf * n.nu,
                T(1), zk);
    }
}

template <class T>
void recurrent_product(LSTMWorkspace<T>& ws, const Pass<T>& p, std::size_t s, const T* h_prev)
{
    const Dims& n = p.n;
    T* zs = ws.z.data() + s * p.layout.step;
    if (!p.layout.per_gate) {
        // Z[s] += h_{s−1}·W_h      [B,4U] += [B,U]·[U,4U]
        gemm<T>(false, false, n.nb, 4 * n.nu, n.nu, T(1), h_prev, p.wh, T(1), zs);
        return;
    }
    const bool rdrop = !ws.dh_mask.empty();
    for (std::size_t k = 0; k < 4; ++k) {
        const T* in = h_prev;
        if (rdrop) {
            mask_rows(h_prev, ws.dh_mask.data() + k * n.bu(), 1, n.nb, n.nu, ws.r.data());
            in = ws.r.data();
        }
        // Z^k[s] += (h_{s−1} ⊙ d^k_h)·W^k_h      [B,U] += [B,U]·[U,U]
        gemm<T>(false, false, n.nb, n.nu, n.nu, T(1), in, ws.wh.data() + k * n.nu * n.nu, T(1),
                zs + k * p.layout.cell.gate);
    }
}

// Why a stored transpose: OpenBLAS's small-matrix kernel for a product with a transposed
// operand ran this per-step [B,4U]·[U,4U]ᵀ at about half the speed of its plain one
// (perf on bench W1, LSTM: 18% of a step in sgemm_small_kernel_tn), and W_h is the same for
// all T steps, so one [U,4U] transpose per backward pays for itself from the second step.
template <class T>
void transpose_recurrent_kernel(LSTMWorkspace<T>& ws, const Pass<T>& p)
{
    if (p.layout.per_gate) return;
    const std::size_t u = p.n.nu, g = 4 * u;
    ws.wh_t.resize(g * u);
    for (std::size_t r = 0; r < u; ++r)
        for (std::size_t c = 0; c < g; ++c) ws.wh_t[c * u + r] = p.wh[r * g + c];
}

template <class T>
void recurrent_gradient(LSTMWorkspace<T>& ws, const Pass<T>& p, std::size_t s, T* gh_prev)
{
    const Dims& n = p.n;
    const T* ds = ws.z.data() + s * p.layout.step;
    if (!p.layout.per_gate) {
        // gh_{s−1} += δ_s·W_hᵀ      [B,U] += [B,4U]·[4U,U] (W_hᵀ stored: ws.wh_t)
        gemm<T>(false, false, n.nb, n.nu, 4 * n.nu, T(1), ds, ws.wh_t.data(), T(1), gh_prev);
        return;
    }
    const bool rdrop = !ws.dh_mask.empty();
    for (std::size_t k = 0; k < 4; ++k) {
        const T* dk = ds + k * p.layout.cell.gate;
        const T* whk = ws.wh.data() + k * n.nu * n.nu;
        if (!rdrop) {
            // gh_{s−1} += δ^k_s·W^k_hᵀ     [B,U] += [B,U]·[U,U]ᵀ
            gemm<T>(false, true, n.nb, n.nu, n.nu, T(1), dk, whk, T(1), gh_prev);
            continue;
        }
        // gh_{s−1} += (δ^k_s·W^k_hᵀ) ⊙ d^k_h     [B,U]·[U,U]ᵀ into scratch, then masked
        gemm<T>(false, true, n.nb, n.nu, n.nu, T(1), dk, whk, T(0), ws.scratch.data());
        T* __restrict g = gh_prev;
        const T* __restrict sc = ws.scratch.data();
        const T* __restrict dh = ws.dh_mask.data() + k * n.bu();
        for (std::size_t i = 0; i < n.bu(); ++i) g[i] += sc[i] * dh[i];
    }
}

template <class T>
void recurrent_weight_gradient(LSTMWorkspace<T>& ws, const Pass<T>& p, std::size_t a,
                               std::size_t e, const T* h_chunk, T* dwh)
{
    const Dims& n = p.n;
    const std::size_t rows = (e - a) * n.nb, nu = n.nu;
    if (!p.layout.per_gate) {
        // dW_h += H[a..e)ᵀ·D[a..e)      [U,(e−a)·B]·[(e−a)·B,4U]
        gemm<T>(true, false, nu, 4 * nu, rows, T(1), h_chunk, ws.z.data() + a * p.layout.step,
                T(1), dwh);
        return;
    }
    const bool rdrop = !ws.dh_mask.empty();
    for (std::size_t k = 0; k < 4; ++k) {
        const T* dk = ws.z.data() + k * p.layout.cell.gate + a * p.layout.step;
        const T* rk = h_chunk;
        if (rdrop) {
            // R^k = H[a..e) ⊙ d^k_h, the state as W^k_h saw it
            mask_rows(h_chunk, ws.dh_mask.data() + k * n.bu(), e - a, n.nb, nu, ws.r.data());
            rk = ws.r.data();
        }
        // dW^k_h += R^kᵀ·D^k      [U,(e−a)·B]·[(e−a)·B,U], into the gate's columns of dW_h
        gemm<T>(true, false, nu, nu, rows, T(1), rk, dk, T(0), ws.scratch.data());
        add_gate_columns(ws.scratch.data(), nu, nu, k, dwh);
    }
}

template <class T>
void input_weight_gradients(LSTMWorkspace<T>& ws, const Pass<T>& p, T* dwx, T* db)
{
    const Dims& n = p.n;
    const std::size_t rows = n.rows(), nu = n.nu;
    if (db) ws.ones.resize(rows, T(1));
    if (!p.layout.per_gate) {
        // dW_x += Xᵀ·D      [F,T·B]·[T·B,4U]
        if (dwx) gemm<T>(true, false, n.nf, 4 * nu, rows, T(1), ws.x.data(), ws.z.data(), T(1), dwx);
        // db += Dᵀ·1        [4U,T·B]·[T·B]
        if (db) gemm<T>(true, false, 4 * nu, 1, rows, T(1), ws.z.data(), ws.ones.data(), T(1), db);
        return;
    }
    for (std::size_t k = 0; k < 4; ++k) {
        const T* dk = ws.z.data() + k * rows * nu;
        if (dwx) {
            // dW^k_x += X^kᵀ·D^k     [F,T·B]·[T·B,U], into the gate's columns of dW_x
            const T* xk = ws.x.data() + (p.input_masks == 4 ? k * rows * n.nf : 0);
            gemm<T>(true, false, n.nf, nu, rows, T(1), xk, dk, T(0), ws.scratch.data());
            add_gate_columns(ws.scratch.data(), n.nf, nu, k, dwx);
        }
        // db^k += D^kᵀ·1, straight into the bias gradient's block k
        if (db) gemm<T>(true, false, nu, 1, rows, T(1), dk, ws.ones.data(), T(1), db + k * nu);
    }
}

template <class T>
void input_gradient(LSTMWorkspace<T>& ws, const Pass<T>& p, T* dx)
{
    const Dims& n = p.n;
    const std::size_t rows = n.rows();
    ws.dx.resize(rows * n.nf);
    if (!p.layout.per_gate) {
        // dX = D·W_xᵀ      [T·B,4U]·[F,4U]ᵀ
        gemm<T>(false, true, rows, n.nf, 4 * n.nu, T(1), ws.z.data(), p.wx, T(0), ws.dx.data());
    } else {
        std::fill(ws.dx.begin(), ws.dx.end(), T(0));
        for (std::size_t k = 0; k < 4; ++k) {
            const T* dk = ws.z.data() + k * rows * n.nu;
            const T* wxk = ws.wx.data() + k * n.nf * n.nu;
            if (p.input_masks != 4) {
                // dX += D^k·W^k_xᵀ      [T·B,U]·[F,U]ᵀ
                gemm<T>(false, true, rows, n.nf, n.nu, T(1), dk, wxk, T(1), ws.dx.data());
                continue;
            }
            // dX += (D^k·W^k_xᵀ) ⊙ d^k_x     into scratch [T·B,F], then masked row by row
            gemm<T>(false, true, rows, n.nf, n.nu, T(1), dk, wxk, T(0), ws.scratch.data());
            const T* mk = ws.dx_mask.data() + k * n.nb * n.nf;
            for (std::size_t r = 0; r < rows; ++r)
                for (std::size_t f = 0; f < n.nf; ++f)
                    ws.dx[r * n.nf + f] += ws.scratch[r * n.nf + f] * mk[(r % n.nb) * n.nf + f];
        }
    }
    // dx[b,t(s),:] += dX[s,b,:] (⊙ d_x with one shared input mask)
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

#define ELMAN_INSTANTIATE(T)                                                                    \
    template void load_inputs(LSTMWorkspace<T>&, const T*, const Pass<T>&);                     \
    template void pack_gates(const T*, std::size_t, std::size_t, AlignedVector<T>&);             \
    template void input_projection(LSTMWorkspace<T>&, const Pass<T>&, const T*);                \
    template void recurrent_product(LSTMWorkspace<T>&, const Pass<T>&, std::size_t, const T*); \
    template void transpose_recurrent_kernel(LSTMWorkspace<T>&, const Pass<T>&);                 \
    template void recurrent_gradient(LSTMWorkspace<T>&, const Pass<T>&, std::size_t, T*);       \
    template void recurrent_weight_gradient(LSTMWorkspace<T>&, const Pass<T>&, std::size_t,     \
                                            std::size_t, const T*, T*);                         \
    template void input_weight_gradients(LSTMWorkspace<T>&, const Pass<T>&, T*, T*);            \
    template void input_gradient(LSTMWorkspace<T>&, const Pass<T>&, T*);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman::lstm_detail
