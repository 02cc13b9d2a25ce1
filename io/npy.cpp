#include "io/npy.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>

#include <xtensor/xnpy.hpp>

#include "core/error.hpp"
#include "io/files.hpp"

namespace elman {

namespace {

// The data is copied as-is: the host must be little-endian, as '<f4' says.
static_assert(std::endian::native == std::endian::little, ".npy reading assumes a little-endian host");

template <class T> constexpr const char* npy_descr();
template <> constexpr const char* npy_descr<float>() { return "<f4"; }
template <> constexpr const char* npy_descr<double>() { return "<f8"; }

// The value of 'key' in a numpy header dict, {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }.
std::optional<std::string> header_value(const std::string& h, const std::string& key)
{
    std::size_t k = h.find("'" + key + "'");
    if (k == std::string::npos) k = h.find("\"" + key + "\"");
    if (k == std::string::npos) return std::nullopt;
    std::size_t i = h.find(':', k + key.size() + 2);
    if (i == std::string::npos) return std::nullopt;
    ++i;
    while (i < h.size() && h[i] == ' ') ++i;
    if (i >= h.size()) return std::nullopt;
    std::size_t end;
    if (h[i] == '\'' || h[i] == '"') {
        end = h.find(h[i], i + 1);
        if (end == std::string::npos) return std::nullopt;
        return h.substr(i + 1, end - i - 1);
    }
    end = h[i] == '(' ? h.find(')', i) : h.find_first_of(",}", i);
    if (end == std::string::npos) return std::nullopt;
    return h.substr(i, end - i + (h[i] == '(' ? 1 : 0));
}

// "(8, 1)", "(3,)", "()": decimal dimensions separated by commas, each optionally padded with
// spaces; a trailing comma is allowed. Nothing else (no signs, no blanks between digits).
template <class Bad>
Shape parse_shape(const std::string& s, const Bad& bad)
{
    Shape shape;
    if (s.size() < 2 || s.front() != '(' || s.back() != ')') bad("has a malformed shape " + s);
    const std::string inner = s.substr(1, s.size() - 2);
    std::size_t i = 0;
    const auto skip_spaces = [&] {
        while (i < inner.size() && inner[i] == ' ') ++i;
    };
    skip_spaces();
    while (i < inner.size()) {
        std::size_t d = 0, digits = 0;
        for (; i < inner.size() && inner[i] >= '0' && inner[i] <= '9'; ++i, ++digits) {
            if (digits == 18) bad("has an absurd shape " + s);  // > 10^18: no such file
            d = d * 10 + static_cast<std::size_t>(inner[i] - '0');
        }
        if (digits == 0 || shape.size() == 32) bad("has a malformed shape " + s);
        shape.push_back(d);
        skip_spaces();
        if (i == inner.size()) break;
        if (inner[i] != ',') bad("has a malformed shape " + s);
        ++i;
        skip_spaces();
    }
    if (shape.size() == 1 && inner.find(',') == std::string::npos)
        bad("has a malformed shape " + s + " (a 1-D shape is written (n,))");
    return shape;
}

// The element count of `shape`, bounded so that the strides (products of trailing non-zero
// dimensions) fit in a signed index even when a 0 makes the count 0.
template <class Bad>
std::size_t element_count(const Shape& shape, std::size_t item, const Bad& bad)
{
    std::size_t n = 1, nonzero = 1;
    const std::size_t limit = static_cast<std::size_t>(PTRDIFF_MAX) / item;
    for (std::size_t d : shape) {
        if (d == 0) {
            n = 0;
            continue;
        }
        if (nonzero > limit / d) bad("has an absurd shape " + shape_str(shape));
        nonzero *= d;
    }
    return n == 0 ? 0 : nonzero;
}

template <class T, class S>
void copy_converted(Tensor<T>& t, const char* src, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i) {
        S v;
        std::memcpy(&v, src + i * sizeof(S), sizeof(S));
        t.data()[i] = static_cast<T>(v);
    }
}

}  // namespace

