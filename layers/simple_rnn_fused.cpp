// The fused SimpleRNN: one tape node for the whole sequence, BPTT written out by hand.
//
// Buffers (time-major, contiguous, so every per-step operand is one [B,·] block):
//   X:[T,B,F]    X[s] = x[:, t(s), :]  in processing order, t(s) = s (or T−1−s going backwards)
//   H:[T+1,B,U]  H[0] = h_0,  H[s+1] = h after step s
//   D:[T,B,U]    D[s] = δ_s = dL/da_s (backward)
//
// forward:   A = 1·bᵀ + X·W_x                one GEMM for all steps [T·B,F]·[F,U] -> H[1..T]
//            H[s+1] = act(A[s] + H[s]·W_h)            one [B,U]·[U,U] GEMM per step, beta = 1
// backward, s = T−1 .. 0:
//            g_s = dL/dh_s (from the output) + δ_{s+1}·W_hᵀ       (δ_T = 0)
//            δ_s = g_s ⊙ act'(a_s)                    (tanh: 1 − h_s², from H alone)
//   then     dW_x += Xᵀ·D          dW_h += H[0..T−1]ᵀ·D      (one GEMM each over T·B rows)
//            db   += Dᵀ·1 = Σ_{s,b} δ_s[b]          dx[:, t(s)] += δ_s·W_xᵀ
//            dh_0 += δ_0·W_hᵀ
// The buffers live in a SimpleRNNWorkspace the layer reuses across training steps.
#include <algorithm>
#include <memory>
#include <string>

#include "core/blas.hpp"
#include "core/error.hpp"
#include "layers/simple_rnn.hpp"

