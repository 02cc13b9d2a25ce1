// LSTMs in every file format elman has: Keras 3 .keras, legacy .h5 of tf.keras 2 (Keras 2's
// hard_sigmoid), Keras 3, Keras 1 (12 per-gate weights) and CuDNNLSTM (one bias of 8U), written
// by tests/fixtures/make_keras_lstm_fixtures.py with numpy references; save_keras and
// checkpoints round trip; ONNX export passes the checker (onnxruntime: test_onnx_runtime.cpp).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "core/init.hpp"
#include "io/checkpoint.hpp"
#include "io/keras.hpp"
#include "io/npy.hpp"
#include "io/onnx.hpp"
#include "layers/bidirectional.hpp"
#include "layers/dense.hpp"
#include "layers/fit.hpp"
#include "layers/lstm.hpp"
#include "layers/masking.hpp"
#include "temp_dir.hpp"

using namespace elman;
namespace fs = std::filesystem;

namespace {

const std::string k_dir = std::string(ELMAN_SOURCE_DIR) + "/tests/fixtures/keras/";

Tensor<float> fixture(const std::string& name) { return load_npy<float>(k_dir + name + ".npy"); }

void require_close(const Tensor<float>& a, const Tensor<float>& b)
{
    REQUIRE(Shape(a.shape().begin(), a.shape().end()) == Shape(b.shape().begin(), b.shape().end()));
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO("flat index " << i << ": " << a.data()[i] << " vs " << b.data()[i]);
        REQUIRE(std::abs(a.data()[i] - b.data()[i]) <= 1e-5f * std::abs(b.data()[i]) + 1e-6f);
    }
}

const LSTM<float>& lstm_at(const Sequential<float>& m, std::size_t i)
{
    const auto* l = dynamic_cast<const LSTM<float>*>(m.layers().at(i).get());
    REQUIRE(l != nullptr);
    return *l;
}

Sequential<float> predicts(const std::string& file, const std::string& cas)
{
    INFO(file);
    Sequential<float> m = load_keras<float>(k_dir + file);
    require_close(predict(m, fixture(cas + ".x")), fixture(cas + ".y"));
    return m;
}

