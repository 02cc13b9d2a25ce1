// The model-file subcommands of `elman`, kept out of tools/elman.cpp (which only parses):
//
//   elman predict --model PATH --input X.npy --output Y.npy   any model on an array
//   elman convert IN OUT                                      between model formats
//   elman summary --model PATH                                Keras' table with formulas
//
// PATH: a checkpoint directory, .keras, .h5 or .onnx (io/model_file.hpp). Errors are thrown
// as elman::Error; main() prints them as one line.
#pragma once

#include <cstddef>
#include <string>

namespace elman::tools {

struct ArrayPredictArgs {
    std::string model, input, output;
    std::size_t batch_size = 256;
};

// Runs the model on X ([N,T,F] or [N,F], float32 or float64 .npy) and writes Y (the same
// dtype) atomically. Returns the line to print: "Y.npy: [N,1] float32 from model.keras".
std::string predict_array(const ArrayPredictArgs& args);

// Reads IN and writes OUT, each in the format its name says. Returns the line to print.
std::string convert_model(const std::string& in, const std::string& out);

// The Keras-style summary of the model at `path`, headed by its file and format.
std::string summarize_model(const std::string& path);

}  // namespace elman::tools
