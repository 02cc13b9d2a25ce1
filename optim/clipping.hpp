// Gradient clipping, torch.nn.utils semantics. Call between backward and step().
// Parameters whose gradient was never touched (empty, or not of the value's shape) are skipped.
#pragma once

#include <vector>

#include "core/tape.hpp"

namespace elman {

// Scale all gradients together so that their global L2 norm is at most max_norm:
//   norm = sqrt(Σ_p Σ_j grad_pj²)           over every parameter's gradient
//   c    = min(1, max_norm / (norm + 1e-6))  grad_pj *= c   (only when c < 1)
// Returns the norm before clipping (torch.nn.utils.clip_grad_norm_). The sum is accumulated in
// double. max_norm must be finite and > 0; a non-finite norm (a NaN or inf gradient) throws
// elman::Error and leaves the gradients untouched.
template <class T>
T clip_grad_norm(const std::vector<Parameter<T>*>& params, T max_norm);

// Clamp every gradient element to [−clip_value, clip_value] (clip_grad_value_);
// clip_value must be finite and > 0.
template <class T>
void clip_grad_value(const std::vector<Parameter<T>*>& params, T clip_value);

}  // namespace elman
