// Internals of the fused GRU shared by its forward (layers/gru_fused.cpp, where the buffers and
// equations are written out) and its backward (layers/gru_bptt.cpp). Not part of the API.
#pragma once

#include <cstddef>

#include "core/simd.hpp"

#include "layers/gru.hpp"

namespace elman::gru_kernel {

struct Dims {
    std::size_t nb, nt, nf, nu;
    std::size_t bu() const { return nb * nu; }     // one [B,U] block
    std::size_t bg() const { return nb * 3 * nu; }  // one step of G, [B,3U]
};

struct Config {
    Activation act = Activation::tanh;
    Activation rec = Activation::sigmoid;
    bool reset_after = true;
    bool go_backwards = false;
    bool return_sequences = false;
    std::size_t input_masks = 0;  // G_x: 0 (no input dropout), 1 (one for all gates) or 3
    bool recurrent_masks = false;  // d_h^g per gate
    // NQ kept for every step (GRUFusedArgs::keep_bytes): no per-step recompute of N or q, and
    // dR as one GEMM after the loop; else both per step.
    bool keep = false;
};

// The weights as raw row-major buffers. bx, bh: the input and recurrent bias [3U] (reset_after:
// rows 0 and 1 of bias [2,3U]; else bx is the bias and bh null); null without a bias.
template <class T>
struct Weights {
    const T* w = nullptr;   // kernel [F,3U]
    const T* r = nullptr;   // recurrent_kernel [U,3U]
    const T* bx = nullptr;
    const T* bh = nullptr;
};

// Where the backward adds its gradients (null: not wanted). db is [2,3U] (reset_after) or [3U].
template <class T>
struct Grads {
    T* dx = nullptr;   // [B,T,F]
    T* dw = nullptr;   // [F,3U]
    T* dr = nullptr;   // [U,3U]
    T* db = nullptr;
    T* dh0 = nullptr;  // [B,U]
};

using elman::blocked;  // core/simd.hpp: the row kernels are written with it

// hd[g] = h ⊙ d_h^g for the gates g in [first, last): [B,U] blocks of ws.hd.
template <class T>
void drop_state(GRUWorkspace<T>& ws, const Dims& n, const T* h, std::size_t first,
                std::size_t last);

// out[:, g] (+)= (h ⊙ d_h^g)·R_g for the gates g in [first, last): one GEMM over the gates
// when there is no recurrent dropout, one per gate with it. out has row stride ldo; beta 0 or 1.
template <class T>
void recurrent_product(GRUWorkspace<T>& ws, const Dims& n, const Config& cfg, const T* r,
                       const T* h, std::size_t first, std::size_t last, T beta, T* out,
                       std::size_t ldo);

// The backward pass through every step (gru_bptt.cpp): reads G, H and X as the forward left
// them (G becomes δ), grad_out (dL/d the node's value) and adds into `grads`.
template <class T>
void backprop_through_time(GRUWorkspace<T>& ws, const Dims& n, const Config& cfg,
                           const Weights<T>& w, const T* grad_out, const Grads<T>& grads,
                           GRUTrace<T>* trace);

}  // namespace elman::gru_kernel
