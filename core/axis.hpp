// numpy axis arguments: a negative axis counts from the end. And the index arithmetic that ops
// along one axis share.
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

// A row-major tensor seen as [outer, k, inner] around one axis of size k: element (o, j, i)
// is at flat index (o·k + j)·inner + i. An op along the axis loops over (o, i) and, inside,
// over j with stride `inner`.
struct AxisSplit {
    std::size_t outer = 1;
    std::size_t k = 1;
    std::size_t inner = 1;
};

inline AxisSplit split_at_axis(const Shape& shape, std::size_t axis)
{
    AxisSplit s;
    for (std::size_t d = 0; d < axis; ++d) s.outer *= shape[d];
    s.k = shape[axis];
    for (std::size_t d = axis + 1; d < shape.size(); ++d) s.inner *= shape[d];
    return s;
}

// The multi-index of flat (row-major) position `flat` in `shape`: numpy's unravel_index.
inline Shape unravel_index(std::size_t flat, const Shape& shape)
{
    Shape pos(shape.size(), 0);
    for (std::size_t i = shape.size(); i-- > 0;) {
        pos[i] = shape[i] ? flat % shape[i] : 0;
        flat = shape[i] ? flat / shape[i] : 0;
    }
    return pos;
}

}  // namespace elman
