// Weights in the layouts of older Keras versions, converted to Keras 3's as Keras 2's
// preprocess_weights_for_loading (keras/engine/saving.py, 2.x) and _convert_rnn_weights do it:
// Keras 1's per-gate LSTM and GRU arrays and CuDNNLSTM's cuDNN layout. Internal to io/.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "io/detail/hdf5.hpp"
#include "layers/module.hpp"

namespace elman::detail {

// "layer 'name' (Type)", as the Keras readers' errors name a layer.
template <class T>
std::string layer_who(const Module<T>& layer)
{
    return "layer '" + layer.name() + "' (" + layer.type() + ")";
}

// An LSTM's [kernel [F,4U], recurrent_kernel [U,4U], bias [4U]] from the datasets `ds` when
// they hold Keras 1's 12 per-gate arrays or CuDNNLSTM's 3 (bias [8U]); nothing when `layer` is
// not an LSTM or `ds` is neither layout. Throws elman::Error naming the file and the layer for a
// missing or non-finite array or a per-gate shape that does not fit.
template <class T>
std::optional<std::vector<Tensor<T>>> legacy_lstm_weights(const Hdf5Reader& r, const Module<T>& layer,
                                                          const std::vector<std::string>& ds);

// A GRU's [kernel [F,3U], recurrent_kernel [U,3U], bias [3U]] (reset_after = false) from Keras
// 1's 9 per-gate arrays; nothing when `layer` is not such a GRU or `ds` is not that layout.
// Throws elman::Error naming the file and the layer as legacy_lstm_weights does.
template <class T>
std::optional<std::vector<Tensor<T>>> keras1_gru_weights(const Hdf5Reader& r, const Module<T>& layer,
                                                         const std::vector<std::string>& ds);

}  // namespace elman::detail
