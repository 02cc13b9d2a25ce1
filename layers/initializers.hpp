// Keras' weight initializers by name, for the layers whose options name them (SimpleRNN, LSTM):
//
//   zeros, ones               constant
//   glorot_uniform            U(−l, l), l = sqrt(6 / (fan_in + fan_out))        (kernels)
//   orthogonal                orthonormal rows or columns (Keras Orthogonal)   (recurrent kernels)
//   random_uniform            U(−0.05, 0.05)
//   random_normal             N(0, 0.05²)
//
// The definitions are core/init.hpp's; this file only maps Keras' names to them and gives each
// weight of a layer its own seed.
#pragma once

#include <cstdint>
#include <string>

#include "core/tensor.hpp"

namespace elman {

// True for the names listed above.
bool known_initializer(const std::string& name);

// Throws elman::Error "<who>: unknown initializer \"<name>\" (expected zeros, ones, ...)"
// unless known_initializer(name).
void check_initializer(const std::string& name, const std::string& who);

// The weight of `shape` drawn by the initializer `name` (one of the names above; anything else
// throws elman::Error) from `seed`.
template <class T>
Tensor<T> initialize(const std::string& name, const Shape& shape, std::uint64_t seed);

// The k-th weight's seed from a layer's seed (splitmix64 of seed + (k+1)·golden ratio), so that
// a layer's kernel and recurrent_kernel never share a random stream.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t k);

}  // namespace elman
