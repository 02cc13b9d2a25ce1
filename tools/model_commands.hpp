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

#include "layers/sequential.hpp"

namespace elman::tools {

struct ArrayPredictArgs {
    std::string model, input, output;
    std::size_t batch_size = 256;
    std::string onnx_output;  // the graph output to run, for an .onnx model with several (--onnx-output)
};

struct ConvertArgs {
    std::string in, out;
    std::string onnx_output;    // the graph output to import from an .onnx IN with several (--onnx-output)
    std::size_t batch_size = 0; // the batch size a .keras OUT records (--batch-size; 0: any, or a
                                // stateful layer's own)
    bool state_io = false;      // write a stateful layer's state as ONNX graph input and output (--state-io)
};

// Runs the model on X ([N,T,F] or [N,F], float32 or float64 .npy) and writes Y (the same
// dtype) atomically. Returns the line to print: "Y.npy: [N,1] float32 from model.keras".
std::string predict_array(const ArrayPredictArgs& args);

// Reads IN and writes OUT, each in the format its name says. Returns the line to print.
// Refuses IN == OUT, and an .onnx OUT of a model with a stateful layer unless state_io: its
// graph would carry the state as a second input and output, which elman cannot read back.
std::string convert_model(const ConvertArgs& args);

// The Keras-style summary of the model at `path`, headed by its file and format; `onnx_output`
// picks the output of an .onnx graph with several.
std::string summarize_model(const std::string& path, const std::string& onnx_output = "");

// The model file at `path` (io/model_file.hpp), an .onnx graph imported at output
// `onnx_output` (empty: its only one).
template <class T>
Sequential<T> read_model_file(const std::string& path, const std::string& onnx_output);

}  // namespace elman::tools
