#include "layers/initializers.hpp"

#include "core/error.hpp"
#include "core/init.hpp"

namespace elman {

namespace {

const char* const k_initializers[] = {"zeros", "ones", "glorot_uniform", "orthogonal",
                                      "random_uniform", "random_normal"};

}  // namespace

bool known_initializer(const std::string& name)
{
    for (const char* k : k_initializers)
        if (name == k) return true;
    return false;
}

void check_initializer(const std::string& name, const std::string& who)
{
    if (!known_initializer(name))
        throw Error(who + ": unknown initializer \"" + name +
                    "\" (expected zeros, ones, glorot_uniform, orthogonal, random_uniform or "
                    "random_normal)");
}

template <class T>
Tensor<T> initialize(const std::string& name, const Shape& shape, std::uint64_t seed)
{
    if (name == "zeros") return zeros<T>(shape);
    if (name == "ones") return ones<T>(shape);
    if (name == "glorot_uniform") return glorot_uniform<T>(shape, seed);
    if (name == "orthogonal") return orthogonal<T>(shape, seed);
    if (name == "random_uniform") return uniform<T>(shape, T(-0.05), T(0.05), seed);
    if (name == "random_normal") return normal<T>(shape, T(0), T(0.05), seed);
    check_initializer(name, "initialize");
    return zeros<T>(shape);
}

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t k)
{
    std::uint64_t z = seed + (k + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

template Tensor<float> initialize<float>(const std::string&, const Shape&, std::uint64_t);
template Tensor<double> initialize<double>(const std::string&, const Shape&, std::uint64_t);

}  // namespace elman
