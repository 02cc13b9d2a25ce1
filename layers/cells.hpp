// The recurrent layers by the name of their cell, for code that lets its user choose one (the
// forecasting pipeline, the benchmark's --cell):
//
//   "simple"   SimpleRNN, the Elman network: h_t = tanh(x_t·W_x + h_{t−1}·W_h + b)
//   "lstm"     LSTM: gates i, f, o, candidate g, cell state c (layers/lstm.hpp)
//   "gru"      GRU: gates z, r, candidate ĥ, reset_after = true (layers/gru.hpp)
//
// Each is built with Keras' defaults (tanh, sigmoid gates, glorot_uniform / orthogonal /
// zeros, the LSTM's unit_forget_bias) and the few options below, which every cell has.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "layers/recurrent.hpp"

namespace elman {

struct RecurrentOptions {
    std::size_t units = 0;           // state size; required (> 0)
    bool return_sequences = false;   // every step's output instead of the last
    std::uint64_t seed = 0;          // weights and dropout masks
    double dropout = 0.0;            // as SimpleRNNOptions / LSTMOptions / GRUOptions
    double recurrent_dropout = 0.0;
    bool fused = true;               // the fused node (true) or the composed path
};

// The cell names above, in that order.
std::vector<std::string> cell_names();

// Throws elman::Error "unknown cell \"<name>\" (expected simple, lstm or gru)" unless `name` is one of
// cell_names().
void check_cell(const std::string& name);

// A new, unbuilt layer of the named cell (throws as check_cell, and as the layer's constructor).
template <class T>
std::shared_ptr<RecurrentLayer<T>> make_recurrent_layer(const std::string& cell,
                                                        const RecurrentOptions& options);

}  // namespace elman
