// Flatten: Keras' Flatten layer, every axis after the batch axis joined into one.
//   x:[B, d1, d2, ...] -> y:[B, d1·d2·...]      e.g. [B,T,F] -> [B,T·F]
// No weights. Row-major order (the last axis varies fastest), as Keras' channels_last
// ops.reshape(x, (B, -1)). A mask ends here (the time axis is gone).
#pragma once

#include <string>

#include "layers/module.hpp"

namespace elman {

template <class T>
class Flatten : public Module<T> {
public:
    Flatten() = default;

    Var<T> forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx = {}) override;
    // None: the output has no time axis left to mask.
    std::optional<Mask> compute_mask(const Var<T>& x, const Mask* mask) const override;
    std::string default_name() const override { return "flatten"; }
    // input_shape: anything of rank >= 1; a 0 (any length) makes the output length 0 (None).
    void build(const Shape& input_shape) override;
    Shape output_shape(const Shape& input_shape) const override;
    std::string type() const override { return "Flatten"; }
};

}  // namespace elman
