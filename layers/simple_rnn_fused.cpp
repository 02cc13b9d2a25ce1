// The fused SimpleRNN: one tape node for the whole sequence, BPTT written out by hand.
//
// Buffers (time-major, contiguous, so every per-step operand is one [B,·] block):
//   X:[T,B,F]    X[s] = x[:, t(s), :] ⊙ d_x  in processing order, t(s) = s (or T−1−s going
//                backwards); d_x [B,F] is the input dropout mask (none: all ones)
//   H:[T+1,B,U]  H[0] = h_0,  H[s+1] = h after step s
//   R:[T,B,U]    R[s] = H[s] ⊙ d_h, the state as W_h sees it, d_h [B,U] the recurrent dropout
//                mask; without recurrent dropout R is H[0..T−1] itself (no copy)
//   D:[T,B,U]    D[s] = δ_s = dL/da_s (backward)
//   M:[T,B]      m_s[b] = 1 for a real step, 0 for padding (with a mask; layers/rnn_mask.hpp)
//
// forward:   A = 1·bᵀ + X·W_x                one GEMM for all steps [T·B,F]·[F,U] -> H[1..T]
//            H[s+1] = act(A[s] + R[s]·W_h)            one [B,U]·[U,U] GEMM per step, beta = 1
//            H[s+1][b] = H[s][b]  where m_s[b] = 0    a padded step carries the state
//            batch 1 with tanh: the product and tanh in one kernel call per step
//            (core/blas.hpp, gemm_row_tanh), where gemm takes its one-row kernel anyway
// backward, s = T−1 .. 0, with g_s = dL/dh_s (D[s] before it becomes δ_s):
//            g_s = dL/dh_s (from the output) + (δ_{s+1}·W_hᵀ) ⊙ d_h   (δ_T = 0; W_hᵀ stored
//                                                                       once per backward)
//                  + g_{s+1} on the rows padded at s+1
//            padded rows:  g_{s−1} += g_s,  δ_s = 0      the gradient skips the step: nothing
//                                                        reaches x_s or the weights from it
//            real rows:    δ_s = g_s ⊙ act'(a_s)         (tanh: 1 − h_s², from H alone)
//   then     dW_x += Xᵀ·D          dW_h += Rᵀ·D      (one GEMM each over T·B rows)
//            db   += Dᵀ·1 = Σ_{s,b} δ_s[b]          dx[:, t(s)] += (δ_s·W_xᵀ) ⊙ d_x
//            dh_0 += g_{−1} = (δ_0·W_hᵀ) ⊙ d_h + g_0 on the rows padded at step 0
// The buffers live in a SimpleRNNWorkspace the layer reuses across training steps.
//
// Threads (core/parallel.hpp): the rows b of a batch never meet in the recurrence, so with
// kernel_threads() >= 2 the forward's and the backward's loops over s each run as P blocks of
// rows [b0,b1), one per thread, all T steps without meeting (every per-step operand above is
// then the block's [b1−b0,·] rows, still contiguous), and dW_h = Rᵀ·D is split over its U rows.
// No sum is split, so the results depend on the thread count only as far as BLAS rounds a block
// of rows differently from the same rows in a larger product: not at all with OpenBLAS's AVX-512
// kernels, up to ~1e-5 relative with its Haswell ones (tests/test_simple_rnn_threads.cpp).
#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>

#include "core/blas.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "layers/simple_rnn.hpp"

