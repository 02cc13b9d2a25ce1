#include "io/detail/hdf5.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "core/error.hpp"
#include "io/detail/hdf5_check.hpp"

namespace elman::detail {

namespace {

static_assert(std::is_same_v<hid_t, std::int64_t>, "HDF5 >= 1.10: hid_t is a 64-bit integer");

// Closes an HDF5 identifier with the function of its kind when it goes out of scope.
class Handle {
public:
    Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    ~Handle()
    {
        if (id_ >= 0) close_(id_);
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    hid_t get() const { return id_; }
    bool ok() const { return id_ >= 0; }

private:
    hid_t id_;
    herr_t (*close_)(hid_t);
};

// The library prints its error stack to stderr by default; elman reports errors itself.
void quiet_hdf5()
{
    static const bool done = [] {
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        return true;
    }();
    (void)done;
}

std::vector<std::string> split_path(const std::string& path)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t slash = path.find('/', start);
        const std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (!part.empty()) parts.push_back(part);
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return parts;
}

// "a/b" with its components joined again (no leading or doubled slashes); "." for the root.
std::string clean(const std::string& path)
{
    std::string out;
    for (const std::string& p : split_path(path)) out += (out.empty() ? "" : "/") + p;
    return out.empty() ? "." : out;
}

}  // namespace

bool looks_like_hdf5(const std::string& bytes)
{
    static const char sig[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
    return bytes.size() >= 8 && std::memcmp(bytes.data(), sig, 8) == 0;
}

Hdf5Reader::Hdf5Reader(const std::string& bytes, std::string shown) : shown_(std::move(shown)), file_size_(bytes.size())
{
    quiet_hdf5();
    if (!looks_like_hdf5(bytes)) throw Error(shown_ + ": not an HDF5 file (no HDF5 signature at its start)");
    // The smallest superblock (version 0) with its root group entry is 96 bytes.
    if (bytes.size() < 96) throw Error(shown_ + ": truncated HDF5 file (" + std::to_string(bytes.size()) + " bytes)");
    if (const std::string why = hdf5_damage(bytes); !why.empty()) throw Error(shown_ + ": damaged HDF5 file (" + why + ")");
    // The core (memory) driver opened on a copy of the image, read-only. Not H5LTopen_file_image:
    // in HDF5 1.10 its callback data leaks (LeakSanitizer, found by fuzz_keras_h5) with the
    // flags that avoid the copy, and it needs the high-level library for nothing more.
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    if (!fapl.ok() || H5Pset_fapl_core(fapl.get(), 1 << 16, 0) < 0 || H5Pset_file_image(fapl.get(), const_cast<char*>(bytes.data()), bytes.size()) < 0)
        throw Error(shown_ + ": cannot hand the file's bytes to the HDF5 library");
    file_ = H5Fopen("elman-in-memory.h5", H5F_ACC_RDONLY, fapl.get());
    if (file_ < 0) throw Error(shown_ + ": damaged or truncated HDF5 file (the HDF5 library cannot open it)");
}

Hdf5Reader::~Hdf5Reader()
{
    if (file_ >= 0) H5Fclose(file_);
}

void Hdf5Reader::fail(const std::string& what) const
{
    throw Error(shown_ + ": " + what);
}

std::int64_t Hdf5Reader::open_object(const std::string& path) const
{
    std::string prefix;
    for (const std::string& part : split_path(path)) {
        prefix += (prefix.empty() ? "" : "/") + part;
        if (H5Lexists(file_, prefix.c_str(), H5P_DEFAULT) <= 0) return -1;
    }
    return H5Oopen(file_, clean(path).c_str(), H5P_DEFAULT);
}

bool Hdf5Reader::has_group(const std::string& path) const
{
    Handle o(open_object(path), H5Oclose);
    return o.ok() && H5Iget_type(o.get()) == H5I_GROUP;
}

bool Hdf5Reader::has_dataset(const std::string& path) const
{
    Handle o(open_object(path), H5Oclose);
    return o.ok() && H5Iget_type(o.get()) == H5I_DATASET;
}

bool Hdf5Reader::has_attribute(const std::string& object, const std::string& name) const
{
    Handle o(open_object(object), H5Oclose);
    return o.ok() && H5Aexists(o.get(), name.c_str()) > 0;
}

std::vector<std::string> Hdf5Reader::children(const std::string& path) const
{
    Handle g(open_object(path), H5Oclose);
    if (!g.ok() || H5Iget_type(g.get()) != H5I_GROUP) fail("no group '" + path + "'");
    H5G_info_t info;
    if (H5Gget_info(g.get(), &info) < 0) fail("cannot list group '" + path + "'");
    std::vector<std::string> names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t n = H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (n < 0 || n > 65535) fail("cannot read a link name in group '" + path + "'");
        std::string name(static_cast<std::size_t>(n) + 1, '\0');
        H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
        name.resize(static_cast<std::size_t>(n));
        names.push_back(name);
    }
    return names;
}

std::vector<std::string> Hdf5Reader::strings(const std::string& object, const std::string& name) const
{
    const std::string what = "attribute '" + name + "' of '" + (object.empty() ? "/" : object) + "'";
    Handle o(open_object(object), H5Oclose);
    if (!o.ok() || H5Aexists(o.get(), name.c_str()) <= 0) fail("no " + what);
    Handle a(H5Aopen(o.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
    Handle type(a.ok() ? H5Aget_type(a.get()) : -1, H5Tclose);
    Handle space(a.ok() ? H5Aget_space(a.get()) : -1, H5Sclose);
    if (!a.ok() || !type.ok() || !space.ok()) fail("cannot open " + what);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    const hssize_t count = H5Sget_simple_extent_npoints(space.get());
    if (rank < 0 || rank > 1 || count < 0) fail(what + " is not a scalar or a list");
    if (count == 0) return {};  // h5py writes an empty Python list as an empty float array
    if (H5Tget_class(type.get()) != H5T_STRING) fail(what + " does not hold strings");
    const std::size_t n = static_cast<std::size_t>(count);
    std::vector<std::string> out;
    if (H5Tis_variable_str(type.get()) > 0) {
        Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(mem.get(), H5T_VARIABLE);
        H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
        if (n > (1u << 24)) fail(what + " has " + std::to_string(n) + " strings");
        std::vector<char*> buf(n, nullptr);
        if (H5Aread(a.get(), mem.get(), buf.data()) < 0) fail("cannot read " + what);
        for (char* s : buf) out.emplace_back(s ? s : "");
        H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, buf.data());
        return out;
    }
    const std::size_t size = H5Tget_size(type.get());
    // An attribute lives in its object's header: it cannot be larger than the file.
    if (size == 0 || size > (std::size_t(1) << 30) / n) fail(what + " is implausibly large");
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), size);
    H5Tset_strpad(mem.get(), H5T_STR_NULLPAD);
    std::string buf(n * size, '\0');
    if (H5Aread(a.get(), mem.get(), buf.data()) < 0) fail("cannot read " + what);
    for (std::size_t i = 0; i < n; ++i) {
        std::string s = buf.substr(i * size, size);
        s.resize(std::strlen(s.c_str()));
        if (H5Tget_strpad(type.get()) == H5T_STR_SPACEPAD)
            while (!s.empty() && s.back() == ' ') s.pop_back();
        out.push_back(s);
    }
    return out;
}

