// See tools/explain_files.hpp. The .npy format is numpy's NEP 1 (numpy/lib/format.py): the magic
// "\x93NUMPY", a version byte pair, a header length (2 bytes in version 1, 4 in versions 2-3),
// a header dict {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }, then the data.
#include "tools/explain_files.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.hpp"

namespace fs = std::filesystem;

namespace elman {

static_assert(std::endian::native == std::endian::little, "the .npy reader assumes '<' data");

namespace {

// The raw value of `key` in the header dict {'descr': '<f4', 'fortran_order': False,
// 'shape': (2, 3), }: the text between the quotes of a string, between the parentheses of a
// tuple, or the word up to the next ',' or '}'.
std::string header_field(const std::string& header, const std::string& key, const std::string& path)
{
    const auto bad = [&] {
        throw Error(path + ": malformed .npy header (no valid '" + key + "'): " + header);
    };
    std::size_t i = header.find("'" + key + "'");
    if (i == std::string::npos) i = header.find("\"" + key + "\"");
    if (i == std::string::npos) bad();
    i = header.find_first_not_of(' ', i + key.size() + 2);
    if (i == std::string::npos || header[i] != ':') bad();
    i = header.find_first_not_of(' ', i + 1);
    if (i == std::string::npos) bad();
    const char open = header[i];
    const char close = open == '(' ? ')' : open == '\'' || open == '"' ? open : '\0';
    const std::size_t end = close ? header.find(close, i + 1) : header.find_first_of(",}", i);
    if (end == std::string::npos) bad();
    return close ? header.substr(i + 1, end - i - 1) : header.substr(i, end - i);
}

// "2, 3", "3,", "": decimal dimensions (at most 18 digits) separated by commas, spaces allowed
// around them, a trailing comma allowed.
Shape parse_shape(const std::string& inner, const std::string& path)
{
    Shape shape;
    std::size_t i = 0;
    const auto skip = [&] {
        while (i < inner.size() && inner[i] == ' ') ++i;
    };
    for (skip(); i < inner.size();) {
        std::size_t d = 0, digits = 0;
        for (; i < inner.size() && inner[i] >= '0' && inner[i] <= '9'; ++i, ++digits)
            d = d * 10 + static_cast<std::size_t>(inner[i] - '0');
        if (digits == 0 || digits > 18 || shape.size() == 32)
            throw Error(path + ": malformed .npy shape (" + inner + ")");
        shape.push_back(d);
        skip();
        if (i < inner.size() && inner[i] != ',')
            throw Error(path + ": malformed .npy shape (" + inner + ")");
        ++i;
        skip();
    }
    return shape;
}

}  // namespace

Tensor<double> explain_read_npy(const std::string& path)
{
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(path + ": no such file");
    if (!fs::is_regular_file(path, ec)) throw Error(path + ": not a regular file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open: " + std::strerror(errno));
    const std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw Error(path + ": cannot read");
    const auto u8 = [&](std::size_t i) {
        return static_cast<std::size_t>(static_cast<unsigned char>(b[i]));
    };
    if (b.size() < 10 || b.compare(0, 6, "\x93NUMPY") != 0)
        throw Error(path + ": not a .npy file (bad magic)");
    const std::size_t major = u8(6);
    if (major < 1 || major > 3)
        throw Error(path + ": unsupported .npy version " + std::to_string(major));
    const std::size_t offset = major == 1 ? 10 : 12;
    if (b.size() < offset) throw Error(path + ": truncated (incomplete header)");
    const std::size_t header_len =
        major == 1 ? u8(8) | (u8(9) << 8) : u8(8) | (u8(9) << 8) | (u8(10) << 16) | (u8(11) << 24);
    if (b.size() < offset + header_len) throw Error(path + ": truncated (incomplete header)");
    const std::string header = b.substr(offset, header_len);
    const std::string descr = header_field(header, "descr", path);
    if (descr != "<f4" && descr != "<f8")
        throw Error(path + ": dtype '" + descr + "', expected float32 ('<f4') or float64 ('<f8')");
    const Shape shape = parse_shape(header_field(header, "shape", path), path);
    const std::string order = header_field(header, "fortran_order", path);
    if (order != "True" && order != "False")
        throw Error(path + ": malformed .npy header (fortran_order is '" + order + "'): " + header);
    const bool fortran = order == "True";
    if (fortran && shape.size() > 1)
        throw Error(path + ": Fortran order is not supported (save np.ascontiguousarray(x))");
    const std::size_t word = descr == "<f4" ? 4 : 8;
    // The product of the non-zero dimensions bounded too: with a 0 among them there is no data,
    // but the strides must still fit in a signed index.
    std::size_t nonzero = 1, n = 1;
    for (std::size_t d : shape) {
        if (d == 0) {
            n = 0;
            continue;
        }
        if (nonzero > static_cast<std::size_t>(PTRDIFF_MAX) / 8 / d)
            throw Error(path + ": absurd shape " + shape_str(shape));
        nonzero *= d;
    }
    if (n != 0) n = nonzero;
    const std::size_t have = b.size() - offset - header_len;
    if (have != n * word)
        throw Error(path + ": " + (have < n * word ? "truncated: " : "unexpected size: ") +
                    std::to_string(have) + " data bytes, expected " + std::to_string(n * word) +
                    " for shape " + shape_str(shape));
    Tensor<double> t = Tensor<double>::from_shape(shape);
    const char* data = b.data() + offset + header_len;
    for (std::size_t i = 0; i < n; ++i) {
        if (word == 4) {
            float v;
            std::memcpy(&v, data + 4 * i, 4);
            t.data()[i] = v;
        } else {
            std::memcpy(t.data() + i, data + 8 * i, 8);
        }
    }
    return t;
}

void explain_replace_file(const std::string& path, const std::string& bytes)
{
    const fs::path target = fs::absolute(path);
    std::string tmp =
        (target.parent_path() / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0)
        throw Error(path + ": cannot create a temporary file next to it: " + std::strerror(errno));
    const auto fail = [&](const std::string& what) {
        const std::string reason = std::strerror(errno);
        ::unlink(tmp.c_str());
        throw Error(path + ": cannot " + what + ": " + reason);
    };
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            ::close(fd);
            fail("write");
        }
        done += static_cast<std::size_t>(w);
    }
    if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0) {
        ::close(fd);
        fail("write");
    }
    if (::close(fd) != 0) fail("write");
    if (::rename(tmp.c_str(), target.c_str()) != 0) fail("replace it");
    const int dir = ::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

}  // namespace elman
