// numpy axis arguments: a negative axis counts from the end.
#pragma once

#include <cstddef>
#include <string>

#include "core/error.hpp"
#include "core/tensor.hpp"

namespace elman {

// `axis` as an index in [0, rank); throws naming `op` and the shape when out of range.
inline std::size_t normalize_axis(int axis, std::size_t rank, const char* op, const Shape& shape)
{
    const long r = static_cast<long>(rank);
    if (axis < -r || axis >= r)
        throw Error(std::string(op) + ": axis " + std::to_string(axis) +
                    " is out of range for shape " + shape_str(shape));
    return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
}

}  // namespace elman
