#include "io/detail/hdf5_check.hpp"

#include <cstdint>

namespace elman::detail {

namespace {

std::uint64_t u64le(const std::string& b, std::size_t at)
{
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
    return v;
}

// HDF5 1.10.8 trusts sizes it reads from the file before checking them against the file's
// end: it loops forever on a global heap collection (where variable-length strings live)
// holding a free-space object of size 0, reads past a collection whose objects are larger than
// it, and allocates whatever an object header's chunk size or a local heap's data size says
// (up to 2^64 bytes; found by fuzz_keras_h5). So the structures that carry such sizes are
// checked here first, with the library's own arithmetic (H5HGpkg.h, H5Opkg.h, H5HLpkg.h), and
// a file with an impossible size is refused before the library sees it. The structures are
// found by their signatures ("GCOL", "OHDR", "HEAP"); h5py writes 8-byte offsets and lengths.
// Returns a description of the first problem, or "".
std::string malformed_structure(const std::string& b)
{
    const std::size_t n = b.size();
    const auto scan = [&](const char* sig, std::size_t len, auto&& check) -> std::string {
        for (std::size_t at = b.find(sig, 0, len); at != std::string::npos; at = b.find(sig, at + 1, len)) {
            const std::string why = check(at);
            if (!why.empty()) return why + " at byte " + std::to_string(at);
        }
        return "";
    };
    // Global heap collection: "GCOL", version 1, 3 reserved, size (>= 4096), then objects with
    // 16-byte headers (index, refcount, reserved, size) padded to 8 bytes; index 0 is free space.
    std::string why = scan("GCOL\x01\0\0\0", 8, [&](std::size_t at) -> std::string {
        if (at + 16 > n) return "truncated global heap collection";
        const std::uint64_t size = u64le(b, at + 8);
        if (size < 4096 || size > n - at) return "global heap collection of impossible size " + std::to_string(size);
        std::size_t p = at + 16;
        const std::size_t end = at + static_cast<std::size_t>(size);
        while (p < end && p + 16 <= end) {
            const unsigned idx = static_cast<unsigned char>(b[p]) | (static_cast<unsigned char>(b[p + 1]) << 8);
            const std::uint64_t obj = u64le(b, p + 8);
            const std::uint64_t need = obj > end - p ? 0 : idx > 0 ? 16 + (obj + 7) / 8 * 8 : obj;
            if (need == 0 || need > end - p) return "malformed global heap collection";
            p += static_cast<std::size_t>(need);
        }
        return "";
    });
    if (!why.empty()) return why;
    // A continuation message (type 0x10) points at the next chunk of an object header: its
    // offset and length (8 bytes each) must lie in the file. Version-1 headers (no signature)
    // are found by the message header itself: type 0x0010, size 16, flags, 3 reserved zeros.
    const auto chunk_fits = [&](std::size_t data) -> std::string {
        if (data + 16 > n) return "truncated continuation message";
        const std::uint64_t off = u64le(b, data), len = u64le(b, data + 8);
        if (off > n || len > n - off) return "object header continuation of impossible size " + std::to_string(len);
        return "";
    };
    why = scan("\x10\0\x10\0", 4, [&](std::size_t at) -> std::string {
        if (at + 8 > n || b[at + 5] != 0 || b[at + 6] != 0 || b[at + 7] != 0) return "";
        return chunk_fits(at + 8);
    });
    if (!why.empty()) return why;
    // Version-2 object header: "OHDR", 2, flags, [4 times], [2 attribute phase values], the
    // size of chunk 0 in 1, 2, 4 or 8 bytes (flags bits 0-1), then messages: type (1), size (2),
    // flags (1), [creation order (2) with flags bit 2].
    why = scan("OHDR\x02", 5, [&](std::size_t at) -> std::string {
        if (at + 6 > n) return "truncated object header";
        const unsigned flags = static_cast<unsigned char>(b[at + 5]);
        std::size_t p = at + 6 + ((flags & 0x20) ? 16 : 0) + ((flags & 0x10) ? 4 : 0);
        const std::size_t width = std::size_t(1) << (flags & 3);
        if (p + width > n) return "truncated object header";
        std::uint64_t size = 0;
        for (std::size_t i = 0; i < width; ++i) size |= static_cast<std::uint64_t>(static_cast<unsigned char>(b[p + i])) << (8 * i);
        p += width;
        if (size > n - p) return "object header chunk of impossible size " + std::to_string(size);
        const std::size_t end = p + static_cast<std::size_t>(size), head = (flags & 0x04) ? 6 : 4;
        while (p + head <= end) {
            const unsigned type = static_cast<unsigned char>(b[p]);
            const std::size_t msg = static_cast<unsigned char>(b[p + 1]) | (static_cast<unsigned char>(b[p + 2]) << 8);
            if (msg > end - p - head) return "object header message larger than its chunk";
            if (type == 0x10) {
                if (msg < 16) return "short continuation message";
                if (const std::string w = chunk_fits(p + head); !w.empty()) return w;
            }
            p += head + msg;
        }
        return "";
    });
    if (!why.empty()) return why;
    // Local heap: "HEAP", version 0, 3 reserved, data segment size, free list offset, address.
    why = scan("HEAP\0", 5, [&](std::size_t at) -> std::string {
        if (at + 32 > n) return "truncated local heap";
        const std::uint64_t size = u64le(b, at + 8), addr = u64le(b, at + 24);
        if (size > n || addr > n || size > n - addr) return "local heap of impossible size " + std::to_string(size);
        return "";
    });
    return why;
}

// The superblock (versions 0-3) must describe 8-byte offsets and lengths, a base address of 0
// and a root object header inside the file; a version-1 root object header's size must fit.
std::string malformed_superblock(const std::string& b)
{
    const std::size_t n = b.size();
    const unsigned version = static_cast<unsigned char>(b[8]);
    std::size_t sizes = 0, base = 0, root = 0;
    if (version == 0 || version == 1) sizes = 13, base = version == 0 ? 24 : 28, root = base + 40;
    else if (version == 2 || version == 3) sizes = 9, base = 12, root = 36;
    else return "unknown superblock version " + std::to_string(version);
    if (root + 8 > n) return "truncated superblock";
    if (b[sizes] != 8 || b[sizes + 1] != 8) return "superblock with offsets or lengths other than 8 bytes";
    if (u64le(b, base) != 0) return "superblock with a non-zero base address";
    const std::uint64_t header = u64le(b, root);
    if (header >= n) return "root object header outside the file";
    if (header + 16 <= n && b[header] == 1) {
        const std::uint64_t size = static_cast<unsigned char>(b[header + 8]) | (static_cast<std::uint64_t>(static_cast<unsigned char>(b[header + 9])) << 8) |
                                   (static_cast<std::uint64_t>(static_cast<unsigned char>(b[header + 10])) << 16) |
                                   (static_cast<std::uint64_t>(static_cast<unsigned char>(b[header + 11])) << 24);
        if (size > n - header - 16) return "root object header of impossible size " + std::to_string(size);
    }
    return "";
}

}  // namespace

std::string hdf5_damage(const std::string& bytes)
{
    if (bytes.size() < 96) return "truncated superblock";
    std::string why = malformed_superblock(bytes);
    if (why.empty()) why = malformed_structure(bytes);
    return why;
}

}  // namespace elman::detail
