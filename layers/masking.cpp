#include "layers/masking.hpp"

#include <cmath>

#include "core/error.hpp"

namespace elman {

template <class T>
Mask padding_mask(const Tensor<T>& x, T mask_value, const std::string& who)
{
    if (x.dimension() != 3)
        throw Error(who + ": expects input [batch, timesteps, features] (rank 3), got " +
                    shape_str(x.shape()));
    const std::size_t nb = x.shape()[0], nt = x.shape()[1], nf = x.shape()[2];
    Mask m = Mask::from_shape({nb, nt});
    for (std::size_t b = 0; b < nb; ++b)
        for (std::size_t t = 0; t < nt; ++t) {
            const T* row = x.data() + (b * nt + t) * nf;
            bool real = false;
            for (std::size_t f = 0; f < nf && !real; ++f) real = row[f] != mask_value;
            m(b, t) = real;
        }
    return m;
}

template <class T>
Masking<T>::Masking(MaskingOptions options) : options_(options)
{
    if (!std::isfinite(options_.mask_value))
        throw Error("masking: mask_value must be finite, got " +
                    std::to_string(options_.mask_value) +
                    (std::isnan(options_.mask_value) ? " (NaN equals nothing, so no step would "
                                                       "ever be masked)"
                                                     : ""));
}

// y = x ⊙ m      x:[B,T,F]  m:[B,T,1] (0 at padded steps, 1 elsewhere)
// dx += dy ⊙ m
template <class T>
Var<T> Masking<T>::forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx)
{
    (void)tape;
    (void)ctx;
    const Tensor<T>& xv = x.value(this->name().c_str());
    const Mask m = padding_mask(xv, static_cast<T>(options_.mask_value), this->name());
    bool any_padded = false;
    for (bool real : m) any_padded = any_padded || !real;
    if (!any_padded) return x;
    const std::size_t nb = m.shape()[0], nt = m.shape()[1];
    Tensor<T> keep = Tensor<T>::from_shape({nb, nt, 1});
    for (std::size_t i = 0; i < nb * nt; ++i) keep.data()[i] = m.data()[i] ? T(1) : T(0);
    Tensor<T> y = xv * keep;
    return record<T>("masking", std::move(y), {x}, [keep](BackwardContext<T>& c) {
        c.add_grad(0, c.grad() * keep);
    });
}

template <class T>
std::optional<Mask> Masking<T>::compute_mask(const Var<T>& x, const Mask* mask) const
{
    (void)mask;
    return padding_mask(x.value(this->name().c_str()), static_cast<T>(options_.mask_value),
                        this->name());
}

template Mask padding_mask<float>(const Tensor<float>&, float, const std::string&);
template Mask padding_mask<double>(const Tensor<double>&, double, const std::string&);
template class Masking<float>;
template class Masking<double>;

}  // namespace elman
