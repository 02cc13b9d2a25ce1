// What an LSTM's trace mode records (LSTMOptions::trace, set_trace(true)): every gate, cell
// state and output of the last forward call, and the two gradients of the backward pass through
// it, as plain arrays to inspect or print (the numbers a student checks BPTT by):
//
//   i_t = σ(z_i)  f_t = σ(z_f)  g_t = act(z_c)  o_t = σ(z_o)                     (forward)
//   c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t        h_t = o_t ⊙ act(c_t)
//   dL/dh_t = (from the output) + Σ_gates δ_{t+1}·W_hᵀ                          (backward)
//   dL/dc_t = dL/dc_{t+1} ⊙ f_{t+1} + dL/dh_t ⊙ o_t ⊙ act'(c_t)   (+ dL/dc_T from the c output)
//
// Index s is the processing step (s = t, or T−1−t with go_backwards), every entry [B,U].
// dL/dh_t and dL/dc_t are TOTAL gradients: every path from the loss to h_t (c_t) contributes.
// At a padded step (mask) the gates are those computed and discarded; c_s, h_s are the carried
// states, and the gradients pass the step unchanged.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace elman {

template <class T>
struct LSTMTrace {
    std::vector<Tensor<T>> i, f, g, o;  // the gates [B,U], filled by forward
    std::vector<Tensor<T>> c, h;        // c_s, h_s [B,U], filled by forward
    std::vector<Tensor<T>> dh, dc;      // dL/dh_s, dL/dc_s [B,U], filled by backward

    std::size_t steps() const { return h.size(); }
    bool has_backward() const { return !dh.empty(); }
    void clear();
    // One block per step: the gates, c_s, h_s, then dL/dh_s, dL/dc_s and their norms when
    // backward ran.
    std::string str() const;
};

template <class T>
std::ostream& operator<<(std::ostream& os, const LSTMTrace<T>& trace);

}  // namespace elman
