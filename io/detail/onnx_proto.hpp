// Tensors to and from onnx.TensorProto (ONNX's protobuf classes). Internal to io/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "core/tensor.hpp"

namespace elman::detail {

// p = t as FLOAT (float) or DOUBLE (double), little-endian raw_data.
template <class T>
void to_proto(onnx::TensorProto& p, const std::string& name, const Tensor<T>& t);

// An INT64 tensor of shape [values.size()].
void int64s_to_proto(onnx::TensorProto& p, const std::string& name, const std::vector<std::int64_t>& values);

// A FLOAT or DOUBLE tensor (raw_data, float_data or double_data) converted to T. `where` names
// the file and tensor in errors.
template <class T>
Tensor<T> from_proto(const onnx::TensorProto& p, const std::string& where);

// An INT64 or INT32 tensor's values.
std::vector<std::int64_t> int64s_from_proto(const onnx::TensorProto& p, const std::string& where);

}  // namespace elman::detail