Shape Hdf5Reader::dataset_shape(const std::string& path) const
{
    Handle o(open_object(path), H5Oclose);
    if (!o.ok() || H5Iget_type(o.get()) != H5I_DATASET) fail("no dataset '" + path + "'");
    Handle space(H5Dget_space(o.get()), H5Sclose);
    const int rank = space.ok() ? H5Sget_simple_extent_ndims(space.get()) : -1;
    if (rank < 0 || rank > 32) fail("dataset '" + path + "' has no simple shape");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    return Shape(dims.begin(), dims.end());
}

template <class T>
Tensor<T> Hdf5Reader::read(const std::string& path) const
{
    const Shape shape = dataset_shape(path);
    Handle d(open_object(path), H5Oclose);
    Handle type(H5Dget_type(d.get()), H5Tclose);
    if (!type.ok() || H5Tget_class(type.get()) != H5T_FLOAT)
        fail("dataset '" + path + "' does not hold floating-point numbers (quantized or integer weights are not supported)");
    const std::size_t item = H5Tget_size(type.get());
    std::size_t n = 1;
    for (std::size_t dim : shape) {
        if (dim != 0 && n > (std::size_t(1) << 31) / dim) fail("dataset '" + path + "' is implausibly large: " + shape_str(shape));
        n *= dim;
    }
    // Keras writes datasets contiguous and uncompressed: more values than the file has bytes is
    // a damaged size, not data (and would allocate whatever the file claims).
    if (n > file_size_) fail("dataset '" + path + "' claims " + std::to_string(n) + " values of " + std::to_string(item) + " bytes in a file of " +
                             std::to_string(file_size_) + " bytes");
    Tensor<T> t = Tensor<T>::from_shape(shape);
    if (n == 0) return t;
    const hid_t mem = std::is_same_v<T, float> ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
    if (H5Dread(d.get(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data()) < 0)
        fail("cannot read dataset '" + path + "' (damaged or truncated file)");
    return t;
}

Hdf5Writer::Hdf5Writer()
{
    quiet_hdf5();
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    // The core (memory) driver without a backing store: nothing is written to disk.
    if (!fapl.ok() || H5Pset_fapl_core(fapl.get(), 1 << 16, 0) < 0) throw Error("HDF5: cannot set up an in-memory file");
    file_ = H5Fcreate("elman-in-memory.h5", H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get());
    if (file_ < 0) throw Error("HDF5: cannot create an in-memory file");
}

Hdf5Writer::~Hdf5Writer()
{
    if (file_ >= 0) H5Fclose(file_);
}

void Hdf5Writer::group(const std::string& path)
{
    Handle g(H5Gcreate2(file_, clean(path).c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    if (!g.ok()) throw Error("HDF5: cannot create group '" + path + "'");
}

template <class T>
void Hdf5Writer::dataset(const std::string& path, const Tensor<T>& t)
{
    std::vector<hsize_t> dims(t.shape().begin(), t.shape().end());
    Handle space(dims.empty() ? H5Screate(H5S_SCALAR)
                              : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                 H5Sclose);
    const hid_t file_type = std::is_same_v<T, float> ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
    const hid_t mem_type = std::is_same_v<T, float> ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
    Handle d(H5Dcreate2(file_, clean(path).c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
             H5Dclose);
    if (!d.ok()) throw Error("HDF5: cannot create dataset '" + path + "'");
    const Tensor<T> c = t;  // contiguous, row-major
    if (c.size() && H5Dwrite(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, c.data()) < 0)
        throw Error("HDF5: cannot write dataset '" + path + "'");
}

void Hdf5Writer::string_attribute(const std::string& object, const std::string& name, const std::string& value)
{
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle a(H5Acreate_by_name(file_, clean(object).c_str(), name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                               H5P_DEFAULT, H5P_DEFAULT),
             H5Aclose);
    const char* p = value.c_str();
    if (!a.ok() || H5Awrite(a.get(), type.get(), &p) < 0) throw Error("HDF5: cannot write attribute '" + name + "'");
}

std::string Hdf5Writer::image() const
{
    if (H5Fflush(file_, H5F_SCOPE_GLOBAL) < 0) throw Error("HDF5: cannot flush the in-memory file");
    const ssize_t n = H5Fget_file_image(file_, nullptr, 0);
    if (n <= 0) throw Error("HDF5: cannot get the file image");
    std::string bytes(static_cast<std::size_t>(n), '\0');
    if (H5Fget_file_image(file_, bytes.data(), bytes.size()) != n) throw Error("HDF5: cannot copy the file image");
    return bytes;
}

template Tensor<float> Hdf5Reader::read(const std::string&) const;
template Tensor<double> Hdf5Reader::read(const std::string&) const;
template void Hdf5Writer::dataset(const std::string&, const Tensor<float>&);
template void Hdf5Writer::dataset(const std::string&, const Tensor<double>&);

}  // namespace elman::detail
