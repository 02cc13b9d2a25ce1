#include "io/model_file.hpp"

#include <filesystem>

#include "core/error.hpp"
#include "io/checkpoint.hpp"
#include "io/keras.hpp"
#include "io/onnx.hpp"

namespace elman {

namespace {

bool ends_with(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

ModelFormat model_format(const std::string& path)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(path, ec)) return ModelFormat::checkpoint;
    if (ends_with(path, ".keras")) return ModelFormat::keras;
    if (ends_with(path, ".h5") || ends_with(path, ".hdf5")) return ModelFormat::h5;
    if (ends_with(path, ".onnx")) return ModelFormat::onnx;
    const fs::path p(path);
    if (!p.has_extension() || p.filename() == p.stem()) return ModelFormat::checkpoint;
    throw Error(path + ": unknown model file extension '" + p.extension().string() +
                "' (a checkpoint directory, .keras, .h5, .hdf5 or .onnx)");
}

std::string to_string(ModelFormat f)
{
    switch (f) {
    case ModelFormat::checkpoint: return "checkpoint directory";
    case ModelFormat::keras: return ".keras";
    case ModelFormat::h5: return ".h5";
    case ModelFormat::onnx: return ".onnx";
    }
    return "?";
}

template <class T>
Sequential<T> load_model_file(const std::string& path)
{
    switch (model_format(path)) {
    case ModelFormat::checkpoint: return load_model<T>(path);
    case ModelFormat::keras:
    case ModelFormat::h5: return load_keras<T>(path);
    case ModelFormat::onnx: return import_onnx<T>(path);
    }
    throw Error(path + ": unknown model format");
}

template <class T>
void save_model_file(const std::string& path, const Sequential<T>& model)
{
    switch (model_format(path)) {
    case ModelFormat::checkpoint: save_checkpoint(path, model); return;
    case ModelFormat::keras: save_keras(path, model); return;
    case ModelFormat::onnx: export_onnx(path, model); return;
    case ModelFormat::h5:
        throw Error(path + ": elman reads legacy .h5 files but does not write them (Keras 3 saves .keras; write that instead)");
    }
}

template Sequential<float> load_model_file<float>(const std::string&);
template Sequential<double> load_model_file<double>(const std::string&);
template void save_model_file<float>(const std::string&, const Sequential<float>&);
template void save_model_file<double>(const std::string&, const Sequential<double>&);

}  // namespace elman
