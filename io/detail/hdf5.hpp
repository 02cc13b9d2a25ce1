// A thin reading and writing layer over the HDF5 C library (Debian's libhdf5-dev), for the
// Keras weight files: files are handled as in-memory images (the core driver with
// H5Pset_file_image to read, without a backing store to write), so a .keras archive's
// model.weights.h5 never touches the disk. Internal to io/ (not part of the installed API).
//
// Every HDF5 failure becomes an elman::Error naming the file and the object; the library's own
// error printing is switched off. The serial HDF5 library is not thread-safe: one reader or
// writer at a time per process.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace elman::detail {

// True when `bytes` starts with HDF5's format signature "\x89HDF\r\n\x1a\n" (at offset 0, where
// h5py and Keras put it).
bool looks_like_hdf5(const std::string& bytes);

class Hdf5Reader {
public:
    // Opens the image in `bytes`, which must outlive the reader. `shown` names the file in
    // errors. Throws Error "<shown>: not an HDF5 file" (no signature) or "<shown>: damaged or
    // truncated HDF5 file" when the library cannot open it.
    Hdf5Reader(const std::string& bytes, std::string shown);
    ~Hdf5Reader();
    Hdf5Reader(const Hdf5Reader&) = delete;
    Hdf5Reader& operator=(const Hdf5Reader&) = delete;

    // Whether `path` ("a/b/c", relative to the root) names a group / a dataset. Each
    // component is checked in turn, so a missing parent is false, not an error.
    bool has_group(const std::string& path) const;
    bool has_dataset(const std::string& path) const;
    bool has_attribute(const std::string& object, const std::string& name) const;
    // The names of the links in group `path` ("" for the root), in name order.
    std::vector<std::string> children(const std::string& path) const;
    // A string attribute: a scalar string or a 1-D array of strings, fixed- or variable-length
    // (h5py writes both, depending on the Python type). An empty array of any type is {}.
    std::vector<std::string> strings(const std::string& object, const std::string& name) const;
    // The dimensions of dataset `path`.
    Shape dataset_shape(const std::string& path) const;
    // A floating-point dataset (16, 32 or 64 bits) converted to T. Throws naming the dataset
    // for any other type.
    template <class T>
    Tensor<T> read(const std::string& path) const;

    const std::string& shown() const { return shown_; }

private:
    [[noreturn]] void fail(const std::string& what) const;
    std::int64_t open_object(const std::string& path) const;

    std::string shown_;
    std::size_t file_size_ = 0;
    std::int64_t file_ = -1;
};

class Hdf5Writer {
public:
    // An empty in-memory HDF5 file.
    Hdf5Writer();
    ~Hdf5Writer();
    Hdf5Writer(const Hdf5Writer&) = delete;
    Hdf5Writer& operator=(const Hdf5Writer&) = delete;

    // Creates group `path` ("a/b"); its parents must exist.
    void group(const std::string& path);
    // Creates dataset `path` holding t (IEEE little-endian float32 or float64, contiguous).
    template <class T>
    void dataset(const std::string& path, const Tensor<T>& t);
    // A scalar variable-length UTF-8 string attribute on `object`.
    void string_attribute(const std::string& object, const std::string& name, const std::string& value);
    // The bytes of the file as written so far (flushed).
    std::string image() const;

private:
    std::int64_t file_ = -1;
};

}  // namespace elman::detail
