// Masking: Keras' Masking(mask_value) layer, which marks padded time steps for the layers after
// it (the recurrent layers skip them, layers/rnn_mask.hpp):
//
//   mask[b,t] = any_f x[b,t,f] != mask_value      a step is padding when EVERY feature is
//                                                 mask_value
//   y[b,t,:]  = x[b,t,:] · mask[b,t]              padded steps become zeros (as Keras)
//   dx       += dy ⊙ mask
//
// The mask goes on through Sequential to the next layers (compute_mask); an incoming mask is
// replaced, as in Keras.
#pragma once

#include <optional>
#include <string>

#include "layers/module.hpp"

namespace elman {

struct MaskingOptions {
    double mask_value = 0.0;  // the padding value; finite (NaN never equals itself); default 0
};

// mask[b,t] = any_f x[b,t,f] != mask_value for x [B,T,F]; throws naming `who` unless rank 3.
template <class T>
Mask padding_mask(const Tensor<T>& x, T mask_value, const std::string& who);

template <class T>
class Masking : public Module<T> {
public:
    // Throws elman::Error when mask_value is NaN (it would never match, so nothing would be
    // masked) or infinite.
    explicit Masking(MaskingOptions options = {});

    // x [B,T,F] -> y [B,T,F] with padded steps zeroed (x itself when no step is padding).
    Var<T> forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx = {}) override;
    // padding_mask(x), whatever the incoming mask.
    std::optional<Mask> compute_mask(const Var<T>& x, const Mask* mask) const override;
    std::string default_name() const override { return "masking"; }
    std::string type() const override { return "Masking"; }
    bool built() const override { return true; }  // no weights

    const MaskingOptions& options() const { return options_; }

private:
    MaskingOptions options_;
};

}  // namespace elman
