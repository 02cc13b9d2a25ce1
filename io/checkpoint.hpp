// Checkpoints: a model (architecture + weights) and optionally its optimizer's state, in a
// directory that Keras/numpy users can read:
//
//   dir/model.json                      format, dtype, input_shape, layers: type (Keras' class
//                                       name), name, config (Keras' get_config() keys, through
//                                       io/detail/keras_layers, the same mapping as .keras
//                                       files), weight files with their shapes
//   dir/weights/<layer>__<weight>.npy   Keras layout (kernel [F,U], recurrent_kernel [U,U], ...)
//   dir/optimizer.json                  type, options, lr, state entries with their shapes
//   dir/optimizer/<entry>.npy           e.g. optimizer/param0.exp_avg.npy, optimizer/step.npy
//
// Saving is atomic: everything is written and fsync'ed into a fresh dir.tmp-XXXXXX next to dir,
// which is then swapped in with one rename (renameat2 RENAME_EXCHANGE where the filesystem has
// it), so an interrupted save leaves the previous checkpoint intact. A save killed midway can
// leave a dir.tmp-XXXXXX behind; it is never read.
//
// Loading checks every file before building anything: the JSON parses and names known layers,
// each .npy has a valid header with the model's dtype ('<f4' float32, '<f8' float64), all of its
// data, and the shape the architecture implies. Errors name the directory, layer, weight and
// file, e.g. "checkpoint ckpt/: layer 'dense' weight 'kernel': file weights/dense__kernel.npy
// has shape [8,2], expected [8,1]". Weights round-trip bit for bit.
#pragma once

#include <string>

#include "layers/sequential.hpp"
#include "optim/optimizer.hpp"

namespace elman {

// The checkpoint layout version written into model.json ("format_version"). 2: configs with
// Keras' full get_config() keys and the layers Keras files bring (Flatten, TimeDistributed);
// version 1 files (SimpleRNN and Dense with a subset of the same keys) still load.
inline constexpr int checkpoint_format_version = 2;

// Saves a built model of layers Keras has too (SimpleRNN, Dense, Dropout, Masking,
// Bidirectional(SimpleRNN), Flatten, TimeDistributed; a Bidirectional's weights are files
// weights/<layer>__forward_<rnn>__kernel.npy, ...) (and opt's type, lr and state when given,
// an SGD or Adam). Replaces an existing checkpoint at dir atomically.
template <class T>
void save_checkpoint(const std::string& dir, const Sequential<T>& model,
                     const Optimizer<T>* opt = nullptr);

// A new model rebuilt from dir, built and holding the saved weights. Throws elman::Error, and
// builds nothing visible, when anything is missing, malformed or mismatched.
template <class T>
Sequential<T> load_model(const std::string& dir);

// Restores opt's state and lr from dir/optimizer.json; opt must be of the saved type and made
// from a model of the saved architecture. opt is unchanged when this throws.
template <class T>
void load_optimizer_state(const std::string& dir, Optimizer<T>& opt);

}  // namespace elman
