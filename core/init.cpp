#include "core/init.hpp"

#include <cmath>
#include <string>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xview.hpp>

#include "core/error.hpp"

namespace elman {

// mt19937_64 as specified by the C++ standard ([rand.predef]): the same stream everywhere.
Rng::Rng(std::uint64_t seed) : index_(312)
{
    state_[0] = seed;
    for (int i = 1; i < 312; ++i)
        state_[i] = 6364136223846793005ULL * (state_[i - 1] ^ (state_[i - 1] >> 62)) +
                    static_cast<std::uint64_t>(i);
}

void Rng::twist()
{
    constexpr std::uint64_t upper = 0xFFFFFFFF80000000ULL, lower = 0x7FFFFFFFULL;
    for (int i = 0; i < 312; ++i) {
        const std::uint64_t x = (state_[i] & upper) | (state_[(i + 1) % 312] & lower);
        std::uint64_t xa = x >> 1;
        if (x & 1) xa ^= 0xB5026F5AA96619E9ULL;
        state_[i] = state_[(i + 156) % 312] ^ xa;
    }
    index_ = 0;
}

std::uint64_t Rng::next_u64()
{
    if (index_ >= 312) twist();
    std::uint64_t y = state_[index_++];
    y ^= (y >> 29) & 0x5555555555555555ULL;
    y ^= (y << 17) & 0x71D67FFFEDA60000ULL;
    y ^= (y << 37) & 0xFFF7EEE000000000ULL;
    y ^= y >> 43;
    return y;
}

double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

// Box–Muller: two uniforms give two independent normals; the second is kept for the next call.
double Rng::normal()
{
    if (has_spare_) {
        has_spare_ = false;
        return spare_;
    }
    const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double theta = 2.0 * 3.14159265358979323846 * u2;
    spare_ = r * std::sin(theta);
    has_spare_ = true;
    return r * std::cos(theta);
}

std::uint64_t Rng::below(std::uint64_t n)
{
    if (n == 0) throw Error("Rng::below: empty range");
    // Rejection sampling: no modulo bias.
    const std::uint64_t limit = ~0ULL - (~0ULL % n);
    std::uint64_t x;
    do x = next_u64();
    while (x >= limit);
    return x % n;
}

template <class T>
Tensor<T> zeros(const Shape& shape)
{
    return xt::zeros<T>(shape);
}

template <class T>
Tensor<T> ones(const Shape& shape)
{
    return xt::ones<T>(shape);
}

template <class T>
Tensor<T> uniform(const Shape& shape, T minval, T maxval, std::uint64_t seed)
{
    if (!(minval <= maxval))
        throw Error("uniform: minval " + std::to_string(minval) + " > maxval " +
                    std::to_string(maxval));
    Rng rng(seed);
    Tensor<T> t = Tensor<T>::from_shape(shape);
    for (auto& v : t) v = static_cast<T>(minval + (maxval - minval) * rng.uniform());
    return t;
}

template <class T>
Tensor<T> normal(const Shape& shape, T mean, T stddev, std::uint64_t seed)
{
    if (!(stddev >= T(0))) throw Error("normal: stddev " + std::to_string(stddev) + " < 0");
    Rng rng(seed);
    Tensor<T> t = Tensor<T>::from_shape(shape);
    for (auto& v : t) v = static_cast<T>(mean + stddev * rng.normal());
    return t;
}

template <class T>
Tensor<T> glorot_uniform(const Shape& shape, std::uint64_t seed)
{
    if (shape.empty() || shape.size() > 2)
        throw Error("glorot_uniform: expects a 1-D or 2-D shape, got " + shape_str(shape));
    const double fan_in = static_cast<double>(shape[0]);
    const double fan_out = static_cast<double>(shape.size() == 2 ? shape[1] : shape[0]);
    if (fan_in + fan_out == 0) return zeros<T>(shape);
    const T limit = static_cast<T>(std::sqrt(6.0 / (fan_in + fan_out)));
    return uniform<T>(shape, -limit, limit, seed);
}

template <class T>
Tensor<T> orthogonal(const Shape& shape, std::uint64_t seed, T gain)
{
    if (shape.size() < 2)
        throw Error("orthogonal: expects at least a 2-D shape, got " + shape_str(shape));
    std::size_t rows = 1;
    for (std::size_t i = 0; i + 1 < shape.size(); ++i) rows *= shape[i];
    const std::size_t cols = shape.back();
    if (rows == 0 || cols == 0) return zeros<T>(shape);
    // QR in double whatever T is, so float and double weights agree to float precision.
    const bool tall = rows >= cols;
    xt::xtensor<double, 2> a = normal<double>(tall ? Shape{rows, cols} : Shape{cols, rows}, 0.0, 1.0, seed);
    auto [q, r] = xt::linalg::qr(a, xt::linalg::qrmode::reduced);
    const std::size_t k = std::min(rows, cols);
    for (std::size_t j = 0; j < k; ++j) {
        const double d = r(j, j);
        const double sign = d > 0 ? 1.0 : (d < 0 ? -1.0 : 0.0);
        xt::view(q, xt::all(), j) *= sign;
    }
    Tensor<T> out = Tensor<T>::from_shape({rows, cols});
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j)
            out(i, j) = static_cast<T>(gain * (tall ? q(i, j) : q(j, i)));
    out.reshape(shape);
    return out;
}

#define ELMAN_INSTANTIATE(T)                                                  \
    template Tensor<T> zeros<T>(const Shape&);                                \
    template Tensor<T> ones<T>(const Shape&);                                 \
    template Tensor<T> uniform<T>(const Shape&, T, T, std::uint64_t);         \
    template Tensor<T> normal<T>(const Shape&, T, T, std::uint64_t);          \
    template Tensor<T> glorot_uniform<T>(const Shape&, std::uint64_t);        \
    template Tensor<T> orthogonal<T>(const Shape&, std::uint64_t, T);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
