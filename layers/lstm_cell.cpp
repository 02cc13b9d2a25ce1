// The LSTM cell, one step at a time, on raw buffers (layout: layers/lstm_cell.hpp).
//
// forward:   i = σ(z_i)   f = σ(z_f)   g = act(z_c)   o = σ(z_o)
//            c_s = f ⊙ c_{s−1} + i ⊙ g          h_s = o ⊙ act(c_s)
// backward, given gh = dL/dh_s (complete) and gc = dL/dc_s from step s+1 (and the c output):
//            dc  = gc + gh ⊙ o ⊙ act'(c_s)      the total dL/dc_s: c_s reaches the loss through
//                                              c_{s+1} and through h_s
//            δ_o = gh ⊙ act(c_s) ⊙ σ'(o)
//            δ_i = dc ⊙ g ⊙ σ'(i)
//            δ_f = dc ⊙ c_{s−1} ⊙ σ'(f)
//            δ_g = dc ⊙ i ⊙ act'(g)
//            gc  = dc ⊙ f                       dL/dc_{s−1}: the cell state's gradient passes
//                                              back through f alone (no weight matrix)
// with every derivative written from the function's output y: σ' = y(1 − y), tanh' = 1 − y².
// δ overwrites the gates it came from (nothing reads a gate after its δ).
#include "layers/lstm_cell.hpp"

#include <algorithm>
#include <type_traits>

#include "core/simd.hpp"

