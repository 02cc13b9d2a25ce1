// Any model file elman reads or writes, chosen by path: a checkpoint directory
// (io/checkpoint.hpp), a .keras archive or .h5/.hdf5 file (io/keras.hpp, read by content), an
// .onnx file (io/onnx.hpp). What `elman predict --model`, `elman convert` and `elman summary
// --model` accept.
#pragma once

#include <string>

#include "layers/sequential.hpp"

namespace elman {

enum class ModelFormat { checkpoint, keras, h5, onnx };

// The format `path` names: an existing directory or a name without extension is a checkpoint;
// otherwise by extension (.keras, .h5 / .hdf5, .onnx). Throws Error naming the path for any
// other extension.
ModelFormat model_format(const std::string& path);

// "checkpoint directory", ".keras", ".h5", ".onnx"
std::string to_string(ModelFormat f);

// The model at `path`, built, with its weights (ONNX: import_onnx; see its report for layouts).
template <class T>
Sequential<T> load_model_file(const std::string& path);

// Writes `model` to `path` in the format its name says: checkpoint directory, .keras or .onnx
// (atomically). .h5 is read-only: an Error says to write .keras instead.
template <class T>
void save_model_file(const std::string& path, const Sequential<T>& model);

}  // namespace elman
