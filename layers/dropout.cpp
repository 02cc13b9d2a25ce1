#include "layers/dropout.hpp"

#include <cmath>
#include <string>

#include <xtensor/xbroadcast.hpp>

#include "core/error.hpp"

namespace elman {

void check_dropout_rate(double rate, const std::string& who, const std::string& what)
{
    if (!(rate >= 0.0 && rate < 1.0))
        throw Error(who + ": " + what + " must be in [0, 1), got " + std::to_string(rate));
}

std::uint64_t named_seed(std::uint64_t seed, const std::string& name)
{
    std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a, 64 bit
    for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ull;
    // splitmix64 of the two together
    std::uint64_t z = seed + (h + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

template <class T>
Tensor<T> dropout_mask(const Shape& shape, double rate, Rng& rng)
{
    Tensor<T> m = Tensor<T>::from_shape(shape);
    const T scale = T(1) / (T(1) - static_cast<T>(rate));
    for (T& v : m) v = rng.uniform() >= rate ? scale : T(0);
    return m;
}

template <class T>
Dropout<T>::Dropout(DropoutOptions options) : options_(std::move(options))
{
    check_dropout_rate(options_.rate, "dropout", "rate");
}

template <class T>
void Dropout<T>::reseed(std::uint64_t seed)
{
    options_.seed = seed;
    rng_ready_ = false;
}

template <class T>
Shape Dropout<T>::noise_shape_for(const Shape& input) const
{
    if (options_.noise_shape.empty()) return input;
    const Shape& ns = options_.noise_shape;
    bool fits = ns.size() == input.size();
    Shape s(input.size());
    for (std::size_t i = 0; fits && i < ns.size(); ++i) {
        s[i] = ns[i] == 0 ? input[i] : ns[i];
        fits = s[i] == input[i] || s[i] == 1;
    }
    if (!fits)
        throw Error(this->name() + ": noise_shape " + shape_str(ns) + " does not fit the input " +
                    shape_str(input) + " (each axis must be 0 for the input's size, 1, or the "
                    "input's size)");
    return s;
}

// y = x ⊙ m          x:[S]  m:[S] (the noise_shape draw broadcast to S), m_i ∈ {0, 1/(1−rate)}
// dx += dy ⊙ m
template <class T>
Var<T> Dropout<T>::forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx)
{
    (void)tape;
    const Shape xs = x.shape(this->name().c_str());
    if (xs.empty()) throw Error(this->name() + ": input must have a batch axis, got shape []");
    const Shape ns = noise_shape_for(xs);  // checked in inference too: a wrong shape is a bug
    if (!ctx.training || options_.rate == 0.0) return x;
    if (!rng_ready_) {
        rng_ = Rng(named_seed(options_.seed, this->name()));
        rng_ready_ = true;
    }
    const Tensor<T> draw = dropout_mask<T>(ns, options_.rate, rng_);
    mask_ = ns == xs ? draw : Tensor<T>(xt::broadcast(draw, xs));
    Tensor<T> y = x.value() * mask_;
    return record<T>("dropout", std::move(y), {x}, [m = mask_](BackwardContext<T>& c) {
        c.add_grad(0, c.grad() * m);
    });
}

template Tensor<float> dropout_mask<float>(const Shape&, double, Rng&);
template Tensor<double> dropout_mask<double>(const Shape&, double, Rng&);
template class Dropout<float>;
template class Dropout<double>;

}  // namespace elman
