// A Keras model's architecture, from its config JSON in any Keras version's dialect, reduced to
// what elman builds: a chain of layers and the input shape. Internal to io/.
//
//   Sequential, Keras 3 / 2:  {"class_name": "Sequential", "config": {"name", "layers": [...]}}
//   Sequential, Keras <= 2.2 and Keras 1: "config" is the list of layers itself
//   Functional ("Functional", or "Model" before Keras 2.4): "layers" with "inbound_nodes",
//     "input_layers", "output_layers"; accepted when the layers form a single chain
//
// The input shape comes from the InputLayer (batch_shape in Keras 3, batch_input_shape in
// Keras 2), a first layer's batch_input_shape (Keras 1 and 2) or input_dim/input_length
// (Keras 1), the Sequential's build_input_shape, or the first layer's build_config.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "io/detail/keras_layers.hpp"
#include "layers/sequential.hpp"

namespace elman::detail {

struct KerasLayerEntry {
    std::string class_name;  // as the file says: "SimpleRNN", "RNN", "InputLayer", ...
    Json config;
};

struct KerasModelSpec {
    std::string name;
    bool functional = false;
    // The layers in the order data flows, InputLayer excluded.
    std::vector<KerasLayerEntry> layers;
    std::optional<Shape> input_shape;  // without the batch axis; 0 = None
    std::size_t batch = 0;             // 0 = None
    KerasDialect dialect;              // set by the reader from the file's Keras version
};

// True for a version before Keras 3 ("2.15.0", "1.2.2") or none recorded (Keras 1 files):
// their "hard_sigmoid" is clip(0.2x + 0.5, 0, 1) (KerasDialect::keras2_hard_sigmoid).
bool keras_before_3(const std::string& version);

// Parses the model config (the whole config.json of a .keras file, or the model_config
// attribute of an .h5 file). `where` names the file in errors.
KerasModelSpec parse_keras_model(const Json& root, const std::string& where);

// The layers of spec as an unbuilt Sequential, named as in the file. Throws Error naming the
// file and the layer for an unsupported layer or option.
template <class T>
Sequential<T> make_keras_model(const KerasModelSpec& spec, const std::string& where);

// "layers/simple_rnn", "layers/dense_1", ...: the folder of each layer of spec in a Keras 3
// weights file (keras/src/saving/saving_lib.py, _save_container_state: the snake_case class
// name, numbered from the second layer of the same class).
std::vector<std::string> keras_layer_folders(const KerasModelSpec& spec, const std::string& root);

}  // namespace elman::detail
