// Zip archives through libzip (Debian's libzip-dev), in memory: reading the entries of a
// .keras file and writing one. Internal to io/.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace elman::detail {

// True when `bytes` starts like a zip archive (a local file header or an empty archive's end
// record).
bool looks_like_zip(const std::string& bytes);

class ZipReader {
public:
    // Opens the archive held in `bytes` (which must outlive the reader), checking its
    // consistency. `shown` names the file in errors. Throws Error "<shown>: not a zip archive"
    // or "<shown>: damaged or truncated zip archive (libzip: ...)".
    ZipReader(const std::string& bytes, std::string shown);
    ~ZipReader();
    ZipReader(const ZipReader&) = delete;
    ZipReader& operator=(const ZipReader&) = delete;

    std::vector<std::string> names() const;
    bool has(const std::string& name) const;
    // The uncompressed contents of entry `name` (at most `limit` bytes). Throws Error naming
    // the entry when it is missing, too large or fails its CRC check.
    std::string read(const std::string& name, std::size_t limit = std::size_t(1) << 32) const;

private:
    std::string shown_;
    void* zip_ = nullptr;
};

// An archive of (name, contents) entries stored without compression, in the order given (as
// Python's zipfile.ZipFile(f, "w") writes them by default), as bytes.
std::string make_zip(const std::vector<std::pair<std::string, std::string>>& entries);

}  // namespace elman::detail
