// Dropout: Keras' regularisation layer, and the mask it multiplies by (also used by the
// recurrent layers' dropout and recurrent_dropout).
//
//   training:   y = x ⊙ m,   m = 1/(1 − rate) with probability 1 − rate, else 0   (inverted
//               dropout: E[y] = x, so inference needs no rescaling)
//   inference:  y = x        (no tape node at all)
//   backward:   dx += dy ⊙ m
//
// A fresh mask is drawn at every training call, from a stream seeded by (seed, layer name):
// the same seed and name give the same masks in every run, and two Dropout layers of one
// model (named dropout, dropout_1, ...) draw different masks even with the same seed.
// noise_shape, as Keras': the mask's shape, with 1 on an axis where one draw is shared along
// that axis (e.g. {0, 1, 0} on [B,T,F]: one mask per sequence, the same at every step) and 0
// where it takes the input's size (Keras' None). Empty: the input's shape.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/init.hpp"
#include "layers/module.hpp"

namespace elman {

struct DropoutOptions {
    double rate = 0.0;  // fraction of the inputs set to 0 in training, in [0, 1); default 0
    // The mask's shape including the batch axis, 0 = the input's size, 1 = shared along that
    // axis; empty (default): the input's shape.
    std::vector<std::size_t> noise_shape = {};
    std::uint64_t seed = 0;  // with the layer's name, seeds the masks' stream; default 0
};

// A dropout mask of `shape`: each element 1/(1 − rate) with probability 1 − rate, else 0
// (kept where a uniform draw u in [0, 1) has u >= rate, as TensorFlow). rate in [0, 1); rate 0
// gives all ones. Draws shape's product uniforms from rng.
template <class T>
Tensor<T> dropout_mask(const Shape& shape, double rate, Rng& rng);

// Throws elman::Error "<who>: <what> must be in [0, 1), got <rate>" unless 0 <= rate < 1.
void check_dropout_rate(double rate, const std::string& who, const std::string& what);

// A stream seed for layer `name`: splitmix64 of seed and an FNV-1a hash of name.
std::uint64_t named_seed(std::uint64_t seed, const std::string& name);

template <class T>
class Dropout : public Module<T> {
public:
    // Throws elman::Error when rate is outside [0, 1) (Keras clamps; elman says so instead).
    explicit Dropout(DropoutOptions options);

    // x of any shape with a batch axis. Identity (x itself) unless ctx.training and rate > 0;
    // a mask passes through unchanged. Throws naming noise_shape and the input's shape when
    // they do not fit.
    Var<T> forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx = {}) override;
    std::string default_name() const override { return "dropout"; }
    std::string type() const override { return "Dropout"; }
    std::size_t param_count() const override { return 0; }
    bool built() const override { return true; }  // no weights

    // Restarts the masks' stream from `seed` (with the layer's name): the next training call
    // draws what the first call of a fresh Dropout with this seed draws.
    void reseed(std::uint64_t seed);
    // The mask of the last training call, with the input's shape; size 0 before one.
    const Tensor<T>& last_mask() const { return mask_; }
    const DropoutOptions& options() const { return options_; }

private:
    Shape noise_shape_for(const Shape& input) const;

    DropoutOptions options_;
    Rng rng_{0};
    bool rng_ready_ = false;  // the stream is seeded at the first training call (name known)
    Tensor<T> mask_ = Tensor<T>::from_shape({0});
};

}  // namespace elman