std::string load_error(const std::string& path)
{
    try {
        (void)load_keras<float>(path);
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

// LSTM(4, sequences, relu/hard_sigmoid) -> Bidirectional(LSTM(3)) -> Dense(1): every option
// that reaches a file, with random weights.
Sequential<float> rich_model(Activation recurrent = Activation::hard_sigmoid)
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

}  // namespace

TEST_CASE("io lstm: Keras 3 .keras files with LSTMs give Keras' predictions", "[io][keras][lstm]")
{
    const Sequential<float> m = predicts("lstm_k3_stacked.keras", "lstm_k3_stacked");
    REQUIRE(lstm_at(m, 0).options().return_sequences);
    REQUIRE(lstm_at(m, 1).options().go_backwards);
    REQUIRE(lstm_at(m, 1).param_count() == 4 * 3 * (4 + 3 + 1));
    // a Functional model whose Dense reads the LSTM's output 1 (h, the output without sequences)
    predicts("lstm_k3_return_state.keras", "lstm_k3_return_state");
    // the minimal config of a foreign writer (units, activations, return_sequences only)
    const Sequential<float> minimal = load_keras<float>(k_dir + "err_lstm.keras");
    REQUIRE(lstm_at(minimal, 0).options().units == 3);
}

TEST_CASE("io lstm: legacy .h5 LSTMs of tf.keras 2, Keras 3, Keras 1 and CuDNNLSTM load with their numbers", "[io][keras][lstm]")
{
    // "hard_sigmoid" in a Keras 2 file is Keras 2's clip(0.2x + 0.5, 0, 1) ...
    const Sequential<float> k2 = predicts("lstm_k2_hard_sigmoid.h5", "lstm_k2_hard_sigmoid");
    REQUIRE(lstm_at(k2, 0).options().recurrent_activation == Activation::hard_sigmoid_keras2);
    // ... and in a Keras 3 file Keras 3's relu6(x + 3)/6: the same weights, other outputs
    const Sequential<float> k3 = predicts("lstm_k3_legacy_hard_sigmoid.h5", "lstm_k3_legacy_hard_sigmoid");
    REQUIRE(lstm_at(k3, 0).options().recurrent_activation == Activation::hard_sigmoid);
    const Tensor<float> d = fixture("lstm_k2_hard_sigmoid.y") - fixture("lstm_k3_legacy_hard_sigmoid.y");
    REQUIRE(xt::amax(xt::abs(d))() > 1e-3f);
    // Keras 1: output_dim, inner_activation, 12 per-gate weights in the order i, c, f, o
    const Sequential<float> k1 = predicts("lstm_k1.h5", "lstm_k1");
    REQUIRE(lstm_at(k1, 0).options().recurrent_activation == Activation::hard_sigmoid_keras2);
    // CuDNNLSTM: its two biases summed into one
    predicts("lstm_cudnn.h5", "lstm_cudnn");
}

TEST_CASE("io lstm: an LSTM's cell state fed to the next layer is refused, naming both layers", "[io][keras][lstm][errors]")
{
    REQUIRE_THAT(load_error(k_dir + "err_lstm_cell_state.keras"),
                 Catch::Contains("err_lstm_cell_state.keras: layer 'dense' takes output 2 of layer 'lstm' (LSTM); elman passes on "
                                 "a layer's first output only"));
}

TEST_CASE("io lstm: save_keras writes LSTMs that load back to the same predictions", "[io][keras][lstm]")
{
    elman::test::TempDir tmp("elman-io-lstm");
    Sequential<float> m = rich_model();
    const Tensor<float> x = uniform<float>({3, 5, 2}, -1.0f, 1.0f, 9);
    const std::string path = (tmp.path / "m.keras").string();
    save_keras(path, m);
    Sequential<float> back = load_keras<float>(path);
    REQUIRE((predict(back, x) == predict(m, x)));
    const auto& l = lstm_at(back, 1);
    REQUIRE(l.options().recurrent_activation == Activation::hard_sigmoid);
    REQUIRE(l.options().recurrent_dropout == Approx(0.1));
    REQUIRE(back.layers()[2]->type() == "Bidirectional");

    // Keras 3 has no Keras 2 hard_sigmoid: writing one would give a file that computes otherwise
    Sequential<float> old = rich_model(Activation::hard_sigmoid_keras2);
    REQUIRE_THROWS_WITH(save_keras((tmp.path / "old.keras").string(), old),
                        Catch::Contains("layer 'lstm' uses Keras 2's hard_sigmoid") && Catch::Contains("cannot hold it"));
    REQUIRE_FALSE(fs::exists(tmp.path / "old.keras"));
}

TEST_CASE("io lstm: a stateful LSTM saves with its batch size and carries h and c after loading", "[io][keras][lstm]")
{
    elman::test::TempDir tmp("elman-io-lstm");
    Sequential<float> m;
    m.emplace<LSTM<float>>(LSTMOptions{.units = 3, .stateful = true, .seed = 2});
    m.build({0, 2});
    const Tensor<float> x = uniform<float>({2, 4, 2}, -1.0f, 1.0f, 7);
    predict(m, x, 2);
    save_keras((tmp.path / "s.keras").string(), m);
    Sequential<float> back = load_keras<float>((tmp.path / "s.keras").string());
    REQUIRE(lstm_at(back, 0).options().stateful);
    // the same two calls from fresh states: the second starts from the first's h and c
    dynamic_cast<LSTM<float>&>(*m.layers()[0]).reset_states();
    const Tensor<float> a1 = predict(m, x, 2), a2 = predict(m, x, 2);
    const Tensor<float> b1 = predict(back, x, 2), b2 = predict(back, x, 2);
    REQUIRE((a1 == b1));
    REQUIRE((a2 == b2));
    REQUIRE_FALSE((a1 == a2));
}

TEST_CASE("io lstm: checkpoints of LSTM models round-trip bit for bit, Keras 2's hard_sigmoid included", "[io][checkpoint][lstm]")
{
    elman::test::TempDir tmp("elman-io-lstm");
    for (Activation rec : {Activation::sigmoid, Activation::hard_sigmoid_keras2}) {
        INFO(to_string(rec));
        Sequential<float> m = rich_model(rec);
        const std::string dir = (tmp.path / ("ckpt_" + to_string(rec))).string();
        save_checkpoint(dir, m);
        Sequential<float> back = load_model<float>(dir);
        REQUIRE(lstm_at(back, 1).options().recurrent_activation == rec);
        const Tensor<float> x = uniform<float>({2, 6, 2}, -1.0f, 1.0f, 11);
        REQUIRE((predict(back, x) == predict(m, x)));
        REQUIRE(back.summary() == m.summary());
    }
}

TEST_CASE("io lstm: ONNX export of LSTMs passes the checker; the cell state is never the output", "[io][onnx][lstm]")
{
    elman::test::TempDir tmp("elman-io-lstm");
    Sequential<float> m = rich_model();
    // Masking and Bidirectional have no ONNX export (an error naming the layer) ...
    REQUIRE_THROWS_WITH(export_onnx((tmp.path / "m.onnx").string(), m), Catch::Contains("layer 'masking'"));
    // ... LSTM stacks do, every activation pair (onnxruntime runs them: test_onnx_runtime.cpp)
    for (Activation rec : {Activation::sigmoid, Activation::hard_sigmoid, Activation::hard_sigmoid_keras2, Activation::linear}) {
        Sequential<float> s;
        s.emplace<LSTM<float>>(LSTMOptions{.units = 3, .activation = Activation::relu, .recurrent_activation = rec,
                                           .return_sequences = true, .go_backwards = true});
        s.emplace<LSTM<float>>(LSTMOptions{.units = 2, .use_bias = false});
        s.build({0, 2});
        const std::string path = (tmp.path / ("s_" + to_string(rec) + ".onnx")).string();
        REQUIRE_NOTHROW(export_onnx(path, s));
        REQUIRE(fs::file_size(path) > 0);
    }
}
