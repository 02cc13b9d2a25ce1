// Small file helpers shared by the writers in io/: reading a whole file with a size limit, and
// writing one so that a crash or an error never leaves a half-written file in the user's place.
#pragma once

#include <cstddef>
#include <string>

namespace elman {

// The whole contents of the regular file at `path`. Throws Error "PATH: no such file",
// "PATH: is a directory", "PATH: larger than LIMIT bytes" or "PATH: cannot read: <reason>".
std::string read_file_bytes(const std::string& path, std::size_t limit = std::size_t(1) << 32);

// Creates `path` (which must not exist) holding `bytes`, and fsyncs it. Throws Error naming
// the path and the reason.
void write_new_file(const std::string& path, const std::string& bytes);

// fsync of a directory, which makes the files created or renamed in it durable.
void fsync_directory(const std::string& path);

// Replaces (or creates) the file at `path` with `bytes` atomically: written and fsync'ed as a
// temporary file in the same directory, then renamed over `path`. On any error the temporary
// is removed and `path` is untouched.
void replace_file_atomically(const std::string& path, const std::string& bytes);

}  // namespace elman
