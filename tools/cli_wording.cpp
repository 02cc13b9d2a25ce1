#include "tools/cli_wording.hpp"

#include <utility>

namespace elman::cli {

std::string cli_wording(std::string message)
{
    // Library phrase -> CLI phrase; each phrase is the end of a sentence of io/'s messages.
    static const std::pair<const char*, const char*> table[] = {
        {"choose it with OnnxImportOptions::output", "choose one with --onnx-output NAME"},
        {"give KerasSaveOptions::batch_size", "give it with --batch-size N"},
        {"load it into a model with load_keras_weights",
         "elman reads whole models: save one in Keras with model.save('model.keras')"},
        {"(give inputs that hold weights in OnnxImportOptions::constants)",
         "(weights must be initializers in the file; a stateful layer's state input is not read)"},
        {"weights must be initializers, Constant nodes or given in OnnxImportOptions::constants",
         "weights must be initializers or Constant nodes of the file"},
    };
    for (const auto& [library, cli] : table)
        if (const auto at = message.find(library); at != std::string::npos)
            message.replace(at, std::string(library).size(), cli);
    return message;
}

}  // namespace elman::cli