template <class T>
Tensor<T> parse_npy(const std::string& b, const std::string& shown, NpyReadOptions options)
{
    const auto bad = [&](const std::string& why) { throw Error(shown + " " + why); };
    if (b.size() < 10 || b.compare(0, 6, "\x93NUMPY") != 0) bad("is not a .npy file (bad magic)");
    const auto u8 = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(b[i])); };
    const std::size_t major = u8(6);
    std::size_t offset = 0, header_len = 0;
    if (major == 1) {
        header_len = u8(8) | (u8(9) << 8);
        offset = 10;
    } else if (major == 2 || major == 3) {
        if (b.size() < 12) bad("is truncated (incomplete header)");
        header_len = u8(8) | (u8(9) << 8) | (u8(10) << 16) | (u8(11) << 24);
        offset = 12;
    } else {
        bad("has unsupported .npy version " + std::to_string(major));
    }
    if (b.size() < offset + header_len) bad("is truncated (incomplete header)");
    const std::string h = b.substr(offset, header_len);
    offset += header_len;
    const auto descr = header_value(h, "descr");
    const auto fortran = header_value(h, "fortran_order");
    const auto shape_s = header_value(h, "shape");
    if (!descr || !fortran || !shape_s) bad("has a malformed header: " + h);
    std::size_t item = sizeof(T);
    if (options.convert && (*descr == "<f4" || *descr == "<f8")) {
        item = *descr == "<f4" ? 4 : 8;
    } else if (*descr != npy_descr<T>()) {
        bad("has dtype '" + *descr + "', expected '" + (options.convert ? std::string("<f4' or '<f8") : std::string(npy_descr<T>())) +
            "' (" + (options.convert ? std::string("float32 or float64") : std::string(dtype_name<T>())) + ")");
    }
    const Shape shape = parse_shape(*shape_s, bad);
    if (*fortran != "False" && shape.size() > 1) bad("is in Fortran order; expected C order");
    const std::size_t n = element_count(shape, std::max(item, sizeof(T)), bad);
    const std::size_t want = n * item, have = b.size() - offset;
    if (have < want)
        bad("is truncated: " + std::to_string(have) + " data bytes, expected " + std::to_string(want) +
            " for shape " + shape_str(shape));
    if (have > want) bad("has " + std::to_string(have - want) + " bytes after the data of shape " + shape_str(shape));
    Tensor<T> t = Tensor<T>::from_shape(shape);
    if (item == sizeof(T)) {
        if (want) std::memcpy(t.data(), b.data() + offset, want);
    } else if (item == 4) {
        copy_converted<T, float>(t, b.data() + offset, n);
    } else {
        copy_converted<T, double>(t, b.data() + offset, n);
    }
    // A NaN or inf weight or input would only surface later as NaN results.
    if (options.finite)
        for (std::size_t i = 0; i < t.size(); ++i)
            if (!std::isfinite(t.data()[i]))
                bad("holds a non-finite value (" + std::to_string(t.data()[i]) + ") at flat index " + std::to_string(i));
    return t;
}

std::string npy_descr_of(const std::string& path)
{
    const std::string b = read_file_bytes(path);
    if (b.size() < 10 || b.compare(0, 6, "\x93NUMPY") != 0) throw Error(path + ": is not a .npy file (bad magic)");
    const auto u8 = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(b[i])); };
    const std::size_t offset = b[6] == 1 ? 10 : 12;
    const std::size_t len = b[6] == 1 ? (u8(8) | (u8(9) << 8)) : b.size() >= 12 ? (u8(8) | (u8(9) << 8) | (u8(10) << 16) | (u8(11) << 24)) : 0;
    if (b.size() < offset + len) throw Error(path + ": is truncated (incomplete header)");
    const auto d = header_value(b.substr(offset, len), "descr");
    if (!d) throw Error(path + ": has a malformed header");
    return *d;
}

template <class T>
Tensor<T> load_npy(const std::string& path, NpyReadOptions options)
{
    return parse_npy<T>(read_file_bytes(path), path + ":", options);
}

template <class T>
std::string npy_bytes(const Tensor<T>& t)
{
    return xt::dump_npy(t);
}

template <class T>
void save_npy(const std::string& path, const Tensor<T>& t)
{
    replace_file_atomically(path, npy_bytes(t));
}

#define ELMAN_INSTANTIATE_NPY(T)                                                        \
    template Tensor<T> parse_npy(const std::string&, const std::string&, NpyReadOptions); \
    template Tensor<T> load_npy(const std::string&, NpyReadOptions);                      \
    template std::string npy_bytes(const Tensor<T>&);                                      \
    template void save_npy(const std::string&, const Tensor<T>&);

ELMAN_INSTANTIATE_NPY(float)
ELMAN_INSTANTIATE_NPY(double)
#undef ELMAN_INSTANTIATE_NPY

}  // namespace elman