namespace elman {

template <class T>
Var<T> simple_rnn_fused(const Var<T>& x, const Var<T>& kernel, const Var<T>& recurrent_kernel,
                        const Var<T>* bias, const Var<T>* h0, Activation activation,
                        bool go_backwards, bool return_sequences, RNNTrace<T>* trace,
                        std::shared_ptr<SimpleRNNWorkspace<T>> workspace)
{
    const Tensor<T>& xv = x.value("simple_rnn_fused");
    const std::size_t nb = xv.shape()[0];
    const std::size_t nt = xv.shape()[1];
    const std::size_t nf = xv.shape()[2];
    const std::size_t nu = recurrent_kernel.value("simple_rnn_fused").shape()[0];
    const std::size_t bu = nb * nu;
    const T* wx = kernel.value("simple_rnn_fused").data();
    const T* wh = recurrent_kernel.value("simple_rnn_fused").data();
    const T* bv = bias ? bias->value("simple_rnn_fused").data() : nullptr;

    // resize() keeps the capacity: from the second training step on nothing is allocated.
    if (!workspace) workspace = std::make_shared<SimpleRNNWorkspace<T>>();
    SimpleRNNWorkspace<T>& ws = *workspace;
    ws.x.resize(nt * nb * nf);
    ws.h.resize((nt + 1) * bu);

    // X[s,b,:] = x[b,t(s),:]
    for (std::size_t s = 0; s < nt; ++s) {
        const std::size_t t = go_backwards ? nt - 1 - s : s;
        for (std::size_t b = 0; b < nb; ++b) {
            const T* src = xv.data() + (b * nt + t) * nf;
            T* dst = ws.x.data() + (s * nb + b) * nf;
            for (std::size_t f = 0; f < nf; ++f) dst[f] = src[f];
        }
    }

    T* hp = ws.h.data();
    if (h0) {
        const T* h0v = h0->value("simple_rnn_fused").data();
        for (std::size_t i = 0; i < bu; ++i) hp[i] = h0v[i];
    } else {
        for (std::size_t i = 0; i < bu; ++i) hp[i] = T(0);
    }
    // H[1..T] = 1·bᵀ + X·W_x    every row starts as the bias, then one GEMM [T·B,F]·[F,U]
    // with beta = 1 for all steps' input projections
    for (std::size_t r = 0; r < nt * nb; ++r) {
        T* row = hp + bu + r * nu;
        if (bv)
            std::copy_n(bv, nu, row);
        else
            std::fill_n(row, nu, T(0));
    }
    gemm<T>(false, false, nt * nb, nu, nf, T(1), ws.x.data(), wx, T(1), hp + bu);
    for (std::size_t s = 0; s < nt; ++s) {
        T* hs = hp + (s + 1) * bu;
        // a_s = (b + x_s·W_x) + h_{s−1}·W_h        [B,U] += [B,U]·[U,U]
        gemm<T>(false, false, nb, nu, nu, T(1), hs - bu, wh, T(1), hs);
        if (trace) RNNTrace<T>::push(trace->a, hs, nb, nu);
        // h_s = act(a_s)
        activate_inplace(activation, hs, bu);
        if (trace) RNNTrace<T>::push(trace->h, hs, nb, nu);
    }

    Tensor<T> y;
    if (return_sequences) {
        // y[b,s,:] = H[s+1,b,:]
        y = Tensor<T>::from_shape({nb, nt, nu});
        for (std::size_t s = 0; s < nt; ++s)
            for (std::size_t b = 0; b < nb; ++b) {
                const T* src = hp + (s + 1) * bu + b * nu;
                T* dst = y.data() + (b * nt + s) * nu;
                for (std::size_t u = 0; u < nu; ++u) dst[u] = src[u];
            }
    } else {
        y = Tensor<T>::from_shape({nb, nu});
        const T* src = hp + nt * bu;
        for (std::size_t i = 0; i < bu; ++i) y.data()[i] = src[i];
    }

    std::vector<Var<T>> inputs{x, kernel, recurrent_kernel};
    const std::size_t bias_k = bias ? inputs.size() : 0;
    if (bias) inputs.push_back(*bias);
    const std::size_t h0_k = h0 ? inputs.size() : 0;
    if (h0) inputs.push_back(*h0);

    return record<T>(
        "simple_rnn_fused", std::move(y), inputs,
        [workspace = std::move(workspace), nb, nt, nf, nu, bias_k, h0_k, activation, go_backwards,
         return_sequences, trace](BackwardContext<T>& c) {
            SimpleRNNWorkspace<T>& ws = *workspace;
            const std::vector<T>& xtm = ws.x;
            const std::size_t bu = nb * nu;
            const T* g = c.grad().data();
            const T* h = ws.h.data();
            const T* wh = c.input(2).data();
            ws.d.resize(nt * bu);
            T* d = ws.d.data();

            // D[s] starts as dL/dh_s from the output: every step, or only the last.
            if (return_sequences) {
                for (std::size_t s = 0; s < nt; ++s)
                    for (std::size_t b = 0; b < nb; ++b) {
                        const T* src = g + (b * nt + s) * nu;
                        T* dst = d + s * bu + b * nu;
                        for (std::size_t u = 0; u < nu; ++u) dst[u] = src[u];
                    }
            } else {
                for (std::size_t i = 0; i < (nt - 1) * bu; ++i) d[i] = T(0);
                for (std::size_t i = 0; i < bu; ++i) d[(nt - 1) * bu + i] = g[i];
            }

            for (std::size_t s = nt; s-- > 0;) {
                T* ds = d + s * bu;
                // g_s is complete here: trace mode keeps it as dL/dh_s
                if (trace) RNNTrace<T>::put(trace->dh, s, ds, nb, nu);
                // δ_s = g_s ⊙ act'(a_s), act' from h_s = H[s+1]
                multiply_by_derivative(activation, h + (s + 1) * bu, ds, bu);
                // g_{s−1} += δ_s·W_hᵀ        [B,U]·[U,U]ᵀ
                if (s > 0) gemm<T>(false, true, nb, nu, nu, T(1), ds, wh, T(1), ds - bu);
            }

            // dh_0 += δ_0·W_hᵀ
            if (h0_k && c.needs_grad(h0_k))
                gemm<T>(false, true, nb, nu, nu, T(1), d, wh, T(1), c.grad_buffer(h0_k).data());
            // dW_x += Xᵀ·D          [F,T·B]·[T·B,U]
            if (c.needs_grad(1))
                gemm<T>(true, false, nf, nu, nt * nb, T(1), xtm.data(), d, T(1),
                        c.grad_buffer(1).data());
            // dW_h += H[0..T−1]ᵀ·D   [U,T·B]·[T·B,U]
            if (c.needs_grad(2))
                gemm<T>(true, false, nu, nu, nt * nb, T(1), h, d, T(1), c.grad_buffer(2).data());
            // db += Dᵀ·1, the sum over all T·B rows of D    [U,T·B]·[T·B]
            if (bias_k && c.needs_grad(bias_k)) {
                ws.ones.resize(nt * nb, T(1));
                gemm<T>(true, false, nu, 1, nt * nb, T(1), d, ws.ones.data(), T(1),
                        c.grad_buffer(bias_k).data());
            }
            // dX = D·W_xᵀ  [T·B,U]·[U,F]ᵀ, then dx[b,t(s),:] += dX[s,b,:]
            if (c.needs_grad(0)) {
                ws.dx.resize(nt * nb * nf);
                gemm<T>(false, true, nt * nb, nf, nu, T(1), d, c.input(1).data(), T(0),
                        ws.dx.data());
                T* dx = c.grad_buffer(0).data();
                for (std::size_t s = 0; s < nt; ++s) {
                    const std::size_t t = go_backwards ? nt - 1 - s : s;
                    for (std::size_t b = 0; b < nb; ++b) {
                        const T* src = ws.dx.data() + (s * nb + b) * nf;
                        T* dst = dx + (b * nt + t) * nf;
                        for (std::size_t f = 0; f < nf; ++f) dst[f] += src[f];
                    }
                }
            }
        });
}

#define ELMAN_INSTANTIATE(T)                                                                \
    template Var<T> simple_rnn_fused(const Var<T>&, const Var<T>&, const Var<T>&,           \
                                     const Var<T>*, const Var<T>*, Activation, bool, bool,   \
                                     RNNTrace<T>*, std::shared_ptr<SimpleRNNWorkspace<T>>);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)

}  // namespace elman
