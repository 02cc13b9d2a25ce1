#include "io/detail/zip.hpp"

#include <zip.h>

#include <cstring>
#include <ctime>
#include <memory>

#include "core/error.hpp"

namespace elman::detail {

namespace {

zip_t* za(void* p) { return static_cast<zip_t*>(p); }

std::string error_text(zip_error_t* e)
{
    const char* s = zip_error_strerror(e);
    return s ? s : "unknown error";
}

}  // namespace

bool looks_like_zip(const std::string& bytes)
{
    return bytes.size() >= 4 && (bytes.compare(0, 4, "PK\x03\x04") == 0 || bytes.compare(0, 4, "PK\x05\x06") == 0);
}

ZipReader::ZipReader(const std::string& bytes, std::string shown) : shown_(std::move(shown))
{
    if (!looks_like_zip(bytes)) throw Error(shown_ + ": not a zip archive (a .keras file is a zip; no zip signature at its start)");
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
    if (!src) {
        const std::string e = error_text(&err);
        zip_error_fini(&err);
        throw Error(shown_ + ": cannot read the zip archive (libzip: " + e + ")");
    }
    zip_t* z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (!z) {
        zip_source_free(src);
        const std::string e = error_text(&err);
        zip_error_fini(&err);
        throw Error(shown_ + ": damaged or truncated zip archive (libzip: " + e + ")");
    }
    zip_error_fini(&err);
    zip_ = z;
}

ZipReader::~ZipReader()
{
    if (zip_) zip_discard(za(zip_));
}

std::vector<std::string> ZipReader::names() const
{
    std::vector<std::string> out;
    const zip_int64_t n = zip_get_num_entries(za(zip_), 0);
    for (zip_int64_t i = 0; i < n; ++i) {
        const char* name = zip_get_name(za(zip_), static_cast<zip_uint64_t>(i), 0);
        if (name) out.emplace_back(name);
    }
    return out;
}

bool ZipReader::has(const std::string& name) const
{
    return zip_name_locate(za(zip_), name.c_str(), 0) >= 0;
}

std::string ZipReader::read(const std::string& name, std::size_t limit) const
{
    const std::string what = shown_ + ": entry '" + name + "'";
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(za(zip_), name.c_str(), 0, &st) != 0) throw Error(what + " is missing from the archive");
    if (!(st.valid & ZIP_STAT_SIZE) || st.size > limit)
        throw Error(what + " is larger than " + std::to_string(limit) + " bytes");
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> f(zip_fopen(za(zip_), name.c_str(), 0), zip_fclose);
    if (!f) throw Error(what + " cannot be opened (libzip: " + error_text(zip_get_error(za(zip_))) + ")");
    std::string out(static_cast<std::size_t>(st.size), '\0');
    std::size_t done = 0;
    while (done < out.size()) {
        const zip_int64_t n = zip_fread(f.get(), out.data() + done, out.size() - done);
        if (n < 0) throw Error(what + " is damaged (libzip: " + error_text(zip_file_get_error(f.get())) + ")");
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    if (done != out.size()) throw Error(what + " is truncated: " + std::to_string(done) + " of " + std::to_string(out.size()) + " bytes");
    // Reading past the end makes libzip check the CRC of the whole entry.
    char extra;
    if (zip_fread(f.get(), &extra, 1) != 0) throw Error(what + " is damaged (CRC or size mismatch)");
    return out;
}

std::string make_zip(const std::vector<std::pair<std::string, std::string>>& entries)
{
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* mem = zip_source_buffer_create(nullptr, 0, 0, &err);
    if (!mem) throw Error("zip: cannot create an in-memory archive (libzip: " + error_text(&err) + ")");
    zip_t* z = zip_open_from_source(mem, ZIP_TRUNCATE, &err);
    if (!z) {
        zip_source_free(mem);
        throw Error("zip: cannot create an in-memory archive (libzip: " + error_text(&err) + ")");
    }
    zip_source_keep(mem);  // still ours after zip_close: its buffer is the archive
    const auto fail = [&](const std::string& why) {
        const std::string e = error_text(zip_get_error(z));
        zip_discard(z);
        zip_source_free(mem);
        throw Error("zip: " + why + " (libzip: " + e + ")");
    };
    for (const auto& [name, data] : entries) {
        zip_source_t* s = zip_source_buffer(z, data.data(), data.size(), 0);
        if (!s) fail("cannot add " + name);
        const zip_int64_t idx = zip_file_add(z, name.c_str(), s, ZIP_FL_ENC_UTF_8);
        if (idx < 0) {
            zip_source_free(s);
            fail("cannot add " + name);
        }
        zip_set_file_compression(z, static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0);
        zip_file_set_mtime(z, static_cast<zip_uint64_t>(idx), std::time(nullptr), 0);
    }
    if (zip_close(z) != 0) fail("cannot finish the archive");
    std::string out;
    if (zip_source_open(mem) == 0) {
        zip_source_seek(mem, 0, SEEK_END);
        const zip_int64_t size = zip_source_tell(mem);
        zip_source_seek(mem, 0, SEEK_SET);
        out.resize(size > 0 ? static_cast<std::size_t>(size) : 0);
        zip_int64_t got = out.empty() ? 0 : zip_source_read(mem, out.data(), out.size());
        zip_source_close(mem);
        if (got != size) out.clear();
    }
    zip_source_free(mem);
    if (out.empty()) throw Error("zip: cannot read back the in-memory archive");
    return out;
}

}  // namespace elman::detail
