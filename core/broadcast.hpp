// numpy broadcasting: the shape two operands broadcast to, and the reverse step that sums a
// gradient back down to an operand's shape (over the axes that were added or stretched).
#pragma once

#include "core/tensor.hpp"

namespace elman {

// Shapes aligned at the right; each pair of sizes must be equal or one of them 1.
// Throws elman::Error naming `op` and both shapes otherwise.
Shape broadcast_shape(const Shape& a, const Shape& b, const char* op);

// Sum g (shape of the broadcast result) down to `shape`:
//   leading axes that `shape` lacks are summed away; axes where shape[i] == 1 are summed
//   with keep_dims. Returns g itself when the shapes already agree.
template <class T>
Tensor<T> sum_to_shape(const Tensor<T>& g, const Shape& shape);

}  // namespace elman
