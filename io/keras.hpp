// Keras model files in and out, read directly (no Python, no conversion step):
//
//   .keras        Keras 3 (and tf.keras 2.13+) archives: a zip holding config.json (the
//                 architecture), metadata.json and model.weights.h5 (HDF5), whose variables sit
//                 under layers/<snake_case class>[_<n>]/.../vars/<i> in layer order
//                 (keras/src/saving/saving_lib.py); a SimpleRNN's or GRU's under .../cell/vars/
//   .h5 / .hdf5   legacy full-model files of Keras 1, Keras 2, tf.keras and Keras 3
//                 (legacy_h5_format.py, hdf5_format.py): the model_config attribute, and the
//                 weights under model_weights/ found through its layer_names and each layer's
//                 weight_names attributes, whatever the names say ("kernel:0" or "kernel",
//                 "simple_rnn_1/..." or ".../simple_rnn_cell/...", Keras 1's W, U, b)
//   .weights.h5   weights-only files (Keras 3 layout, or legacy save_weights), loaded into a
//                 model whose architecture elman has
//
// The file's kind is told by its content (zip or HDF5 signature), not its extension. Layers:
// InputLayer, SimpleRNN (every option; RNN(SimpleRNNCell) too), GRU (every option, reset_after
// either way; RNN(GRUCell) too; Keras 1's nine per-gate weights joined as Keras 2 does), Bidirectional(SimpleRNN or GRU), Masking, Dense, Dropout,
// Flatten, TimeDistributed(Dense); Sequential models and Functional models that are a single
// chain. "hard_sigmoid" in a legacy .h5 file older than Keras 3 (keras_version 1.x / 2.x, or
// none) is Keras 2's clip(0.2x + 0.5, 0, 1) (Activation::hard_sigmoid_keras2), in any other
// file Keras 3's relu6(x + 3)/6; a model using Keras 2's cannot be saved as .keras.
// Anything else is an Error naming the file, the layer's name and class and what is
// supported, never a model that computes something else. Weights are read as stored
// (float16/32/64) and converted to T.
#pragma once

#include <cstddef>
#include <string>

#include "layers/sequential.hpp"

namespace elman {

// The model in the .keras or .h5 file at `path`, built for the input shape the file declares
// (or, when it declares none, for the first layer's weights with timesteps None) and holding
// the file's weights. Throws Error "PATH: ..." naming the layer and the reason: not a zip, not
// HDF5, truncated, unsupported layer or option, missing weight, shape mismatch.
template <class T>
Sequential<T> load_keras(const std::string& path);

// Loads the weights of a .weights.h5 file (Keras 3 layout or legacy save_weights layout; a
// .keras or full-model .h5 file works too) into `model`, layer by layer in order (as Keras'
// load_weights). The model is built from the first weight's shape if it is not built yet.
// Throws Error naming the layer and weight on a count or shape mismatch; `model` is
// unchanged then.
template <class T>
void load_keras_weights(const std::string& path, Sequential<T>& model);

struct KerasSaveOptions {
    // The batch size written into the InputLayer's batch_shape; 0: None (any), except for a
    // model with a stateful layer, which Keras builds only with a fixed batch size: then the
    // batch size of the state it carries, or an error when it carries none.
    std::size_t batch_size = 0;
};

// Writes `model` (built) as a .keras archive in Keras 3's layout and config schema, which
// keras.saving.load_model opens: config.json ({"module": "keras", "class_name": "Sequential",
// ...}, each layer's get_config() keys), metadata.json and model.weights.h5 (stored, not
// compressed, as Keras' zipfile writes it). The file is replaced atomically. `path` must end
// in ".keras" (Keras refuses other names). Throws Error naming a layer Keras has no
// equivalent for.
template <class T>
void save_keras(const std::string& path, const Sequential<T>& model, KerasSaveOptions options = {});

}  // namespace elman