namespace elman {

namespace {

struct Dims {
    std::size_t nb, nt, nf, nu;
    std::size_t bu() const { return nb * nu; }
};

// X[s,b,:] = x[b,t(s),:] ⊙ d_x[b,:]
template <class T>
void load_inputs(SimpleRNNWorkspace<T>& ws, const T* x, const Dims& n, bool go_backwards)
{
    ws.x.resize(n.nt * n.nb * n.nf);
    const T* dx = ws.dx_mask.empty() ? nullptr : ws.dx_mask.data();
    if (!dx && n.nb == 1 && !go_backwards) {  // [1,T,F] is already time-major: one copy
        std::copy_n(x, n.nt * n.nf, ws.x.data());
        return;
    }
    for (std::size_t s = 0; s < n.nt; ++s) {
        const std::size_t t = go_backwards ? n.nt - 1 - s : s;
        for (std::size_t b = 0; b < n.nb; ++b) {
            const T* src = x + (b * n.nt + t) * n.nf;
            T* dst = ws.x.data() + (s * n.nb + b) * n.nf;
            if (dx)
                for (std::size_t f = 0; f < n.nf; ++f) dst[f] = src[f] * dx[b * n.nf + f];
            else
                std::copy_n(src, n.nf, dst);
        }
    }
}

// How many row blocks the recurrence of nb rows of U units runs as (see the top of the file):
// one per thread while each block's per-step product [rows,U]·[U,U] keeps at least
// kMinPartWork multiply-adds, else one; and one when a trace records the steps. Below that size
// two threads lost: OpenBLAS packs W_h on every call whatever the rows, and two threads calling
// it at once contend (bench W1, W2 and W4 ran 1.4–2.7x slower; docs/performance.md, "The
// sgemm ceiling, two threads and libraries").
constexpr std::size_t kMinPartWork = std::size_t(1) << 19;
int recurrence_parts(std::size_t nb, std::size_t nu, bool traced)
{
    if (traced) return 1;
    int parts = kernel_threads();
    while (parts > 1 && (nb / static_cast<std::size_t>(parts)) * nu * nu < kMinPartWork) --parts;
    return parts;
}

// Rows [b0, b1) of H[1..T] (and of R with recurrent dropout), step by step.
template <class T>
void forward_rows(SimpleRNNWorkspace<T>& ws, const Dims& n, const T* wh, Activation act,
                  std::size_t b0, std::size_t b1, RNNTrace<T>* trace)
{
    const std::size_t bu = n.bu(), off = b0 * n.nu, rows = b1 - b0, len = rows * n.nu;
    const bool rdrop = !ws.dh_mask.empty();
    const bool masked = ws.mask.steps != 0;
    for (std::size_t s = 0; s < n.nt; ++s) {
        T* hs = ws.h.data() + (s + 1) * bu + off;
        const T* h_in = hs - bu;
        if (rdrop) {
            // R[s] = H[s] ⊙ d_h     (distinct buffers: restrict lets GCC vectorise at -O2)
            T* __restrict rs = ws.r.data() + s * bu + off;
            const T* __restrict hs_in = h_in;
            const T* __restrict dh = ws.dh_mask.data() + off;
            for (std::size_t i = 0; i < len; ++i) rs[i] = hs_in[i] * dh[i];
            h_in = rs;
        }
        // batch 1, tanh, no trace: h_s = tanh(a_s + R[s]·W_h) in one kernel call
        // (core/blas.hpp, gemm_row_tanh), where gemm would take the one-row kernel anyway
        bool one_call = false;
        if constexpr (std::is_same_v<T, float>)
            one_call = rows == 1 && act == Activation::tanh && !trace &&
                       gemm_row_tanh(n.nu, n.nu, h_in, wh, hs);
        if (!one_call) {
            // a_s = (b + x_s·W_x) + R[s]·W_h        [rows,U] += [rows,U]·[U,U]
            gemm<T>(false, false, rows, n.nu, n.nu, T(1), h_in, wh, T(1), hs);
            if (trace) RNNTrace<T>::push(trace->a, hs, n.nb, n.nu);
            // h_s = act(a_s)
            activate_inplace(act, hs, len);
        }
        // the padded rows take h_{s−1} back
        if (masked && !ws.mask.step_all_real(s))
            carry_padded_rows(ws.mask.at(s) + b0, hs - bu, hs, rows, n.nu);
        if (trace) RNNTrace<T>::push(trace->h, hs, n.nb, n.nu);
    }
}

// Fills H[0..T] (see the top of the file); R too with recurrent dropout.
template <class T>
void forward_steps(SimpleRNNWorkspace<T>& ws, const Dims& n, const T* wx, const T* wh,
                   const T* bias, const T* h0, Activation act, RNNTrace<T>* trace)
{
    const std::size_t bu = n.bu();
    ws.h.resize((n.nt + 1) * bu);
    T* hp = ws.h.data();
    if (h0)
        std::copy_n(h0, bu, hp);
    else
        std::fill_n(hp, bu, T(0));
    // H[1..T] = 1·bᵀ + X·W_x    every row starts as the bias, then one GEMM [T·B,F]·[F,U]
    // with beta = 1 for all steps' input projections
    for (std::size_t r = 0; r < n.nt * n.nb; ++r) {
        T* row = hp + bu + r * n.nu;
        if (bias)
            std::copy_n(bias, n.nu, row);
        else
            std::fill_n(row, n.nu, T(0));
    }
    gemm<T>(false, false, n.nt * n.nb, n.nu, n.nf, T(1), ws.x.data(), wx, T(1), hp + bu);
    if (!ws.dh_mask.empty()) ws.r.resize(n.nt * bu);
    const int parts = recurrence_parts(n.nb, n.nu, trace != nullptr);
    run_parts(parts, [&](int p) {
        const auto [b0, b1] = part_rows(n.nb, p, parts);
        forward_rows(ws, n, wh, act, b0, b1, trace);
    });
}

// The node's value: y[b,s,:] = H[s+1,b,:] (return_sequences) or y = H[T].
template <class T>
Tensor<T> states_value(const SimpleRNNWorkspace<T>& ws, const Dims& n, bool return_sequences)
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

// D[s] starts as dL/dh_s from the output: every step, or only the last.
template <class T>
void seed_deltas(SimpleRNNWorkspace<T>& ws, const T* g, const Dims& n, bool return_sequences)
{
    const std::size_t bu = n.bu();
    ws.d.resize(n.nt * bu);
    T* d = ws.d.data();
    if (return_sequences) {
        for (std::size_t s = 0; s < n.nt; ++s)
            for (std::size_t b = 0; b < n.nb; ++b)
                std::copy_n(g + (b * n.nt + s) * n.nu, n.nu, d + s * bu + b * n.nu);
    } else {
        std::fill_n(d, (n.nt - 1) * bu, T(0));
        std::copy_n(g, bu, d + (n.nt - 1) * bu);
    }
}

// W_hᵀ into ws.wh_t. Why a stored transpose: OpenBLAS's kernel for a product with a
// transposed operand ran the per-step δ_s·W_hᵀ at 0.4–0.7x the speed of its plain one
// (bench/xsmm_bench: 32³ 1.0 µs against 0.4, 64³ 4.4 against 2.8; the LSTM's kernel found the
// same), and W_h is the same for all T steps: one [U,U] copy per backward pays from step two.
template <class T>
void transpose_recurrent_kernel(SimpleRNNWorkspace<T>& ws, const Dims& n, const T* wh)
{
    ws.wh_t.resize(n.nu * n.nu);
    for (std::size_t r = 0; r < n.nu; ++r)
        for (std::size_t c = 0; c < n.nu; ++c) ws.wh_t[c * n.nu + r] = wh[r * n.nu + c];
}

// g_prev += (δ_s·W_hᵀ) ⊙ d_h        [rows,U]·[U,U] with W_hᵀ stored, on the rows from
// `off` = b0·U
template <class T>
void recurrent_gradient(SimpleRNNWorkspace<T>& ws, const Dims& n, std::size_t rows,
                        std::size_t off, const T* ds, T* g_prev)
{
    const T* wh_t = ws.wh_t.data();
    if (ws.dh_mask.empty()) {
        gemm<T>(false, false, rows, n.nu, n.nu, T(1), ds, wh_t, T(1), g_prev);
        return;
    }
    T* __restrict sc = ws.scratch.data() + off;
    gemm<T>(false, false, rows, n.nu, n.nu, T(1), ds, wh_t, T(0), sc);
    T* __restrict g = g_prev;
    const T* __restrict dh = ws.dh_mask.data() + off;
    for (std::size_t i = 0; i < rows * n.nu; ++i) g[i] += sc[i] * dh[i];
}

// Rows [b0, b1) of D, from dL/dh into δ, step by step from the last.
template <class T>
void backprop_rows(SimpleRNNWorkspace<T>& ws, const Dims& n, Activation act, bool need_dh0,
                   std::size_t b0, std::size_t b1, RNNTrace<T>* trace)
{
    const std::size_t bu = n.bu(), off = b0 * n.nu, rows = b1 - b0;
    const bool masked = ws.mask.steps != 0;
    for (std::size_t s = n.nt; s-- > 0;) {
        T* ds = ws.d.data() + s * bu + off;
        T* g_prev = s > 0 ? ds - bu : ws.g0.data() + off;
        // g_s is complete here: trace mode keeps it as dL/dh_s
        if (trace) RNNTrace<T>::put(trace->dh, s, ds, n.nb, n.nu);
        // padded rows: g_{s−1} += g_s, δ_s = 0
        if (masked && !ws.mask.step_all_real(s))
            pass_padded_rows(ws.mask.at(s) + b0, ds, g_prev, rows, n.nu);
        // δ_s = g_s ⊙ act'(a_s), act' from h_s = H[s+1]
        multiply_by_derivative(act, ws.h.data() + (s + 1) * bu + off, ds, rows * n.nu);
        if (s > 0 || need_dh0) recurrent_gradient(ws, n, rows, off, ds, g_prev);
    }
}

// Turns D from dL/dh into δ (see the top of the file), and leaves g_{−1} = dL/dh_0 in ws.g0
// when `need_dh0`.
template <class T>
void backprop_through_time(SimpleRNNWorkspace<T>& ws, const Dims& n, const T* wh,
                           Activation act, bool need_dh0, RNNTrace<T>* trace)
{
    ws.g0.assign(n.bu(), T(0));
    if (!ws.dh_mask.empty()) ws.scratch.resize(n.bu());
    transpose_recurrent_kernel(ws, n, wh);
    const int parts = recurrence_parts(n.nb, n.nu, trace != nullptr);
    run_parts(parts, [&](int p) {
        const auto [b0, b1] = part_rows(n.nb, p, parts);
        backprop_rows(ws, n, act, need_dh0, b0, b1, trace);
    });
}

// dW_h += Rᵀ·D    [U,T·B]·[T·B,U], rows [u0,u1) of dW_h per part: R's columns u0..u1 (lda U);
// split where the recurrence is
template <class T>
void recurrent_kernel_gradient(const Dims& n, const T* r, const T* d, T* dwh)
{
    const int parts = recurrence_parts(n.nb, n.nu, false);
    run_parts(parts, [&](int p) {
        const auto [u0, u1] = part_rows(n.nu, p, parts);
        gemm<T>(true, false, u1 - u0, n.nu, n.nt * n.nb, T(1), r + u0, n.nu, d, n.nu, T(1),
                dwh + u0 * n.nu, n.nu);
    });
}

// dX = D·W_xᵀ  [T·B,U]·[U,F]ᵀ, then dx[b,t(s),:] += dX[s,b,:] ⊙ d_x[b,:]
template <class T>
void input_gradient(SimpleRNNWorkspace<T>& ws, const Dims& n, const T* wx, bool go_backwards,
                    T* dx)
{
    ws.dx.resize(n.nt * n.nb * n.nf);
    gemm<T>(false, true, n.nt * n.nb, n.nf, n.nu, T(1), ws.d.data(), wx, T(0), ws.dx.data());
    const T* mask = ws.dx_mask.empty() ? nullptr : ws.dx_mask.data();
    for (std::size_t s = 0; s < n.nt; ++s) {
        const std::size_t t = go_backwards ? n.nt - 1 - s : s;
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

}  // namespace

template <class T>
Var<T> simple_rnn_fused(const Var<T>& x, const Var<T>& kernel, const Var<T>& recurrent_kernel,
                        const Var<T>* bias, const Var<T>* h0, const SimpleRNNFusedArgs<T>& args)
{
    const Tensor<T>& xv = x.value("simple_rnn_fused");
    const Dims n{xv.shape()[0], xv.shape()[1], xv.shape()[2],
                 recurrent_kernel.value("simple_rnn_fused").shape()[0]};

    // resize() and assign() keep the capacity: from the second training step on nothing of
    // size T is allocated.
    std::shared_ptr<SimpleRNNWorkspace<T>> workspace = args.workspace;
    if (!workspace) workspace = std::make_shared<SimpleRNNWorkspace<T>>();
    SimpleRNNWorkspace<T>& ws = *workspace;
    const auto keep = [](const Tensor<T>* m, AlignedVector<T>& to) {
        if (m)
            to.assign(m->data(), m->data() + m->size());
        else
            to.clear();
    };
    keep(args.input_dropout, ws.dx_mask);
    keep(args.recurrent_dropout, ws.dh_mask);
    ws.mask = args.mask ? *args.mask : StepMask{};

    load_inputs(ws, xv.data(), n, args.go_backwards);
    forward_steps(ws, n, kernel.value().data(), recurrent_kernel.value().data(),
                  bias ? bias->value().data() : nullptr, h0 ? h0->value().data() : nullptr,
                  args.activation, args.trace);

    std::vector<Var<T>> inputs;
    inputs.reserve(5);
    inputs.insert(inputs.end(), {x, kernel, recurrent_kernel});
    const std::size_t bias_k = bias ? inputs.size() : 0;
    if (bias) inputs.push_back(*bias);
    const std::size_t h0_k = h0 ? inputs.size() : 0;
    if (h0) inputs.push_back(*h0);

    return record<T>(
        "simple_rnn_fused", states_value(ws, n, args.return_sequences), inputs,
        [workspace = std::move(workspace), n, bias_k, h0_k, act = args.activation,
         go_backwards = args.go_backwards, return_sequences = args.return_sequences,
         trace = args.trace](BackwardContext<T>& c) {
            SimpleRNNWorkspace<T>& ws = *workspace;
            const std::size_t rows = n.nt * n.nb;
            const bool need_dh0 = h0_k && c.needs_grad(h0_k);
            seed_deltas(ws, c.grad().data(), n, return_sequences);
            backprop_through_time(ws, n, c.input(2).data(), act, need_dh0, trace);
            const T* d = ws.d.data();
            // dh_0 += g_{−1}
            if (need_dh0) {
                T* dh0 = c.grad_buffer(h0_k).data();
                for (std::size_t i = 0; i < n.bu(); ++i) dh0[i] += ws.g0[i];
            }
            // dW_x += Xᵀ·D          [F,T·B]·[T·B,U]
            if (c.needs_grad(1))
                gemm<T>(true, false, n.nf, n.nu, rows, T(1), ws.x.data(), d, T(1),
                        c.grad_buffer(1).data());
            // dW_h += Rᵀ·D          [U,T·B]·[T·B,U]   (R = H[0..T−1] without recurrent dropout)
            if (c.needs_grad(2)) {
                const T* r = ws.dh_mask.empty() ? ws.h.data() : ws.r.data();
                recurrent_kernel_gradient(n, r, d, c.grad_buffer(2).data());
            }
            // db += Dᵀ·1, the sum over all T·B rows of D    [U,T·B]·[T·B]
            if (bias_k && c.needs_grad(bias_k)) {
                ws.ones.resize(rows, T(1));
                gemm<T>(true, false, n.nu, 1, rows, T(1), d, ws.ones.data(), T(1),
                        c.grad_buffer(bias_k).data());
            }
            if (c.needs_grad(0))
                input_gradient(ws, n, c.input(1).data(), go_backwards, c.grad_buffer(0).data());
        });
}

#define ELMAN_INSTANTIATE(T)                                                                \
    template Var<T> simple_rnn_fused(const Var<T>&, const Var<T>&, const Var<T>&,           \
                                     const Var<T>*, const Var<T>*,                          \
                                     const SimpleRNNFusedArgs<T>&);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