namespace elman {

namespace {

// y = σ(y) in place. float: σ(z) = (1 + tanh(z/2))/2 through activate_inplace's vectorised
// tanh (glibc's expf loop does not vectorise); double: 1/(1 + e^(−z)) exactly.
template <class T>
void sigmoid_inplace(T* y, std::size_t n)
{
    if constexpr (std::is_same_v<T, float>) {
        for (std::size_t k = 0; k < n; ++k) y[k] *= 0.5f;
        activate_inplace(Activation::tanh, y, n);
        for (std::size_t k = 0; k < n; ++k) y[k] = 0.5f + 0.5f * y[k];
    }
    else {
        activate_inplace(Activation::sigmoid, y, n);
    }
}

template <class T>
void apply(Activation a, T* y, std::size_t n)
{
    if (a == Activation::sigmoid)
        sigmoid_inplace(y, n);
    else
        activate_inplace(a, y, n);
}

// y = a + b·y on the columns of the σ gates i, f and o of every [4U] row (the identities
// σ(z) = (1 + tanh(z/2))/2 of gates_sigmoid_tanh). Cloned (core/simd.hpp): the bench's W1 LSTM
// spent 13% of a step here when this ran at the baseline ISA's width.
ELMAN_CLONES void affine_sigmoid_columns(float* z, std::size_t nb, std::size_t nu, float a, float b)
{
    const std::size_t w = 4 * nu;
    for (std::size_t r = 0; r < nb; ++r) {
        float* __restrict row = z + r * w;
        blocked(2 * nu, [&](std::size_t k) { row[k] = a + b * row[k]; });
        float* __restrict o = row + 3 * nu;
        blocked(nu, [&](std::size_t k) { o[k] = a + b * o[k]; });
    }
}

// float, σ and tanh, fused layout: the whole [B,4U] block through one vectorised tanh, with
// σ(z) = (1 + tanh(z/2))/2 on the columns of i, f and o.
void gates_sigmoid_tanh(float* z, std::size_t nb, std::size_t nu)
{
    affine_sigmoid_columns(z, nb, nu, 0.0f, 0.5f);
    activate_inplace(Activation::tanh, z, nb * 4 * nu);
    affine_sigmoid_columns(z, nb, nu, 0.5f, 0.5f);
}

// c = f ⊙ c_prev + i ⊙ g for one row of U. Cloned per instruction set (core/simd.hpp), one
// call per row: GCC vectorises a loop over __restrict parameters of the cloned function itself,
// not over pointers it computes (a [B,U] loop stayed scalar).
template <class T>
ELMAN_CLONES_TEMPLATE void cell_row(const T* __restrict i, const T* __restrict f, const T* __restrict g,
                                    const T* __restrict cp, T* __restrict c, std::size_t nu)
{
    blocked(nu, [&](std::size_t u) { c[u] = f[u] * cp[u] + i[u] * g[u]; });
}

// h = o ⊙ tc for one row of U. Cloned.
template <class T>
ELMAN_CLONES_TEMPLATE void output_row(const T* __restrict o, const T* __restrict t, T* __restrict h, std::size_t nu)
{
    blocked(nu, [&](std::size_t u) { h[u] = o[u] * t[u]; });
}

}  // namespace

template <class T>
void lstm_gates_forward(T* z, const GateLayout& layout, std::size_t nb, std::size_t nu,
                        Activation act, Activation rec)
{
    if constexpr (std::is_same_v<T, float>) {
        if (act == Activation::tanh && rec == Activation::sigmoid && layout.row == 4 * nu &&
            layout.gate == nu) {
            gates_sigmoid_tanh(z, nb, nu);
            return;
        }
    }
    for (std::size_t k = 0; k < 4; ++k) {
        const Activation a = k == 2 ? act : rec;
        if (layout.row == nu) {  // the gate's rows are one contiguous block
            apply(a, z + k * layout.gate, nb * nu);
            continue;
        }
        for (std::size_t b = 0; b < nb; ++b) apply(a, z + k * layout.gate + b * layout.row, nu);
    }
}

template <class T>
void lstm_state_forward(const T* z, const GateLayout& layout, const T* c_prev, T* c, T* tc,
                        T* h, std::size_t nb, std::size_t nu, Activation act)
{
    for (std::size_t b = 0; b < nb; ++b) {  // c = f ⊙ c_prev + i ⊙ g
        const T* zb = z + b * layout.row;
        cell_row(zb, zb + layout.gate, zb + 2 * layout.gate, c_prev + b * nu, c + b * nu, nu);
    }
    // tc = act(c), h = o ⊙ tc
    std::copy_n(c, nb * nu, tc);
    activate_inplace(act, tc, nb * nu);
    for (std::size_t b = 0; b < nb; ++b) output_row(z + b * layout.row + 3 * layout.gate, tc + b * nu, h + b * nu, nu);
}

namespace {

// One real row, σ and tanh: every derivative inline (one pass, vectorises; `keep` = trace mode
// is a template argument so that the loop has no branch). Cloned (core/simd.hpp).
template <bool keep, class T>
ELMAN_CLONES_TEMPLATE void row_backward_sigmoid_tanh(T* __restrict zi, T* __restrict zf, T* __restrict zg,
                               T* __restrict zo, const T* __restrict cp, const T* __restrict t,
                               const T* __restrict gh, T* __restrict gc, T* __restrict dct,
                               std::size_t nu)
{
    blocked(nu, [&](std::size_t u) {
        const T i = zi[u], f = zf[u], g = zg[u], o = zo[u];
        const T dc = gc[u] + gh[u] * o * (T(1) - t[u] * t[u]);
        zo[u] = gh[u] * t[u] * (o * (T(1) - o));
        zi[u] = dc * g * (i * (T(1) - i));
        zf[u] = dc * cp[u] * (f * (T(1) - f));
        zg[u] = dc * i * (T(1) - g * g);
        gc[u] = dc * f;
        if constexpr (keep) dct[u] = dc;
    });
}

// One real row, any elementwise activations: the products first, then each gate's derivative
// from its saved output (multiply_by_derivative). scratch: 5U.
template <class T>
void row_backward_generic(T* const zk[4], const T* cp, const T* t, const T* gh, T* gc, T* dct,
                          T* scratch, std::size_t nu, Activation act, Activation rec)
{
    T* saved = scratch;        // i, f, g, o
    T* ho = scratch + 4 * nu;  // gh ⊙ o ⊙ act'(c)
    for (std::size_t k = 0; k < 4; ++k) std::copy_n(zk[k], nu, saved + k * nu);
    const T* i = saved;
    const T* f = saved + nu;
    const T* g = saved + 2 * nu;
    const T* o = saved + 3 * nu;
    for (std::size_t u = 0; u < nu; ++u) ho[u] = gh[u] * o[u];
    multiply_by_derivative(act, t, ho, nu);
    for (std::size_t u = 0; u < nu; ++u) {
        const T dc = gc[u] + ho[u];
        zk[3][u] = gh[u] * t[u];
        zk[0][u] = dc * g[u];
        zk[1][u] = dc * cp[u];
        zk[2][u] = dc * i[u];
        gc[u] = dc * f[u];
        if (dct) dct[u] = dc;
    }
    for (std::size_t k = 0; k < 4; ++k)
        multiply_by_derivative(k == 2 ? act : rec, saved + k * nu, zk[k], nu);
}

}  // namespace

template <class T>
void lstm_step_backward(T* z, const GateLayout& layout, const LSTMStepGrads<T>& g,
                        std::size_t nb, std::size_t nu, Activation act, Activation rec)
{
    const bool fast = act == Activation::tanh && rec == Activation::sigmoid;
    for (std::size_t b = 0; b < nb; ++b) {
        T* const zk[4] = {z + b * layout.row, z + b * layout.row + layout.gate,
                          z + b * layout.row + 2 * layout.gate,
                          z + b * layout.row + 3 * layout.gate};
        T* gc = g.gc + b * nu;
        T* dct = g.dc_total ? g.dc_total + b * nu : nullptr;
        if (g.real && !g.real[b]) {
            // padded row: the step is skipped, so δ = 0 and dL/dc_{s−1} = dL/dc_s
            for (T* p : zk) std::fill_n(p, nu, T(0));
            if (dct) std::copy_n(gc, nu, dct);
            continue;
        }
        const T* cp = g.c_prev + b * nu;
        const T* t = g.tc + b * nu;
        const T* gh = g.gh + b * nu;
        if (fast && dct)
            row_backward_sigmoid_tanh<true>(zk[0], zk[1], zk[2], zk[3], cp, t, gh, gc, dct, nu);
        else if (fast)
            row_backward_sigmoid_tanh<false>(zk[0], zk[1], zk[2], zk[3], cp, t, gh, gc, dct, nu);
        else
            row_backward_generic(zk, cp, t, gh, gc, dct, g.scratch, nu, act, rec);
    }
}

#define ELMAN_INSTANTIATE(T)                                                                 \
    template void lstm_gates_forward(T*, const GateLayout&, std::size_t, std::size_t,        \
                                     Activation, Activation);                               \
    template void lstm_state_forward(const T*, const GateLayout&, const T*, T*, T*, T*,      \
                                     std::size_t, std::size_t, Activation);                 \
    template void lstm_step_backward(T*, const GateLayout&, const LSTMStepGrads<T>&,         \
                                     std::size_t, std::size_t, Activation, Activation);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
