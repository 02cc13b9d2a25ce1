// The HDF5 checks (io/detail/hdf5_check.hpp). HDF5 1.10.8 trusts sizes it reads from the file
// before checking them against the file's end: it loops forever on a global heap collection
// (where variable-length strings live) holding a free-space object of size 0, reads past a
// collection whose objects are larger than it, and allocates whatever an object header chunk,
// a continuation message or a local heap says (up to 2^64 bytes); all found by fuzz_keras_h5.
// Each structure that carries such a size is checked here with the library's own layout
// (H5HGpkg.h, H5Opkg.h, H5HLpkg.h, H5Gpkg.h), so that a file with an impossible size is refused
// before the library sees it. h5py and Keras write 8-byte offsets and lengths; other files
// are refused.
#include "io/detail/hdf5_check.hpp"

#include <cstdint>
#include <set>

namespace elman::detail {

namespace {

struct Bytes {
    const std::string& b;
    std::uint64_t btree_node = 0;  // the size of a group B-tree node (from the superblock's K)
    std::size_t size() const { return b.size(); }
    unsigned u8(std::size_t at) const { return static_cast<unsigned char>(b[at]); }
    std::uint64_t le(std::size_t at, std::size_t width) const
    {
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < width; ++i) v |= static_cast<std::uint64_t>(u8(at + i)) << (8 * i);
        return v;
    }
    // Every offset where `sig` starts.
    template <class F>
    std::string each(const char* sig, std::size_t len, F&& check) const
    {
        for (std::size_t at = b.find(sig, 0, len); at != std::string::npos; at = b.find(sig, at + 1, len))
            if (std::string why = check(at); !why.empty()) return why + " at byte " + std::to_string(at);
        return "";
    }
};

// Global heap collection: "GCOL", version 1, 3 reserved, size (>= 4096), then objects with
// 16-byte headers (index 2, refcount 2, reserved 4, size 8) padded to 8 bytes; index 0 is the
// free space. Walked as H5HG__cache_heap_deserialize walks it: every step must advance and stay
// inside the collection.
std::string global_heap(const Bytes& f, std::size_t at)
{
    const std::size_t n = f.size();
    if (at + 16 > n) return "truncated global heap collection";
    const std::uint64_t size = f.le(at + 8, 8);
    if (size < 4096 || size > n - at) return "global heap collection of impossible size " + std::to_string(size);
    const std::size_t end = at + static_cast<std::size_t>(size);
    for (std::size_t p = at + 16; p < end && p + 16 <= end;) {
        const std::uint64_t obj = f.le(p + 8, 8);
        const std::uint64_t need = obj > end - p ? 0 : f.le(p, 2) > 0 ? 16 + (obj + 7) / 8 * 8 : obj;
        if (need == 0 || need > end - p) return "malformed global heap collection";
        p += static_cast<std::size_t>(need);
    }
    return "";
}

// The size of object `idx` (> 0) of the global heap collection at `at`, or -1 when there is
// no collection there or no such object (H5HG_read indexes its object table unchecked).
long long global_heap_object(const Bytes& f, std::uint64_t at, std::uint64_t idx)
{
    if (idx == 0 || at > f.size() || f.size() - at < 16 || f.b.compare(static_cast<std::size_t>(at), 8, std::string("GCOL\x01\0\0\0", 8)) != 0)
        return -1;
    const std::uint64_t size = f.le(static_cast<std::size_t>(at) + 8, 8);
    if (size > f.size() - at) return -1;
    const std::size_t end = static_cast<std::size_t>(at + size);
    for (std::size_t p = static_cast<std::size_t>(at) + 16; p < end && p + 16 <= end;) {
        const std::uint64_t i = f.le(p, 2), obj = f.le(p + 8, 8);
        const std::uint64_t need = obj > end - p ? 0 : i > 0 ? 16 + (obj + 7) / 8 * 8 : obj;
        if (need == 0 || need > end - p) return -1;
        if (i == idx) return static_cast<long long>(obj);
        p += static_cast<std::size_t>(need);
    }
    return -1;
}

// Local heap: "HEAP", version 0, 3 reserved, data segment size, free list offset, address.
std::string local_heap(const Bytes& f, std::size_t at)
{
    const std::size_t n = f.size();
    if (at + 32 > n) return "truncated local heap";
    const std::uint64_t size = f.le(at + 8, 8), addr = f.le(at + 24, 8);
    if (size > n || addr > n || size > n - addr) return "local heap of impossible size " + std::to_string(size);
    return "";
}

// The number of elements a dataspace message [p, p + size) describes (H5Osdspace.c): version 1
// (rank, flags, 5 reserved, dims) or 2 (rank, flags, type: 0 scalar, 1 simple, 2 null, dims);
// -1 when it does not fit or overflows.
long long dataspace_elements(const Bytes& f, std::size_t p, std::size_t size)
{
    if (size < 4) return -1;
    const unsigned version = f.u8(p), rank = f.u8(p + 1);
    std::size_t dims = p + (version == 1 ? 8 : 4);
    if (version == 2 && f.u8(p + 3) == 2) return 0;
    if ((version != 1 && version != 2) || rank > 32 || dims + 8 * rank > p + size) return -1;
    std::uint64_t count = 1;
    for (unsigned i = 0; i < rank; ++i) {
        const std::uint64_t d = f.le(dims + 8 * i, 8);
        if (d != 0 && count > (std::uint64_t(1) << 40) / d) return -1;
        count *= d;
    }
    return static_cast<long long>(count);
}

// An attribute message [p, p + size) (H5Oattr.c): version, reserved/flags, name, datatype and
// dataspace sizes (2 each), [encoding in version 3], then the three parts (each padded to 8 in
// version 1) and the data, whose size is elements × the datatype's size. HDF5 copies all of
// them without checking them against the message.
std::string attribute_message(const Bytes& f, std::size_t p, std::size_t size)
{
    if (size < 8) return "short attribute message";
    const unsigned version = f.u8(p);
    if (version < 1 || version > 3) return "attribute message of unknown version";
    const auto pad = [&](std::uint64_t x) { return version == 1 ? (x + 7) / 8 * 8 : x; };
    const std::uint64_t name = f.le(p + 2, 2), dt = f.le(p + 4, 2), ds = f.le(p + 6, 2);
    const std::uint64_t start = version == 3 ? 9 : 8;
    const std::uint64_t data = start + pad(name) + pad(dt) + pad(ds);
    if (data > size || dt < 8) return "attribute message whose parts exceed it";
    const long long elements = dataspace_elements(f, p + static_cast<std::size_t>(start + pad(name) + pad(dt)), static_cast<std::size_t>(ds));
    const std::uint64_t item = f.le(p + static_cast<std::size_t>(start + pad(name)) + 4, 4);
    if (elements < 0 || (elements > 0 && item > (size - data) / static_cast<std::uint64_t>(elements)))
        return "attribute message whose data exceeds it";
    // Variable-length data (class 9, e.g. h5py's str): each element is a length (4), a global
    // heap collection address (8) and an index (4); HDF5 allocates length × the base type's
    // size (the datatype's properties start with the base type: 4 bytes, then its size) before
    // reading anything.
    const std::size_t dtp = p + static_cast<std::size_t>(start + pad(name));
    if ((f.u8(dtp) & 0x0F) == 9 && item >= 16) {
        const std::uint64_t base = dt >= 16 ? f.le(dtp + 12, 4) : 1;
        for (long long i = 0; i < elements; ++i) {
            const std::size_t at = p + static_cast<std::size_t>(data + static_cast<std::uint64_t>(i) * item);
            const std::uint64_t len = f.le(at, 4);
            if (base == 0 || len > f.size() / base) return "variable-length attribute value of impossible size";
            // The value lives in a global heap object, copied whole into len × base bytes.
            const long long obj = len == 0 ? 0 : global_heap_object(f, f.le(at + 4, 8), f.le(at + 12, 4));
            if (obj < 0 || static_cast<std::uint64_t>(obj) > len * base) return "variable-length attribute value outside its global heap";
        }
    }
    return "";
}

// A symbol table message (type 0x11: the group's B-tree and local heap addresses): both must
// lie in the file with room for a B-tree node (HDF5 reads the undefined address too).
std::string symbol_table_message(const Bytes& f, std::size_t p, std::size_t size)
{
    if (size < 16) return "short symbol table message";
    const std::uint64_t tree = f.le(p, 8), heap = f.le(p + 8, 8);
    if (tree > f.size() || f.btree_node > f.size() - tree || heap + 32 > f.size()) return "symbol table message pointing outside the file";
    return "";
}

// The messages of one chunk of a version-1 object header, [p, end): type (2), size (2),
// flags (1), reserved (3), data. A continuation (type 0x10: offset 8, length 8) must lie in the
// file, and its chunk is walked too.
std::string v1_chunk(const Bytes& f, std::size_t p, std::size_t end, std::set<std::size_t>& seen)
{
    while (p + 8 <= end) {
        const std::uint64_t type = f.le(p, 2), size = f.le(p + 2, 2);
        if (size > end - p - 8) return "object header message larger than its chunk";
        if (type == 0x0C)
            if (std::string why = attribute_message(f, p + 8, static_cast<std::size_t>(size)); !why.empty()) return why;
        if (type == 0x11)
            if (std::string why = symbol_table_message(f, p + 8, static_cast<std::size_t>(size)); !why.empty()) return why;
        if (type == 0x10) {
            if (size < 16) return "short continuation message";
            const std::uint64_t off = f.le(p + 8, 8), len = f.le(p + 16, 8);
            if (off > f.size() || len > f.size() - off) return "object header continuation of impossible size " + std::to_string(len);
            if (seen.size() < 4096 && seen.insert(off).second)
                if (std::string why = v1_chunk(f, off, off + len, seen); !why.empty()) return why;
        }
        p += 8 + size;
    }
    return "";
}

// A version-1 object header at `at` (version 1, reserved, message count 2, reference count 4,
// header size 4, padding 4); other versions are checked by their "OHDR" signature.
std::string v1_header(const Bytes& f, std::uint64_t at, std::set<std::size_t>& seen)
{
    if (at >= f.size()) return "object header outside the file";
    if (at + 16 > f.size() || f.u8(at) != 1) return "";
    const std::uint64_t size = f.le(at + 8, 4);
    if (size > f.size() - at - 16) return "object header of impossible size " + std::to_string(size);
    return v1_chunk(f, at + 16, at + 16 + size, seen);
}

// Version-2 object header: "OHDR", 2, flags, [4 times], [2 attribute phase values], the size
// of chunk 0 in 1, 2, 4 or 8 bytes (flags bits 0-1), then messages: type (1), size (2),
// flags (1), [creation order (2) with flags bit 2].
std::string v2_header(const Bytes& f, std::size_t at)
{
    const std::size_t n = f.size();
    if (at + 6 > n) return "truncated object header";
    const unsigned flags = f.u8(at + 5);
    std::size_t p = at + 6 + ((flags & 0x20) ? 16 : 0) + ((flags & 0x10) ? 4 : 0);
    const std::size_t width = std::size_t(1) << (flags & 3);
    if (p + width > n) return "truncated object header";
    const std::uint64_t size = f.le(p, width);
    p += width;
    if (size > n - p) return "object header chunk of impossible size " + std::to_string(size);
    const std::size_t end = p + static_cast<std::size_t>(size), head = (flags & 0x04) ? 6 : 4;
    while (p + head <= end) {
        const std::size_t msg = static_cast<std::size_t>(f.le(p + 1, 2));
        if (msg > end - p - head) return "object header message larger than its chunk";
        if (f.u8(p) == 0x0C)
            if (std::string why = attribute_message(f, p + head, msg); !why.empty()) return why;
        if (f.u8(p) == 0x11)
            if (std::string why = symbol_table_message(f, p + head, msg); !why.empty()) return why;
        if (f.u8(p) == 0x10) {
            if (msg < 16) return "short continuation message";
            const std::uint64_t off = f.le(p + head, 8), len = f.le(p + head + 8, 8);
            if (off > n || len > n - off) return "object header continuation of impossible size " + std::to_string(len);
        }
        p += head + msg;
    }
    return "";
}

// The superblock (versions 0-3): 8-byte offsets and lengths, base address 0, and the root
// object header's address.
std::string superblock(Bytes& f, std::uint64_t& root)
{
    const unsigned version = f.u8(8);
    std::size_t sizes = 0, base = 0, root_at = 0;
    if (version == 0 || version == 1) sizes = 13, base = version == 0 ? 24 : 28, root_at = base + 40;
    else if (version == 2 || version == 3) sizes = 9, base = 12, root_at = 36;
    else return "unknown superblock version " + std::to_string(version);
    if (root_at + 8 > f.size()) return "truncated superblock";
    if (f.u8(sizes) != 8 || f.u8(sizes + 1) != 8) return "superblock with offsets or lengths other than 8 bytes";
    if (f.le(base, 8) != 0) return "superblock with a non-zero base address";
    // Versions 0 and 1: the driver information block (multi-file layouts only; h5py never
    // writes one) carries a size HDF5 allocates before checking it.
    if (version <= 1 && f.le(base + 24, 8) != ~std::uint64_t(0)) return "superblock with a driver information block, which elman does not read";
    // A group B-tree node (H5Bcache.c): 24-byte header, 2K + 1 keys and 2K children of 8
    // bytes, K = the group internal node K (versions 0-1; later versions use other indexes).
    const std::uint64_t k = version <= 1 ? f.le(18, 2) : 16;
    f.btree_node = 24 + (2 * k + 1) * 8 + 2 * k * 8;
    root = f.le(root_at, 8);
    return "";
}

}  // namespace

