// Masks in the recurrent layers, Keras' semantics, in pieces every recurrent layer shares
// (SimpleRNN now; GRU and LSTM carry each of their states the same way).
//
// A mask [B,T] says which steps of each sequence are real (true) and which are padding. With
// s the processing step (s = t, or T−1−t with go_backwards: the mask is reversed with the
// input) and m_s[b] the mask of row b at that step:
//
//   forward:   h_s = m_s ? cell(x_s, h_{s−1}) : h_{s−1}        a padded step carries every
//                                                              state (h; h and c for an LSTM)
//              y_s = e_s ? h_s : 0                             the output at step s
//              e_s = m_s  or  (not zero_output_for_mask  and  some m_r with r <= s)
//   backward:  at a padded step the cell is skipped, so its gradient stops there:
//              dL/dh_{s−1} += dL/dh_s       δ_s = 0: nothing reaches x_s, the weights or the
//                                           bias through a padded step
//
// e_s is Keras' rule (keras/src/backend/tensorflow/rnn.py): the output at a padded step is the
// previous output, which is 0 before the first real step, or 0 at every padded step with
// zero_output_for_mask. Without return_sequences the output is y at the last step, so a
// sequence that ends with padding returns its last real state (Keras' default). Keras' JAX,
// NumPy and PyTorch backends give the carried state instead of 0 before the first real step;
// the two agree except when an initial_state is given and a sequence starts with padding.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/tape.hpp"
#include "layers/module.hpp"

namespace elman {

// The mask in processing order, time-major: real[s·B + b] = m_s[b] (1 real, 0 padding).
struct StepMask {
    std::size_t steps = 0;
    std::size_t batch = 0;
    std::vector<unsigned char> real;      // [T,B]
    std::vector<unsigned char> all_real;  // [T]: 1 when no row is padded at step s

    const unsigned char* at(std::size_t s) const { return real.data() + s * batch; }
    bool step_all_real(std::size_t s) const { return all_real[s] != 0; }
    // True when no step of any row is padding (the mask changes nothing).
    bool none_masked() const;
};

// Checks mask's shape against input [B,T,·] (throws "<who>: mask has shape [..], expected
// [B,T] [batch, timesteps] for input [..]") and lays it out in processing order.
StepMask make_step_mask(const Mask& mask, const Shape& input_shape, bool go_backwards,
                        const std::string& who);

// e of the output, as a multiplier: [B,T,1] with return_sequences (processing order), else
// [B,1] (the last step); 1 where the output is the state, 0 where it is zeros. Sets
// `any_zero` to whether some entry is 0 (if none, the output is the states as they are).
template <class T>
Tensor<T> output_keep(const StepMask& mask, bool zero_output_for_mask, bool return_sequences,
                      bool& any_zero);

// Fused kernels, forward: h_new[b,:] = h_prev[b,:] for each padded row b of the step.
// real: [B]; h_prev, h_new: [B,U] row-major.
template <class T>
void carry_padded_rows(const unsigned char* real, const T* h_prev, T* h_new, std::size_t nb,
                       std::size_t nu);

// Fused kernels, backward: for each padded row b, g_prev[b,:] += g[b,:] and g[b,:] = 0, so
// the gradient skips the cell (δ = 0) and reaches the state before the step unchanged.
template <class T>
void pass_padded_rows(const unsigned char* real, T* g, T* g_prev, std::size_t nb,
                      std::size_t nu);

// Composed path: h_s = m ⊙ candidate + (1 − m) ⊙ previous with m [B,1] the step's mask, as
// tape ops (exact: m is 0 or 1), so the carry and its gradient are visible on the tape.
template <class T>
Var<T> carry_state(Tape<T>& tape, const Var<T>& candidate, const Var<T>& previous,
                   const StepMask& mask, std::size_t s);

}  // namespace elman
