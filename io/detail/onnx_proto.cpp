#include "io/detail/onnx_proto.hpp"

#include <bit>
#include <cstring>

#include "core/error.hpp"

namespace elman::detail {

namespace {

static_assert(std::endian::native == std::endian::little, "ONNX raw_data is little-endian");

// Elements of a tensor of dims, bounded (a hostile file may claim any dims).
std::size_t element_count(const onnx::TensorProto& p, const std::string& where)
{
    std::size_t n = 1;
    for (const std::int64_t d : p.dims()) {
        if (d < 0 || (d > 0 && n > (std::size_t(1) << 31) / static_cast<std::size_t>(d)))
            throw Error(where + ": tensor '" + p.name() + "' has implausible dimensions");
        n *= static_cast<std::size_t>(d);
    }
    return n;
}

template <class S, class T>
void copy_raw(const std::string& raw, Tensor<T>& t)
{
    for (std::size_t i = 0; i < t.size(); ++i) {
        S v;
        std::memcpy(&v, raw.data() + i * sizeof(S), sizeof(S));
        t.data()[i] = static_cast<T>(v);
    }
}

}  // namespace

template <class T>
void to_proto(onnx::TensorProto& p, const std::string& name, const Tensor<T>& t)
{
    p.set_name(name);
    p.set_data_type(std::is_same_v<T, float> ? onnx::TensorProto::FLOAT : onnx::TensorProto::DOUBLE);
    for (std::size_t d : t.shape()) p.add_dims(static_cast<std::int64_t>(d));
    const Tensor<T> c = t;
    p.set_raw_data(std::string(reinterpret_cast<const char*>(c.data()), c.size() * sizeof(T)));
}

void int64s_to_proto(onnx::TensorProto& p, const std::string& name, const std::vector<std::int64_t>& values)
{
    p.set_name(name);
    p.set_data_type(onnx::TensorProto::INT64);
    p.add_dims(static_cast<std::int64_t>(values.size()));
    for (std::int64_t v : values) p.add_int64_data(v);
}

template <class T>
Tensor<T> from_proto(const onnx::TensorProto& p, const std::string& where)
{
    if (p.has_data_location() && p.data_location() == onnx::TensorProto::EXTERNAL)
        throw Error(where + ": tensor '" + p.name() + "' is stored in an external file, which elman does not read");
    const std::size_t n = element_count(p, where);
    Shape shape(p.dims().begin(), p.dims().end());
    // An empty weight tensor would leave its other dims unbounded by the file's bytes (a Dense
    // kernel [0, 10^9] would then size a 4 GB bias); no layer elman imports has one.
    if (n == 0 && !shape.empty())
        throw Error(where + ": tensor '" + p.name() + "' has shape " + shape_str(shape) + " with no elements");
    const auto type = p.data_type();
    if (type != onnx::TensorProto::FLOAT && type != onnx::TensorProto::DOUBLE)
        throw Error(where + ": tensor '" + p.name() + "' has data type " + std::to_string(type) + "; only float and double are read");
    const std::size_t item = type == onnx::TensorProto::FLOAT ? 4 : 8;
    // The sizes are checked against the bytes the file holds before anything is allocated: the
    // dims alone may claim gigabytes (found by fuzz_onnx).
    if (p.has_raw_data()) {
        if (p.raw_data().size() != n * item)
            throw Error(where + ": tensor '" + p.name() + "' holds " + std::to_string(p.raw_data().size()) + " bytes, expected " +
                        std::to_string(n * item) + " for shape " + shape_str(shape));
        Tensor<T> t = Tensor<T>::from_shape(shape);
        if (item == 4) copy_raw<float>(p.raw_data(), t);
        else copy_raw<double>(p.raw_data(), t);
        return t;
    }
    const std::size_t have = item == 4 ? static_cast<std::size_t>(p.float_data_size()) : static_cast<std::size_t>(p.double_data_size());
    if (have != n)
        throw Error(where + ": tensor '" + p.name() + "' holds " + std::to_string(have) + " values, expected " + std::to_string(n) +
                    " for shape " + shape_str(shape));
    Tensor<T> t = Tensor<T>::from_shape(shape);
    for (std::size_t i = 0; i < n; ++i)
        t.data()[i] = item == 4 ? static_cast<T>(p.float_data(static_cast<int>(i))) : static_cast<T>(p.double_data(static_cast<int>(i)));
    return t;
}

std::vector<std::int64_t> int64s_from_proto(const onnx::TensorProto& p, const std::string& where)
{
    const std::size_t n = element_count(p, where);
    if (p.data_type() != onnx::TensorProto::INT64 && p.data_type() != onnx::TensorProto::INT32)
        throw Error(where + ": tensor '" + p.name() + "' is not an integer tensor");
    // Checked before the allocation: the dims alone may claim gigabytes.
    const std::size_t held = p.has_raw_data() ? p.raw_data().size() / (p.data_type() == onnx::TensorProto::INT32 ? 4 : 8)
                             : p.data_type() == onnx::TensorProto::INT32 ? static_cast<std::size_t>(p.int32_data_size())
                                                                          : static_cast<std::size_t>(p.int64_data_size());
    if (held != n) throw Error(where + ": tensor '" + p.name() + "' has the wrong number of values");
    std::vector<std::int64_t> v(n);
    if (p.data_type() == onnx::TensorProto::INT64) {
        if (p.has_raw_data()) {
            if (p.raw_data().size() != n * 8) throw Error(where + ": tensor '" + p.name() + "' has the wrong number of bytes");
            std::memcpy(v.data(), p.raw_data().data(), n * 8);
        } else {
            if (static_cast<std::size_t>(p.int64_data_size()) != n) throw Error(where + ": tensor '" + p.name() + "' has the wrong number of values");
            for (std::size_t i = 0; i < n; ++i) v[i] = p.int64_data(static_cast<int>(i));
        }
        return v;
    }
    if (p.data_type() == onnx::TensorProto::INT32) {
        if (p.has_raw_data()) {
            if (p.raw_data().size() != n * 4) throw Error(where + ": tensor '" + p.name() + "' has the wrong number of bytes");
            for (std::size_t i = 0; i < n; ++i) {
                std::int32_t x;
                std::memcpy(&x, p.raw_data().data() + 4 * i, 4);
                v[i] = x;
            }
        } else {
            if (static_cast<std::size_t>(p.int32_data_size()) != n) throw Error(where + ": tensor '" + p.name() + "' has the wrong number of values");
            for (std::size_t i = 0; i < n; ++i) v[i] = p.int32_data(static_cast<int>(i));
        }
        return v;
    }
    throw Error(where + ": tensor '" + p.name() + "' is not an integer tensor");
}

template void to_proto<float>(onnx::TensorProto&, const std::string&, const Tensor<float>&);
template void to_proto<double>(onnx::TensorProto&, const std::string&, const Tensor<double>&);
template Tensor<float> from_proto<float>(const onnx::TensorProto&, const std::string&);
template Tensor<double> from_proto<double>(const onnx::TensorProto&, const std::string&);

}  // namespace elman::detail
