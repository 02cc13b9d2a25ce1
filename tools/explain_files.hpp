// The two file operations of `elman explain` that io/ (issue 13: io/npy.hpp, io/files.hpp) will
// provide for every command. Until that lands they live here; then each is one call:
// load_npy<double>(path, {.convert = true, .finite = false}) and replace_file_atomically.
#pragma once

#include <string>

#include "core/tensor.hpp"

namespace elman {

// The float32 ('<f4') or float64 ('<f8') array of the .npy file at `path` (format versions 1-3,
// C order), as float64. Everything is checked before the data is used: magic, header, dtype,
// order, shape syntax, data length. Throws elman::Error "PATH: ..." naming what is wrong.
// Non-finite values are kept (the caller names the one it would use).
Tensor<double> explain_read_npy(const std::string& path);

// Replaces (or creates) the file at `path` with `bytes`: written to a temporary file in the
// same directory, fsync'ed, renamed over `path`, and the directory fsync'ed. On any error the
// temporary is removed and `path` is untouched. Throws elman::Error naming the path.
void explain_replace_file(const std::string& path, const std::string& bytes);

}  // namespace elman
