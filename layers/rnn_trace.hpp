// What SimpleRNN's trace mode records (SimpleRNNOptions::trace, set_trace(true)): every
// pre-activation a_t and state h_t of the last forward call, and every dL/dh_t of the backward
// pass through it, as plain arrays to inspect or print.
//
//   a_t = x_t·W_x + h_{t−1}·W_h + b      h_t = act(a_t)                      (forward)
//   dL/dh_t = (dL/dh_t from the output) + δ_{t+1}·W_hᵀ,  δ_t = dL/dh_t ⊙ act'(a_t)  (backward)
//
// Index s is the processing step (s = t, or T−1−t with go_backwards), every entry [B,U].
// dL/dh_t is the TOTAL gradient reaching h_t: through the output at t and through h_{t+1}.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace elman {

template <class T>
struct RNNTrace {
    std::vector<Tensor<T>> a;   // a_s [B,U], filled by forward
    std::vector<Tensor<T>> h;   // h_s [B,U], filled by forward
    std::vector<Tensor<T>> dh;  // dL/dh_s [B,U], filled by backward; empty until it ran

    std::size_t steps() const { return h.size(); }
    bool has_backward() const { return !dh.empty(); }
    void clear()
    {
        a.clear();
        h.clear();
        dh.clear();
    }
    // Appends the [nb,nu] block at `data` (row-major) to `to`.
    static void push(std::vector<Tensor<T>>& to, const T* data, std::size_t nb, std::size_t nu);
    // Stores the [nb,nu] block at `data` as to[s], growing `to` as needed.
    static void put(std::vector<Tensor<T>>& to, std::size_t s, const T* data, std::size_t nb,
                    std::size_t nu);
    // One block per step: a_s, h_s, dL/dh_s (when backward ran) and ‖dL/dh_s‖.
    std::string str() const;
};

template <class T>
std::ostream& operator<<(std::ostream& os, const RNNTrace<T>& trace);

// For the str() of every trace (SimpleRNN's, LSTM's): appends the rows of the [B,U] block `m`,
// labelled `name` ("h      "), one line per batch row, and "  |<label>| <norm>" lines.
template <class T>
void append_trace_rows(std::string& out, const char* name, const Tensor<T>& m);
template <class T>
void append_trace_norm(std::string& out, const char* label, const Tensor<T>& m);

}  // namespace elman
