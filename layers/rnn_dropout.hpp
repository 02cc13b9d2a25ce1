// dropout and recurrent_dropout of the recurrent layers, Keras' semantics (Keras 3
// DropoutRNNCell): at the start of each training call one mask is drawn for the inputs and one
// for the recurrent state, per sequence, and the same two are used at every time step:
//
//   a_s = (x_s ⊙ d_x)·W_x + (h_{s−1} ⊙ d_h)·W_h + b      d_x:[B,F]  d_h:[B,U]
//
// with inverted scaling (entries 0 or 1/(1 − rate), layers/dropout.hpp), so inference uses the
// weights as they are. Outside training, or at rate 0, there is no mask. The gradient flows
// through the same masks: dx_s += (δ_s·W_xᵀ) ⊙ d_x and dh_{s−1} += (δ_s·W_hᵀ) ⊙ d_h.
//
// Gated cells (LSTM with 4 gates, GRU with 3) follow Keras 3.8 and later (keras-team/keras
// pull requests 20656 and 20663, which restored Keras 2's behaviour): with recurrent_dropout > 0
// the cell runs its per-gate implementation (implementation = 1) and draws one mask PER GATE,
// for the inputs (when dropout > 0) and for the state:
//
//   a^g_s = (x_s ⊙ d^g_x)·W^g_x + (h_{s−1} ⊙ d^g_h)·W^g_h + b^g     g = each gate
//
// without recurrent_dropout one input mask serves every gate (d^g_x = d_x). draw_gates() below.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/init.hpp"
#include "core/tensor.hpp"

namespace elman {

// The two masks of one call; a mask of size 0 means none (rate 0, or not training).
template <class T>
struct RNNDropoutMasks {
    Tensor<T> input = Tensor<T>::from_shape({0});      // d_x [B,F]
    Tensor<T> recurrent = Tensor<T>::from_shape({0});  // d_h [B,U]

    bool has_input() const { return input.size() != 0; }
    bool has_recurrent() const { return recurrent.size() != 0; }
};

// The masks of one call of a gated cell; a mask of size 0 means none. With G masks the gate g
// uses mask g; with one, every gate uses it.
template <class T>
struct GateDropoutMasks {
    Tensor<T> input = Tensor<T>::from_shape({0});      // d_x [G,B,F], G = 1 or the gate count
    Tensor<T> recurrent = Tensor<T>::from_shape({0});  // d_h [G,B,U], G = the gate count

    bool has_input() const { return input.size() != 0; }
    bool has_recurrent() const { return recurrent.size() != 0; }
};

// A recurrent layer's dropout: the rates and the seeded stream its masks come from.
class RecurrentDropout {
public:
    // Throws elman::Error "<who>: dropout must be in [0, 1), got ..." (or recurrent_dropout).
    RecurrentDropout(double dropout, double recurrent_dropout, std::uint64_t seed,
                     const std::string& who);

    // Sets `m` to the masks of one call for a batch of nb sequences with nf features and nu
    // units: both empty unless training. The stream starts, at the first draw, from (seed,
    // name): the same seed and layer name give the same masks in every run.
    template <class T>
    void draw(RNNDropoutMasks<T>& m, bool training, std::size_t nb, std::size_t nf,
              std::size_t nu, const std::string& name);

    // Sets `m` to the masks of one call of a cell with `gates` gates (see the top of the file):
    // with recurrent_dropout > 0, `gates` input masks (if dropout > 0) then `gates` recurrent
    // masks; else one input mask. Both empty unless training. Same stream as draw().
    template <class T>
    void draw_gates(GateDropoutMasks<T>& m, bool training, std::size_t gates, std::size_t nb,
                    std::size_t nf, std::size_t nu, const std::string& name);

    // Restarts the stream from `seed`: the next training call draws what the first training
    // call of a fresh layer with that seed draws.
    void reseed(std::uint64_t seed);
    bool active() const { return dropout_ > 0.0 || recurrent_dropout_ > 0.0; }

private:
    Rng& stream(const std::string& name);

    double dropout_, recurrent_dropout_;
    std::uint64_t seed_;
    Rng rng_{0};
    bool ready_ = false;
};

}  // namespace elman
