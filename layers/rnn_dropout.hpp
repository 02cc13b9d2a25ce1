// dropout and recurrent_dropout of the recurrent layers, Keras' semantics (Keras 3
// DropoutRNNCell): at the start of each training call one mask is drawn for the inputs and one
// for the recurrent state, per sequence, and the same two are used at every time step:
//
//   a_s = (x_s ⊙ d_x)·W_x + (h_{s−1} ⊙ d_h)·W_h + b      d_x:[B,F]  d_h:[B,U]
//
// with inverted scaling (entries 0 or 1/(1 − rate), layers/dropout.hpp), so inference uses the
// weights as they are. Outside training, or at rate 0, there is no mask. The gradient flows
// through the same masks: dx_s += (δ_s·W_xᵀ) ⊙ d_x and dh_{s−1} += (δ_s·W_hᵀ) ⊙ d_h.
// GRU and LSTM use one mask per input too (Keras 3 applies it before the gate split).
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

// A recurrent layer's dropout: the rates and the seeded stream its masks come from.
class RecurrentDropout {
public:
    // Throws elman::Error "<who>: dropout must be in [0, 1), got ..." (or recurrent_dropout).
    RecurrentDropout(double dropout, double recurrent_dropout, std::uint64_t seed,
                     const std::string& who);

    // The masks of one call for a batch of nb sequences with nf features and nu units: both
    // empty unless training. The stream starts, at the first draw, from (seed, name): the
    // same seed and layer name give the same masks in every run.
    template <class T>
    RNNDropoutMasks<T> draw(bool training, std::size_t nb, std::size_t nf, std::size_t nu,
                            const std::string& name);

    // Restarts the stream from `seed`: the next training call draws what the first training
    // call of a fresh layer with that seed draws.
    void reseed(std::uint64_t seed);
    bool active() const { return dropout_ > 0.0 || recurrent_dropout_ > 0.0; }

private:
    double dropout_, recurrent_dropout_;
    std::uint64_t seed_;
    Rng rng_{0};
    bool ready_ = false;
};

}  // namespace elman
