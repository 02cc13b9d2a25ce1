// What a GRU's trace mode records (GRUOptions::trace, set_trace(true)): every gate, candidate
// and state of the last forward call, and dL/dh_t of the backward pass through it, as plain
// arrays to inspect or print (the numbers a student checks BPTT by):
//
//   z_t = σ(·)   r_t = σ(·)   ĥ_t = act(·)   h_t = z_t ⊙ h_{t−1} + (1 − z_t) ⊙ ĥ_t   (forward)
//   dL/dh_{t−1} = dL/dh_{t−1}(out) + dL/dh_t ⊙ z_t + Σ_gates δ^g_t·R_gᵀ          (backward)
//
// (layers/gru.hpp has the gates' arguments for both reset_after forms.) Index s is the
// processing step (s = t, or T−1−t with go_backwards), every entry [B,U]. dL/dh_t is the TOTAL
// gradient reaching h_t: through the output at t and through h_{t+1}. At a padded step (mask)
// the gates are those computed and discarded, h_s is the carried state, and the gradient
// passes the step unchanged.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace elman {

template <class T>
struct GRUTrace {
    std::vector<Tensor<T>> z, r, hh;  // the gates z_s, r_s and the candidate ĥ_s [B,U] (forward)
    std::vector<Tensor<T>> h;         // h_s [B,U] (forward)
    std::vector<Tensor<T>> dh;        // dL/dh_s [B,U] (backward); empty until it ran

    std::size_t steps() const { return h.size(); }
    bool has_backward() const { return !dh.empty(); }
    void clear();
    // Appends one step's gates from G[s] (rows of 3U: z, r, ĥ) and its h [B,U].
    void push_step(const T* gates, const T* h_s, std::size_t nb, std::size_t nu);
    // One block per step: z, r, ĥ, h, then dL/dh_s and its norm when backward ran.
    std::string str() const;
};

template <class T>
std::ostream& operator<<(std::ostream& os, const GRUTrace<T>& trace);

}  // namespace elman
