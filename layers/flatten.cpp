#include "layers/flatten.hpp"

#include "core/error.hpp"
#include "core/ops.hpp"

namespace elman {

template <class T>
Var<T> Flatten<T>::forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx)
{
    (void)tape;
    (void)ctx;
    const Shape xs = x.shape(this->name().c_str());
    if (xs.size() < 2)
        throw Error(this->name() + ": expects input with a batch axis and at least one more, got " +
                    shape_str(xs));
    this->built_ = true;
    if (xs.size() == 2) return x;
    std::size_t n = 1;
    for (std::size_t i = 1; i < xs.size(); ++i) n *= xs[i];
    // y[b, flat(i, j, ...)] = x[b, i, j, ...]: a reshape of the row-major buffer
    return reshape(x, Shape{xs[0], n});
}

template <class T>
std::optional<Mask> Flatten<T>::compute_mask(const Var<T>& x, const Mask* mask) const
{
    (void)x;
    (void)mask;
    return std::nullopt;
}

template <class T>
void Flatten<T>::build(const Shape& input_shape)
{
    if (input_shape.empty())
        throw Error(this->name() + ": build expects the input shape without the batch axis, got []");
    this->built_ = true;
}

template <class T>
Shape Flatten<T>::output_shape(const Shape& input_shape) const
{
    std::size_t n = 1;
    for (std::size_t d : input_shape) n *= d;
    return {n};
}

template class Flatten<float>;
template class Flatten<double>;

}  // namespace elman
