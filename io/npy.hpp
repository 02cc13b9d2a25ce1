// numpy's .npy files (format versions 1-3, little-endian, C order): the carrier of every weight
// in a checkpoint and of the arrays `elman predict` reads and writes. The format is numpy's
// NEP 1 (numpy/lib/format.py): the magic "\x93NUMPY", a version, a header dict
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with spaces, then the data.
//
// Reading validates everything before any data is touched (magic, header, dtype, order, shape
// syntax, data length, finite values), so a truncated or foreign file is an elman::Error naming
// it, never a crash or a silent wrong array.
#pragma once

#include <string>

#include "core/tensor.hpp"

namespace elman {

struct NpyReadOptions {
    // Accept both float32 ('<f4') and float64 ('<f8') data and convert to T; false: the file's
    // dtype must be T's exactly.
    bool convert = false;
    // Reject NaN and inf (the error names the flat index of the first one).
    bool finite = true;
};

// The array in `bytes`, the contents of a .npy file. `shown` names the file in errors, e.g.
// "file weights/dense__kernel.npy" gives "file weights/dense__kernel.npy is truncated: ...".
template <class T>
Tensor<T> parse_npy(const std::string& bytes, const std::string& shown, NpyReadOptions options = {});

// The array in the .npy file at `path` (float32 or float64, converted to T). Throws Error
// "PATH: ..." when the file is missing, unreadable or not a valid float .npy file.
template <class T>
Tensor<T> load_npy(const std::string& path, NpyReadOptions options = {.convert = true});

// The dtype descriptor of the .npy file at `path` ("<f4", "<f8", ...), read from its header.
// Throws Error "PATH: ..." when the file is missing or not a .npy file.
std::string npy_descr_of(const std::string& path);

// The bytes of a version-1 .npy file holding t ('<f4' for float, '<f8' for double).
template <class T>
std::string npy_bytes(const Tensor<T>& t);

// Writes t to `path` atomically: a temporary file next to it, fsync'ed, then renamed over it,
// so an existing file is replaced whole or not at all. Throws Error naming the path.
template <class T>
void save_npy(const std::string& path, const Tensor<T>& t);

}  // namespace elman
