// LSTM models for the file-format tests. onnx_lstm_cases: the models the ONNX tests export
// (test_onnx.cpp; test_onnx_runtime.cpp those not named keras_*): each gate
// activation ONNX names (Sigmoid, HardSigmoid of Keras 3 and of Keras 2, Affine for linear),
// sequences, go_backwards with and without sequences, no bias, stacks, and the LSTMs of the
// Keras fixtures (Keras 2's hard_sigmoid, Keras 1's per-gate weights, CuDNNLSTM).
#pragma once

#include <string>
#include <vector>

#include "layers/bidirectional.hpp"
#include "layers/dense.hpp"
#include "layers/lstm.hpp"
#include "layers/masking.hpp"
#include "onnx_models.hpp"

namespace elman::test {

inline std::vector<OnnxCase> onnx_lstm_cases()
{
    const auto lstm = [](std::size_t u, Activation act, Activation rec, bool rs, bool gb, bool bias, std::uint64_t seed) {
        return std::make_shared<LSTM<float>>(LSTMOptions{.units = u, .activation = act, .recurrent_activation = rec,
                                                         .use_bias = bias, .return_sequences = rs, .go_backwards = gb,
                                                         .bias_initializer = "random_uniform", .seed = seed});
    };
    const auto seq = [](std::vector<std::shared_ptr<Module<float>>> layers, Shape in) {
        return [layers, in] {
            Sequential<float> m;
            for (const auto& l : layers) m.add(l);
            m.build(in);
            return m;
        };
    };
    const auto dense = [](std::size_t u, std::uint64_t seed) {
        return std::make_shared<Dense<float>>(DenseOptions{.units = u, .seed = seed});
    };
    using A = Activation;
    const std::string k = std::string(ELMAN_SOURCE_DIR) + "/tests/fixtures/keras/";
    return {
        {"lstm_last", seq({lstm(4, A::tanh, A::sigmoid, false, false, true, 21), dense(1, 22)}, {0, 3}), {3, 5, 3}},
        {"lstm_backwards_seq", seq({lstm(4, A::tanh, A::sigmoid, true, true, true, 25)}, {0, 3}), {2, 5, 3}},
        // every activation pair ONNX names, reverse in the middle and at the end, no bias: one
        // model, so that the runtime test starts one process for all of them
        {"lstm_stacked_activations",
         seq({lstm(5, A::relu, A::hard_sigmoid, true, false, true, 23), lstm(4, A::tanh, A::hard_sigmoid_keras2, true, true, true, 26),
              lstm(3, A::linear, A::linear, true, false, false, 27), lstm(2, A::tanh, A::sigmoid, false, true, true, 31), dense(1, 32)},
             {0, 2}),
         {2, 7, 2}},
        {"keras_lstm_k2_hard_sigmoid", [k] { return load_keras<float>(k + "lstm_k2_hard_sigmoid.h5"); }, {3, 6, 2}},
        {"keras_lstm_k1", [k] { return load_keras<float>(k + "lstm_k1.h5"); }, {3, 6, 2}},
        {"keras_lstm_cudnn", [k] { return load_keras<float>(k + "lstm_cudnn.h5"); }, {3, 6, 2}},
    };
}

// Masking -> LSTM(4, sequences, relu / `recurrent`, recurrent_dropout) -> Bidirectional(LSTM(3),
// sum) -> Dense(1), built for [T,2] with random weights and biases: every LSTM option that
// reaches a .keras file or a checkpoint.
inline Sequential<float> lstm_file_model(Activation recurrent)
{
    Sequential<float> m;
    m.emplace<Masking<float>>(MaskingOptions{});
    m.emplace<LSTM<float>>(LSTMOptions{.units = 4, .activation = Activation::relu, .recurrent_activation = recurrent,
                                       .return_sequences = true, .bias_initializer = "random_uniform", .seed = 3,
                                       .recurrent_dropout = 0.1});
    m.emplace<Bidirectional<float>>(LSTM<float>({.units = 3, .unit_forget_bias = false, .seed = 4}),
                                    BidirectionalOptions{MergeMode::sum});
    m.emplace<Dense<float>>(DenseOptions{.units = 1, .seed = 5});
    m.build({0, 2});
    return m;
}

}  // namespace elman::test
