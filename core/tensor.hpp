// Tensor: the value type of elman, an xtensor container of dynamic rank.
// float trains (speed, parity with Keras/PyTorch); double checks gradients.
#pragma once

#include <cstddef>
#include <type_traits>
#include <vector>

#include <xtensor/xarray.hpp>

#include "core/aligned_allocator.hpp"

namespace elman {

// Row-major, dynamic rank, data() on a 64-byte boundary (core/aligned_allocator.hpp says why).
template <class T>
using Tensor = xt::xarray<T, xt::layout_type::row_major, AlignedAllocator<T>>;

using Shape = std::vector<std::size_t>;

// A 0-D tensor (shape []) holding v. (`Tensor<T> t = v;` does not do this in xtensor 0.24.)
template <class T>
Tensor<T> scalar_tensor(T v)
{
    Tensor<T> t = Tensor<T>::from_shape(Shape{});
    t.data()[0] = v;
    return t;
}

// NumPy's name of the element type, as .npy headers, Keras files and elman's checkpoints write
// it: "float32" for float, "float64" for double.
template <class T>
constexpr const char* dtype_name()
{
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "elman tensors hold float or double");
    return std::is_same_v<T, float> ? "float32" : "float64";
}

}  // namespace elman
