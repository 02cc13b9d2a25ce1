// Weight initializers with Keras' definitions, each driven by an explicit seed so that a run
// is reproducible bit for bit (the generator and the transforms are elman's own, not
// std::*_distribution, whose output differs between standard libraries).
#pragma once

#include <cstdint>

#include "core/tensor.hpp"

namespace elman {

// A seeded stream of uniform doubles in [0, 1) and standard normals (mt19937_64 + Box–Muller).
class Rng {
public:
    explicit Rng(std::uint64_t seed);
    std::uint64_t next_u64();
    double uniform();    // [0, 1), 53 random bits
    double normal();     // N(0, 1)
    // A uniform integer in [0, n).
    std::uint64_t below(std::uint64_t n);

private:
    std::uint64_t state_[312];
    int index_;
    bool has_spare_ = false;
    double spare_ = 0.0;
    void twist();
};

template <class T> Tensor<T> zeros(const Shape& shape);
template <class T> Tensor<T> ones(const Shape& shape);
// U(minval, maxval); Keras RandomUniform defaults −0.05, 0.05.
template <class T> Tensor<T> uniform(const Shape& shape, T minval, T maxval, std::uint64_t seed);
// N(mean, stddev²); Keras RandomNormal defaults 0, 0.05.
template <class T> Tensor<T> normal(const Shape& shape, T mean, T stddev, std::uint64_t seed);
// U(−l, l), l = sqrt(6 / (fan_in + fan_out)); [in, out] for a 2-D shape, fan_in = fan_out = n
// for [n].
template <class T> Tensor<T> glorot_uniform(const Shape& shape, std::uint64_t seed);
// Keras Orthogonal: QR of a normal matrix [prod(shape[:-1]), shape[-1]] (transposed when it
// has fewer rows than columns), Q's columns signed by diag(R), times gain.
template <class T> Tensor<T> orthogonal(const Shape& shape, std::uint64_t seed, T gain = T(1));

}  // namespace elman
