// The one place that maps each elman layer to and from its Keras description, a class name and
// a config dict: {"class_name": "SimpleRNN", "config": {"units": 8, "activation": "tanh", ...}}.
// The checkpoint's model.json, the .keras reader and writer and the legacy .h5 reader all go
// through it, so a new layer (GRU, LSTM, Masking, Bidirectional, ...) is added here once.
//
// Reading accepts the dialects of Keras 1 (output_dim, bias, p), Keras 2 / tf.keras and
// Keras 3 (activations and initializers as strings or as serialized objects), and refuses,
// with an error naming the layer, every option that would change the numbers elman computes.
// Writing produces Keras 3's get_config() keys. Internal to io/.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "layers/module.hpp"
#include "layers/sequential.hpp"

namespace elman::detail {

using Json = nlohmann::ordered_json;

// "InputLayer, SimpleRNN, LSTM, GRU, RNN(SimpleRNNCell, LSTMCell or GRUCell), ...": for
// the message of an unsupported layer.
std::string supported_keras_layers();

// What a file's Keras version changes in the meaning of a config (its syntax is handled without
// it): Keras 3 redefined "hard_sigmoid" (relu6(x + 3)/6) from Keras 1/2's clip(0.2x + 0.5, 0, 1),
// so a legacy .h5 file from before Keras 3 means Activation::hard_sigmoid_keras2 by that name.
struct KerasDialect {
    bool keras2_hard_sigmoid = false;
};

// A new (unbuilt) layer from Keras' class_name and config; named config["name"] when present.
// `where` names the file and the layer in errors, e.g. "m.keras: layer 'lstm' (LSTM)". Throws
// Error "<where>: unsupported layer class 'LSTM' (elman reads ...)" and the like.
template <class T>
std::shared_ptr<Module<T>> layer_from_keras(const std::string& class_name, const Json& config, const std::string& where,
                                            KerasDialect dialect = {});

// Keras 3's serialization of a built layer: {"module", "class_name", "config",
// "registered_name", "build_config"}; input_shape is the layer's input without the batch axis
// (0 = None), batch the batch size (0 = None). Throws Error naming the layer when Keras has no
// equivalent.
template <class T>
Json layer_to_keras(const Module<T>& layer, const Shape& input_shape, std::size_t batch);

// Where Keras 3 keeps a layer's variables below the layer's own folder, in the order of the
// layer's parameters(): {"cell"} for a recurrent layer (its SimpleRNNCell, GRUCell), {"layer"} for
// TimeDistributed (the wrapped layer), {"forward_layer/cell", "backward_layer/cell"} for
// Bidirectional, {""} for Dense, {} for layers without weights (keras/src/saving/saving_lib.py
// walks each layer's attributes: cell, layer, forward_layer, ...).
template <class T>
std::vector<std::string> keras_variable_groups(const Module<T>& layer);

// The number of weights the layers of `model` would allocate when built for input_shape,
// computed from their options without building anything (saturating at SIZE_MAX). Readers
// compare it with the bytes a file holds before building, so that a config naming
// "units": 1000000 is an error, not a 4 TB allocation. Stops counting where the shapes stop
// fitting (build() then reports the mismatch).
template <class T>
std::size_t weights_needed(const Sequential<T>& model, const Shape& input_shape);

// Keras' naming.to_snake_case: "SimpleRNN" -> "simple_rnn", "TimeDistributed" ->
// "time_distributed", "InputLayer" -> "input_layer".
std::string to_snake_case(const std::string& class_name);

// [null, 10, 1] for batch 0 (None) and input {10, 1}; a 0 dimension is null too.
Json keras_shape(std::size_t batch, const Shape& shape);

}  // namespace elman::detail
