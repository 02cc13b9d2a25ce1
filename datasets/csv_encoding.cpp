#include "datasets/csv_encoding.hpp"

#include <cstdio>
#include <optional>

#include "core/error.hpp"

namespace elman {

namespace {

// Offset of the first byte of `s` that does not start a valid UTF-8 sequence (RFC 3629, table 3-7
// of the Unicode standard), or nullopt.
std::optional<std::size_t> first_invalid_utf8(const std::string& s)
{
    const auto* b = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    for (std::size_t i = 0; i < n;) {
        const unsigned c = b[i];
        std::size_t len = 0;
        unsigned lo = 0x80, hi = 0xBF;  // range of the second byte
        if (c < 0x80) len = 1;
        else if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;       // overlong
            if (c == 0xED) hi = 0x9F;       // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;       // overlong
            if (c == 0xF4) hi = 0x8F;       // above U+10FFFF
        } else
            return i;
        if (i + len > n) return i;
        for (std::size_t k = 1; k < len; ++k) {
            const unsigned d = b[i + k];
            if (k == 1 ? (d < lo || d > hi) : (d < 0x80 || d > 0xBF)) return i;
        }
        i += len;
    }
    return std::nullopt;
}

std::string hex(unsigned char c)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X", c);
    return buf;
}

const char* utf16_or_32(const std::string& text)
{
    if (text.rfind(std::string("\xFF\xFE\0\0", 4), 0) == 0) return "UTF-32 (little-endian, byte order mark FF FE 00 00)";
    if (text.rfind(std::string("\0\0\xFE\xFF", 4), 0) == 0) return "UTF-32 (big-endian, byte order mark 00 00 FE FF)";
    if (text.rfind("\xFF\xFE", 0) == 0) return "UTF-16 (little-endian, byte order mark FF FE)";
    if (text.rfind("\xFE\xFF", 0) == 0) return "UTF-16 (big-endian, byte order mark FE FF)";
    return nullptr;
}

}  // namespace

std::string escaped_bytes(const std::string& text, std::size_t max_bytes)
{
    std::string out;
    for (std::size_t i = 0; i < text.size() && i < max_bytes; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            out += buf;
        }
    }
    return text.size() > max_bytes ? out + "..." : out;
}

void check_utf8_line(const std::string& path, std::size_t line, const std::string& text)
{
    const std::string at = path + ":" + std::to_string(line) + ":";
    const std::string fix = "; save the file as UTF-8 (a spreadsheet's \"CSV UTF-8\", or iconv -f ... -t UTF-8)";
    if (line == 1)
        if (const char* what = utf16_or_32(text)) throw Error(at + "1: the file is " + what + ", not UTF-8" + fix);
    if (const auto nul = text.find('\0'); nul != std::string::npos)
        throw Error(at + std::to_string(nul + 1) + ": NUL byte (0x00) in '" + escaped_bytes(text) +
                    "': the file looks UTF-16 without a byte order mark, or binary, not UTF-8 text" + fix);
    const auto bad = first_invalid_utf8(text);
    if (!bad) return;
    const std::size_t from = *bad > 20 ? *bad - 20 : 0;
    throw Error(at + std::to_string(*bad + 1) + ": byte " + hex(static_cast<unsigned char>(text[*bad])) +
                " is not UTF-8 (in '" + escaped_bytes(text.substr(from), 40) +
                "'; the file looks Latin-1 or Windows-1252)" + fix);
}

}  // namespace elman
