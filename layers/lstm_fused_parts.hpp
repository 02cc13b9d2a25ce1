// The fused LSTM's parts, shared by its two files (internal: only layers/lstm_fused.cpp and
// layers/lstm_products.cpp include this): the dimensions, where the gates live in Z, and the
// matrix products of both passes. The buffers are described at the top of lstm_fused.cpp.
#pragma once

#include <cstddef>
#include <vector>

#include "layers/lstm.hpp"
#include "layers/lstm_cell.hpp"

namespace elman::lstm_detail {

struct Dims {
    std::size_t nb, nt, nf, nu;
    std::size_t bu() const { return nb * nu; }
    std::size_t rows() const { return nt * nb; }
};

// Where step s's gate block starts in Z (and D), and the strides inside it: the fused layout
// [T,B,4U], or per gate [4,T,B,U] (with recurrent dropout).
struct Layout {
    bool per_gate = false;
    std::size_t step = 0;
    GateLayout cell;
};

inline Layout layout_for(bool per_gate, const Dims& n)
{
    if (per_gate) return {true, n.bu(), {n.nu, n.rows() * n.nu}};
    return {false, n.nb * 4 * n.nu, {4 * n.nu, n.nu}};
}

// What the passes need besides the workspace.
template <class T>
struct Pass {
    Dims n;
    Layout layout;
    const T* wx;  // kernel [F,4U]
    const T* wh;  // recurrent_kernel [U,4U]
    Activation act, rec;
    bool go_backwards, return_sequences;
    std::size_t input_masks;  // G of d_x [G,B,F]: 0, 1 or 4
    std::size_t chunk;        // K: steps per chunk of the states (see lstm_fused.cpp)
    LSTMTrace<T>* trace;
};

// X^k[s,b,:] = x[b,t(s),:] ⊙ d^k_x[b,:]   for k < max(G, 1)
template <class T>
void load_inputs(LSTMWorkspace<T>& ws, const T* x, const Pass<T>& p);

// out[k] = w[:, k·U .. (k+1)·U): the gate blocks of a [rows,4U] kernel packed as [4,rows,U]
template <class T>
void pack_gates(const T* w, std::size_t rows, std::size_t nu, AlignedVector<T>& out);

// Z = 1·bᵀ + X·W_x  (per gate: Z^k = 1·b^kᵀ + X^k·W^k_x); bias may be null
template <class T>
void input_projection(LSTMWorkspace<T>& ws, const Pass<T>& p, const T* bias);

// Z[s] += h_{s−1}·W_h  (per gate: Z^k[s] += (h_{s−1} ⊙ d^k_h)·W^k_h); h_prev [B,U]
template <class T>
void recurrent_product(LSTMWorkspace<T>& ws, const Pass<T>& p, std::size_t s, const T* h_prev);

// ws.wh_t = W_hᵀ [4U,U] for recurrent_gradient (fused layout; per gate: nothing)
template <class T>
void transpose_recurrent_kernel(LSTMWorkspace<T>& ws, const Pass<T>& p);

// gh_prev += δ_s·W_hᵀ  (per gate: Σ_k (δ^k_s·W^k_hᵀ) ⊙ d^k_h)
template <class T>
void recurrent_gradient(LSTMWorkspace<T>& ws, const Pass<T>& p, std::size_t s, T* gh_prev);

// dW_h += H[a..e)ᵀ·D[a..e) over the chunk's (e − a)·B rows, h_chunk = H[a..e) [(e−a),B,U]
// (per gate: R^k = H ⊙ d^k_h)
template <class T>
void recurrent_weight_gradient(LSTMWorkspace<T>& ws, const Pass<T>& p, std::size_t a,
                               std::size_t e, const T* h_chunk, T* dwh);

// dW_x += Xᵀ·D and db += Dᵀ·1 over all T·B rows (either may be null)
template <class T>
void input_weight_gradients(LSTMWorkspace<T>& ws, const Pass<T>& p, T* dwx, T* db);

// dx[b,t(s),:] += (D[s]·W_xᵀ)[b,:] ⊙ d_x[b,:]  (per gate: Σ_k (D^k·W^k_xᵀ) ⊙ d^k_x)
template <class T>
void input_gradient(LSTMWorkspace<T>& ws, const Pass<T>& p, T* dx);

}  // namespace elman::lstm_detail
