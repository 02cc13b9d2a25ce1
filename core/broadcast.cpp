#include "core/broadcast.hpp"

#include <algorithm>
#include <string>

#include <xtensor/xbuilder.hpp>

#include "core/error.hpp"

namespace elman {

Shape broadcast_shape(const Shape& a, const Shape& b, const char* op)
{
    const std::size_t r = std::max(a.size(), b.size());
    Shape out(r, 1);
    for (std::size_t i = 0; i < r; ++i) {
        // i counts from the right.
        const std::size_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
        const std::size_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
        if (da != db && da != 1 && db != 1)
            throw Error(std::string(op) + ": shapes " + shape_str(a) + " and " + shape_str(b) +
                        " do not broadcast (axis -" + std::to_string(i + 1) + ": " +
                        std::to_string(da) + " vs " + std::to_string(db) + ")");
        out[r - 1 - i] = std::max(da, db);
    }
    return out;
}

// out[j] = Σ over every i of g that maps to j, where i maps to j by dropping the leading axes
// and clamping each stretched axis (shape[d] == 1) to 0. One pass over g with an odometer
// index; the target offset advances by its own strides (0 along the summed axes).
template <class T>
Tensor<T> sum_to_shape(const Tensor<T>& g, const Shape& shape)
{
    const std::size_t r = g.dimension();
    if (r == shape.size() && std::equal(shape.begin(), shape.end(), g.shape().begin()))
        return g;
    const std::size_t lead = r - shape.size();
    Tensor<T> out = xt::zeros<T>(shape);
    std::vector<std::size_t> stride(r, 0);  // target stride along each axis of g
    std::size_t s = 1;
    for (std::size_t d = shape.size(); d-- > 0;) {
        stride[d + lead] = shape[d] == 1 ? 0 : s;
        s *= shape[d];
    }
    std::vector<std::size_t> idx(r, 0);
    std::size_t offset = 0;
    const T* src = g.data();
    T* dst = out.data();
    for (std::size_t i = 0, n = g.size(); i < n; ++i) {
        dst[offset] += src[i];
        for (std::size_t d = r; d-- > 0;) {  // odometer step, last axis fastest
            offset += stride[d];
            if (++idx[d] < g.shape()[d]) break;
            offset -= stride[d] * idx[d];
            idx[d] = 0;
        }
    }
    return out;
}

template Tensor<float> sum_to_shape(const Tensor<float>&, const Shape&);
template Tensor<double> sum_to_shape(const Tensor<double>&, const Shape&);

}  // namespace elman
