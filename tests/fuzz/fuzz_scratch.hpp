// A per-process scratch directory for the fuzz targets, which feed each input to the library's
// file readers (load_csv, load_model) by writing it to a file there. It lives on /dev/shm when
// that exists, so an execution costs a tmpfs write rather than a disk one.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace elman::fuzz {

inline const std::filesystem::path& scratch_dir()
{
    static const std::filesystem::path dir = [] {
        namespace fs = std::filesystem;
        std::error_code ec;
        const fs::path base = fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
        const fs::path d = base / ("elman-fuzz-" + std::to_string(::getpid()));
        fs::remove_all(d, ec);
        fs::create_directories(d);
        // Removed at normal exit; a crash leaves it for inspection.
        std::atexit([] {
            std::error_code e;
            fs::remove_all(scratch_dir(), e);
        });
        return d;
    }();
    return dir;
}

inline void write_bytes(const std::filesystem::path& path, const std::uint8_t* data, std::size_t size)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

}  // namespace elman::fuzz
