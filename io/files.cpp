#include "io/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"

namespace elman {

namespace {

namespace fs = std::filesystem;

std::string errno_str() { return std::strerror(errno); }

// Writes all of `bytes` to fd, then fsyncs; closes fd in every case.
void write_and_sync(int fd, const std::string& path, const std::string& bytes)
{
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string e = errno_str();
            ::close(fd);
            throw Error("cannot write " + path + ": " + e);
        }
        done += static_cast<std::size_t>(n);
    }
    // The data must be on disk before a rename publishes it.
    if (::fsync(fd) != 0) {
        const std::string e = errno_str();
        ::close(fd);
        throw Error("cannot fsync " + path + ": " + e);
    }
    if (::close(fd) != 0) throw Error("cannot close " + path + ": " + errno_str());
}

}  // namespace

std::string read_file_bytes(const std::string& path, std::size_t limit)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) throw Error(path + ": no such file");
        throw Error(path + ": cannot open: " + errno_str());
    }
    if (S_ISDIR(st.st_mode)) throw Error(path + ": is a directory, expected a file");
    if (static_cast<std::size_t>(st.st_size) > limit)
        throw Error(path + ": larger than " + std::to_string(limit) + " bytes");
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(path + ": cannot open: " + errno_str());
    std::string bytes;
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const std::string e = errno_str();
            ::close(fd);
            throw Error(path + ": cannot read: " + e);
        }
        if (n == 0) break;
        if (bytes.size() + static_cast<std::size_t>(n) > limit) {
            ::close(fd);
            throw Error(path + ": larger than " + std::to_string(limit) + " bytes");
        }
        bytes.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return bytes;
}

void write_new_file(const std::string& path, const std::string& bytes)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) throw Error("cannot create " + path + ": " + errno_str());
    write_and_sync(fd, path, bytes);
}

void fsync_directory(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw Error("cannot open directory " + path + ": " + errno_str());
    const int rc = ::fsync(fd);
    const std::string e = rc != 0 ? errno_str() : "";
    ::close(fd);
    if (rc != 0) throw Error("cannot fsync directory " + path + ": " + e);
}

void replace_file_atomically(const std::string& path, const std::string& bytes)
{
    if (path.empty()) throw Error("cannot write a file with an empty name");
    const fs::path target(path);
    std::error_code ec;
    if (fs::is_directory(target, ec)) throw Error(path + ": is a directory, expected a file name");
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    if (!fs::is_directory(dir, ec)) throw Error(path + ": directory " + dir.string() + " does not exist");
    std::string tmpl = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
    const int fd = ::mkstemp(tmpl.data());
    if (fd < 0) throw Error("cannot create a temporary file next to " + path + ": " + errno_str());
    ::fchmod(fd, 0644);
    try {
        write_and_sync(fd, tmpl, bytes);
        if (::rename(tmpl.c_str(), path.c_str()) != 0) throw Error("cannot rename " + tmpl + " to " + path + ": " + errno_str());
    } catch (...) {
        ::unlink(tmpl.c_str());
        throw;
    }
    fsync_directory(dir.string());
}

}  // namespace elman
