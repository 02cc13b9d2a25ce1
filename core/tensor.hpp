// Tensor: the value type of elman, an xtensor container of dynamic rank.
// float trains (speed, parity with Keras/PyTorch); double checks gradients.
#pragma once

#include <cstddef>
#include <vector>

#include <xtensor/xarray.hpp>

namespace elman {

template <class T>
using Tensor = xt::xarray<T>;

using Shape = std::vector<std::size_t>;

// A 0-D tensor (shape []) holding v. (`Tensor<T> t = v;` does not do this in xtensor 0.24.)
template <class T>
Tensor<T> scalar_tensor(T v)
{
    Tensor<T> t = Tensor<T>::from_shape(Shape{});
    t.data()[0] = v;
    return t;
}

}  // namespace elman
