// The library's errors in the command line's words. The library (io/, datasets/) names what a
// C++ caller changes (OnnxImportOptions::output, KerasSaveOptions::batch_size,
// load_keras_weights); on the command line the same advice names a flag, or what to do with
// the file. main() passes every error through cli_wording before printing it.
#pragma once

#include <string>

namespace elman::cli {

// `message` with each C++ hint the CLI cannot act on replaced by the CLI's:
//   "choose it with OnnxImportOptions::output"        -> "choose one with --onnx-output NAME"
//   "give KerasSaveOptions::batch_size"                -> "give it with --batch-size N"
//   "load it into a model with load_keras_weights"     -> what to save in Keras instead
//   "... OnnxImportOptions::constants"                 -> weights must be in the file
// Other messages are returned unchanged.
std::string cli_wording(std::string message);

}  // namespace elman::cli
