// The LSTM cell's elementwise work for one time step, forward and backward, on raw buffers:
// what the fused LSTM (layers/lstm_fused.cpp) runs between its GEMMs. The equations are above
// each function in layers/lstm_cell.cpp.
//
// A step's gates live in one block z; gate k (0 i, 1 f, 2 c/g, 3 o) of batch row b, unit u is
// z[k·gate + b·row + u]: in the fused layout a row holds [i | f | g | o] (row = 4U, gate = U);
// with per-gate dropout each gate has its own block over all steps (row = U, gate = T·B·U).
#pragma once

#include <cstddef>

#include "layers/activation.hpp"

namespace elman {

struct GateLayout {
    std::size_t row = 0;   // distance between batch rows
    std::size_t gate = 0;  // distance between the gate blocks
};

// z holds the pre-activations z_i, z_f, z_c, z_o of one step [B rows]; they become the gates
// i = σ(z_i), f = σ(z_f), g = act(z_c), o = σ(z_o), in place.
template <class T>
void lstm_gates_forward(T* z, const GateLayout& layout, std::size_t nb, std::size_t nu,
                        Activation act, Activation rec);

// c = f ⊙ c_prev + i ⊙ g,  tc = act(c),  h = o ⊙ tc        (every row; c_prev, c, tc, h [B,U])
template <class T>
void lstm_state_forward(const T* z, const GateLayout& layout, const T* c_prev, T* c, T* tc,
                        T* h, std::size_t nb, std::size_t nu, Activation act);

// What lstm_step_backward reads and writes besides the gate block.
template <class T>
struct LSTMStepGrads {
    const T* c_prev = nullptr;          // c_{s−1} [B,U]
    const T* tc = nullptr;              // act(c_s) [B,U]
    const T* gh = nullptr;              // dL/dh_s [B,U], complete
    T* gc = nullptr;                    // in: dL/dc_s from step s+1 and the c output; out: dL/dc_{s−1}
    T* dc_total = nullptr;              // out: the total dL/dc_s [B,U], or null
    const unsigned char* real = nullptr;  // [B], 1 for a real row; null: every row is real
    T* scratch = nullptr;               // 5U values (only for activations other than σ/tanh)
};

// The gates of one step become their δ = dL/dz, in place (see layers/lstm_cell.cpp); padded
// rows get δ = 0 and pass dL/dc unchanged.
template <class T>
void lstm_step_backward(T* z, const GateLayout& layout, const LSTMStepGrads<T>& g,
                        std::size_t nb, std::size_t nu, Activation act, Activation rec);

}  // namespace elman
