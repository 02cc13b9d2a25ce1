// ONNX out and in (Debian's libonnx-dev: its protobuf classes and checker).
//
// export_onnx writes opset 14, one node chain per layer:
//   SimpleRNN   Transpose [B,T,F] -> [T,B,F] (perm 1,0,2; layout = 0, because onnxruntime's CPU
//               kernel refuses layout = 1), one RNN node with W = kernelᵀ [1,U,F],
//               R = recurrent_kernelᵀ [1,U,U], B = [bias, 0] [1,2U], activations Tanh / Relu /
//               Sigmoid / Affine(alpha 1, beta 0) for linear; go_backwards -> direction
//               "reverse". return_sequences: Y [T,1,B,U] -> Squeeze(1) -> (reverse: Slice
//               with step -1 along time, since ONNX returns a reverse RNN's sequence in input
//               order and Keras in processing order) -> Transpose -> [B,T,U]; otherwise
//               Y_h [1,B,U] -> Squeeze(0) -> [B,U]. A stateful layer gets a graph input
//               "<layer>/initial_state" [B,U] and an output "<layer>/state" [B,U] to carry.
//   LSTM        the same around one LSTM node: W = kernelᵀ [1,4U,F], R = recurrent_kernelᵀ
//               [1,4U,U] and B = [bias, 0] [1,8U], each with its gate blocks reordered from
//               Keras' i, f, c, o to ONNX's i, o, f, c; activations [recurrent_activation,
//               activation, activation]. A stateful LSTM gets inputs "<layer>/initial_state_h"
//               and "_c" [B,U] and outputs "<layer>/state_h" and "_c".
//   GRU         the same around one GRU node: W = kernelᵀ [1,3U,F], R = recurrent_kernelᵀ
//               [1,3U,U] (Keras' gates z, r, h are ONNX's order too), B = [bias[0], bias[1]]
//               [1,6U] and linear_before_reset = 1 for reset_after, B = [bias, 0] and
//               linear_before_reset = 0 without; activations [recurrent_activation, activation]
//   activations Tanh, Relu, Sigmoid, Affine(1, 0) for linear, HardSigmoid(1/6, 0.5) for Keras 3's
//               hard_sigmoid and (0.2, 0.5) for Keras 2's
//   Dense       Gemm on [B,F]; MatMul + Add on [B,T,F]; then its activation node (Softmax on the
//               last axis)
//   TimeDistributed(Dense)  as Dense on [B,T,F];  Flatten  Flatten(axis 1);  Dropout  nothing
// The graph's input is "input" [batch, timesteps, features] (batch first, as Keras), its
// output "output". Every exported model passes onnx::checker and strict shape inference.
//
// import_onnx reads plain recurrent graphs: RNN, GRU and LSTM (forward, or reverse whose
// sequence is flipped back; an LSTM without peepholes, input_forget or a used Y_c, g = h), Gemm,
// MatMul + Add, Tanh/Relu/Sigmoid/HardSigmoid/Softmax after them, Flatten, Transpose, Squeeze,
// Gather of the single direction, Identity and Dropout, with PyTorch's zero initial_h /
// initial_c subgraphs (ConstantOfShape, Expand). That covers what elman and torch.onnx.export of
// nn.RNN / nn.GRU / nn.LSTM / nn.Linear write, and ONNX's own RNN and LSTM node tests. A GRU with
// linear_before_reset = 1 becomes reset_after = true (bias [Wb; Rb]), with 0 reset_after = false
// (bias Wb + Rb). Anything else is an Error naming the node and op.
#pragma once

#include <map>
#include <string>

#include "layers/sequential.hpp"

namespace elman {

// Writes `model` (built) as an ONNX file at `path` (replaced atomically). Throws Error naming a
// layer ONNX export does not cover, or the checker's complaint.
template <class T>
void export_onnx(const std::string& path, const Sequential<T>& model);

template <class T>
struct OnnxImportOptions {
    // Values for graph inputs that hold weights rather than data (ONNX's node tests feed W, R
    // and B as inputs): input name -> tensor.
    std::map<std::string, Tensor<T>> constants;
    // The graph output to import when the graph has several (e.g. "Y_h" of a graph returning
    // both Y and Y_h); empty: the graph must have exactly one.
    std::string output;
};

// How the imported model's arrays relate to the graph's own (elman models are batch first).
struct OnnxImportReport {
    std::string input_name, output_name;
    // The graph takes [T,B,F] (an RNN with layout 0 and no Transpose before it): give elman
    // the same data as [B,T,F].
    bool input_time_major = false;
    // The graph's output is time major or carries ONNX's direction axis ([T,1,B,U], [1,B,U],
    // [T,B,U]); elman returns [B,T,U] or [B,U].
    bool output_time_major = false;
};

// The model in the ONNX file at `path`. Throws Error "PATH: ..." naming the node and the reason
// (not ONNX, unsupported op or attribute, weights that are not constants).
template <class T>
Sequential<T> import_onnx(const std::string& path, const OnnxImportOptions<T>& options = {},
                          OnnxImportReport* report = nullptr);

// A serialized onnx.TensorProto file (the input_N.pb / output_N.pb of ONNX's test data sets),
// float or double, as a Tensor. Throws Error naming the file.
template <class T>
Tensor<T> load_onnx_tensor(const std::string& path);

}  // namespace elman
