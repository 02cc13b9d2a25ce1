// The models the ONNX tests export: every activation, with and without bias, sequences,
// go_backwards with and without sequences, stacks, Dense on 2-D and 3-D input,
// TimeDistributed(Dense), Flatten, Dropout, stateful, GRUs of both reset forms with Keras 3's
// and Keras 2's hard sigmoids; plus the Keras fixtures' models.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/init.hpp"
#include "io/keras.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/flatten.hpp"
#include "layers/gru.hpp"
#include "layers/simple_rnn.hpp"
#include "layers/time_distributed.hpp"

namespace elman::test {

struct OnnxCase {
    std::string name;
    std::function<Sequential<float>()> make;  // built, with seeded weights
    Shape x_shape;                            // [B,T,F]
};

inline std::vector<OnnxCase> onnx_cases()
{
    using R = SimpleRNN<float>;
    using D = Dense<float>;
    const auto rnn = [](std::size_t u, Activation a, bool rs, bool gb, bool bias, std::uint64_t seed) {
        return std::make_shared<R>(SimpleRNNOptions{.units = u, .activation = a, .use_bias = bias, .return_sequences = rs,
                                                    .go_backwards = gb, .bias_initializer = "random_uniform", .seed = seed});
    };
    const auto dense = [](std::size_t u, Activation a, std::uint64_t seed) {
        return std::make_shared<D>(DenseOptions{.units = u, .activation = a, .seed = seed});
    };
    const auto seq = [](std::vector<std::shared_ptr<Module<float>>> layers, Shape in) {
        return [layers, in] {
            Sequential<float> m;
            for (const auto& l : layers) m.add(l);
            m.build(in);
            return m;
        };
    };
    const auto gru = [](std::size_t u, Activation a, Activation rec, bool reset_after, bool rs, bool gb, bool bias,
                        std::uint64_t seed) {
        return std::make_shared<GRU<float>>(GRUOptions{.units = u, .activation = a, .recurrent_activation = rec,
                                                       .use_bias = bias, .reset_after = reset_after, .return_sequences = rs,
                                                       .go_backwards = gb, .bias_initializer = "random_uniform", .seed = seed});
    };
    const std::string k = std::string(ELMAN_SOURCE_DIR) + "/tests/fixtures/keras/";
    return {
        {"tanh_last", seq({rnn(4, Activation::tanh, false, false, true, 1), dense(1, Activation::linear, 2)}, {0, 3}), {3, 5, 3}},
        {"relu_seq", seq({rnn(5, Activation::relu, true, false, true, 3), dense(2, Activation::tanh, 4)}, {6, 2}), {2, 6, 2}},
        {"sigmoid_nobias", seq({rnn(3, Activation::sigmoid, false, false, false, 5)}, {0, 4}), {4, 3, 4}},
        {"linear_seq", seq({rnn(3, Activation::linear, true, false, true, 6), dense(1, Activation::sigmoid, 7)}, {0, 2}), {2, 4, 2}},
        {"backwards_seq", seq({rnn(4, Activation::tanh, true, true, true, 8), dense(2, Activation::relu, 9)}, {0, 3}), {2, 5, 3}},
        {"backwards_last", seq({rnn(4, Activation::tanh, false, true, true, 10)}, {0, 3}), {3, 5, 3}},
        {"stacked_dropout",
         seq({rnn(5, Activation::tanh, true, false, true, 11), std::make_shared<Dropout<float>>(DropoutOptions{.rate = 0.5}),
              rnn(3, Activation::relu, true, true, true, 12), rnn(2, Activation::tanh, false, false, true, 13), dense(1, Activation::linear, 14)},
             {0, 2}),
         {2, 7, 2}},
        {"time_distributed_flatten",
         seq({rnn(3, Activation::tanh, true, false, true, 15),
              std::make_shared<TimeDistributed<float>>(dense(2, Activation::sigmoid, 16)), std::make_shared<Flatten<float>>(),
              dense(1, Activation::linear, 17)},
             {4, 2}),
         {3, 4, 2}},
        // (each case costs a Node.js start in test_onnx_runtime: two GRU cases cover linear (Affine),
        // relu, both hard sigmoids, both reset forms, no bias, go_backwards and stacking)
        {"gru_reset_after_linear_seq",
         seq({gru(4, Activation::linear, Activation::sigmoid, true, true, false, true, 18), dense(2, Activation::softmax, 19)}, {0, 3}),
         {2, 5, 3}},
        {"gru_reset_before_backwards",
         seq({gru(3, Activation::tanh, Activation::hard_sigmoid, false, true, true, true, 20),
              gru(2, Activation::relu, Activation::hard_sigmoid_keras2, true, false, true, false, 21),
              dense(1, Activation::hard_sigmoid, 22)},
             {0, 2}),
         {3, 6, 2}},
        {"keras_functional", [k] { return load_keras<float>(k + "k3_functional.keras"); }, {2, 5, 2}},
        {"keras_k1", [k] { return load_keras<float>(k + "k1_model.h5"); }, {2, 4, 2}},
    };
}

inline Tensor<float> onnx_input(const Shape& shape, std::uint64_t seed)
{
    return uniform<float>(shape, -1.0f, 1.0f, seed);
}

}  // namespace elman::test