std::string hdf5_damage(const std::string& bytes)
{
    Bytes f{bytes};
    if (bytes.size() < 96) return "truncated superblock";
    std::uint64_t root = 0;
    if (std::string why = superblock(f, root); !why.empty()) return why;
    // Global heaps first: attribute values point into them.
    std::string why = f.each("GCOL\x01\0\0\0", 8, [&](std::size_t at) { return global_heap(f, at); });
    if (!why.empty()) return why;
    std::set<std::size_t> seen;
    if (std::string w = v1_header(f, root, seen); !w.empty()) return "root " + w;
    // Every other version-1 object header is named by a symbol table entry of a group's
    // symbol table node: "SNOD", version 1, reserved, symbol count (2), then 40-byte entries
    // (link name offset 8, object header address 8, cache type 4, reserved 4, scratch 16).
    why = f.each("SNOD\x01", 5, [&](std::size_t at) -> std::string {
        if (at + 8 > f.size()) return "truncated symbol table node";
        const std::size_t count = static_cast<std::size_t>(f.le(at + 6, 2));
        if (count * 40 > f.size() - at - 8) return "symbol table node of impossible size";
        for (std::size_t i = 0; i < count; ++i)
            if (std::string w = v1_header(f, f.le(at + 8 + 40 * i + 8, 8), seen); !w.empty()) return w;
        return "";
    });
    if (!why.empty()) return why;
    why = f.each("OHDR\x02", 5, [&](std::size_t at) { return v2_header(f, at); });
    if (!why.empty()) return why;
    return f.each("HEAP\0", 5, [&](std::size_t at) { return local_heap(f, at); });
}

}  // namespace elman::detail
