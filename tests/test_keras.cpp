// Keras files in: every layout of tests/fixtures/keras/ (written by make_keras_fixtures.py
// after each Keras version's writer code) gives the numpy reference predictions, and every
// damaged or unsupported file an error naming the file, the layer and the reason. LSTMs in every
// layout: Keras 3, tf.keras 2 (Keras 2's hard_sigmoid), Keras 1 (12 per-gate weights) and
// CuDNNLSTM (one bias of 8U), from make_keras_lstm_fixtures.py.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "io/detail/keras_layers.hpp"
#include "io/keras.hpp"
#include "io/npy.hpp"
#include "layers/dense.hpp"
#include "layers/fit.hpp"
#include "layers/lstm.hpp"
#include "layers/simple_rnn.hpp"
#include "temp_dir.hpp"
#include "text.hpp"

using namespace elman;
namespace fs = std::filesystem;

namespace {

const std::string k_dir = std::string(ELMAN_SOURCE_DIR) + "/tests/fixtures/keras/";

Tensor<float> fixture(const std::string& name) { return load_npy<float>(k_dir + name + ".npy"); }

// |a − b| <= 1e-5·|b| + 1e-6 everywhere, shapes equal.
void require_close(const Tensor<float>& a, const Tensor<float>& b)
{
    REQUIRE(Shape(a.shape().begin(), a.shape().end()) == Shape(b.shape().begin(), b.shape().end()));
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO("flat index " << i << ": " << a.data()[i] << " vs " << b.data()[i]);
        REQUIRE(std::abs(a.data()[i] - b.data()[i]) <= 1e-5f * std::abs(b.data()[i]) + 1e-6f);
    }
}

Sequential<float> require_predicts(const std::string& file, const std::string& cas)
{
    INFO(file);
    Sequential<float> model = load_keras<float>(k_dir + file);
    require_close(predict(model, fixture(cas + ".x")), fixture(cas + ".y"));
    return model;
}

const LSTM<float>& lstm_at(const Sequential<float>& m, std::size_t i)
{
    const auto* l = dynamic_cast<const LSTM<float>*>(m.layers().at(i).get());
    REQUIRE(l != nullptr);
    return *l;
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

}  // namespace

TEST_CASE("keras: a Keras 3 .keras Sequential of stacked SimpleRNNs gives the reference predictions", "[keras]")
{
    require_predicts("k3_stacked.keras", "k3_stacked");
    Sequential<float> m = load_keras<float>(k_dir + "k3_stacked.keras");
    REQUIRE(m.layers().size() == 3);
    REQUIRE(m.layers()[1]->name() == "simple_rnn_1");
    REQUIRE(m.input_shape() == Shape{6, 3});
    const auto& rnn = dynamic_cast<const SimpleRNN<float>&>(*m.layers()[1]);
    REQUIRE(rnn.options().activation == Activation::relu);
}

TEST_CASE("keras: a single-chain Functional model with TimeDistributed(Dense) and Flatten loads", "[keras]")
{
    require_predicts("k3_functional.keras", "k3_functional");
    Sequential<float> m = load_keras<float>(k_dir + "k3_functional.keras");
    REQUIRE(m.layers()[1]->type() == "TimeDistributed");
    REQUIRE(m.layers()[2]->type() == "Flatten");
    REQUIRE_FALSE(dynamic_cast<const SimpleRNN<float>&>(*m.layers()[0]).options().use_bias);
}

TEST_CASE("keras: a Functional layer taking a SimpleRNN's returned state reads it as the last output", "[keras]")
{
    require_predicts("k3_return_state.keras", "k3_return_state");
    REQUIRE_THAT(load_error(k_dir + "err_state_of_sequences.keras"),
                 Catch::Contains("layer 'dense' takes output 1 of layer 'simple_rnn' (SimpleRNN); elman passes on a layer's first output only"));
}

TEST_CASE("keras: go_backwards with return_sequences keeps Keras' processing order", "[keras]")
{
    require_predicts("k3_go_backwards.keras", "k3_go_backwards");
    // Timesteps None in the file: any length runs.
    Sequential<float> m = load_keras<float>(k_dir + "k3_go_backwards.keras");
    REQUIRE(m.input_shape() == Shape{0, 3});
}

TEST_CASE("keras: a stateful model predicted twice carries its state like Keras", "[keras]")
{
    Sequential<float> m = load_keras<float>(k_dir + "k3_stateful.keras");
    require_close(predict(m, fixture("k3_stateful.x")), fixture("k3_stateful.y"));
    require_close(predict(m, fixture("k3_stateful.x2")), fixture("k3_stateful.y2"));
}

TEST_CASE("keras: Dropout between layers is the identity at inference", "[keras]")
{
    require_predicts("k3_dropout.keras", "k3_dropout");
    Sequential<float> m = load_keras<float>(k_dir + "k3_dropout.keras");
    REQUIRE(m.layers()[1]->type() == "Dropout");
    REQUIRE(m.layers()[3]->name() == "dropout_1");
}

TEST_CASE("keras: legacy .h5 files of Keras 3, tf.keras 2, Keras 2.0-2.2 and Keras 1 load", "[keras]")
{
    require_predicts("k3_legacy.h5", "k3_legacy");
    require_predicts("k2_tfkeras.h5", "k2_tfkeras");      // kernel:0 under simple_rnn_cell/, fixed strings
    require_predicts("k2_list_config.h5", "k2_list_config");  // config list, layer_names0/1
    require_predicts("k1_model.h5", "k1_model");           // output_dim, W/U/b, variable-length strings
}

TEST_CASE("keras: weights-only files load into a model elman built", "[keras]")
{
    for (const std::string file : {"k3_weights_only.weights.h5", "k2_weights_only.h5"}) {
        INFO(file);
        Sequential<float> m;
        m.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 4});
        m.emplace<Dense<float>>(DenseOptions{.units = 1});
        load_keras_weights(k_dir + file, m);
        require_close(predict(m, fixture("k3_weights_only.x")), fixture("k3_weights_only.y"));
    }
    // A model file is not weights-only: load_keras says where to go instead, and back.
    REQUIRE_THAT(load_error(k_dir + "k3_weights_only.weights.h5"), Catch::Contains("weights-only file"));
}

TEST_CASE("keras: float64 models load the same weights", "[keras]")
{
    Sequential<double> m = load_keras<double>(k_dir + "k3_stacked.keras");
    const Tensor<double> x = load_npy<double>(k_dir + "k3_stacked.x.npy");
    const Tensor<double> y = predict(m, x);
    const Tensor<float> want = fixture("k3_stacked.y");
    for (std::size_t i = 0; i < y.size(); ++i) REQUIRE(std::abs(y.data()[i] - want.data()[i]) <= 1e-5 * std::abs(want.data()[i]) + 1e-6);
}

TEST_CASE("keras: unsupported, damaged and mismatched files give errors naming file, layer and reason", "[keras][errors]")
{
    const std::string d = k_dir;
    // (err_lstm.keras, an LSTM, was refused before elman had LSTMs; it loads now: "keras: Keras 3 .keras files with LSTMs ...")
    REQUIRE_THAT(load_error(d + "err_missing_weight.keras"),
                 Catch::Contains("layer 'simple_rnn' (SimpleRNN): missing weight: the file has 2 weights in layers/simple_rnn/cell/vars, "
                                 "the layer has 3 (kernel, recurrent_kernel, bias)"));
    REQUIRE_THAT(load_error(d + "err_activation.keras"),
                 Catch::Contains("layer 'simple_rnn' (SimpleRNN): activation 'elu' is not supported"));
    REQUIRE_THAT(load_error(d + "err_shape.h5"),
                 Catch::Contains("err_shape.h5: layer 'simple_rnn' (SimpleRNN): weight 'kernel' (model_weights/simple_rnn/simple_rnn/kernel:0) "
                                 "has shape [3,3], expected [2,3]"));
    REQUIRE_THAT(load_error(d + "err_branch.keras"), Catch::Contains("takes 2 inputs; elman reads Functional models that are a single chain"));
    REQUIRE_THAT(load_error(d + "err_not_a_model.keras"),
                 Catch::Contains("err_not_a_model.keras: neither a .keras archive (zip) nor an HDF5 (.h5) file"));
    REQUIRE_THAT(load_error(d + "err_not_hdf5.h5"), Catch::Contains("neither a .keras archive (zip) nor an HDF5"));
    REQUIRE_THAT(load_error(d + "no_such_file.keras"), Catch::Contains("no_such_file.keras: no such file"));

    elman::test::TempDir tmp("elman-keras-test");
    const auto truncated = [&](const std::string& src, double keep) {
        const std::string bytes = elman::test::read_file(d + src);
        const fs::path p = tmp.path / ("cut_" + src);
        std::ofstream(p, std::ios::binary) << bytes.substr(0, static_cast<std::size_t>(bytes.size() * keep));
        return load_error(p.string());
    };
    REQUIRE_THAT(truncated("k3_stacked.keras", 0.6), Catch::Contains("damaged or truncated zip archive"));
    REQUIRE_THAT(truncated("k2_tfkeras.h5", 0.5), Catch::Contains("k2_tfkeras.h5: ") || Catch::Contains("damaged or truncated HDF5"));
    REQUIRE_THAT(truncated("k2_tfkeras.h5", 0.001), Catch::Contains("cut_k2_tfkeras.h5: truncated HDF5 file (20 bytes)"));
}

TEST_CASE("keras: folder names are Keras' naming.to_snake_case of the class name", "[keras]")
{
    // Expected values from Python's re with keras/src/utils/naming.py's three substitutions.
    const std::vector<std::pair<std::string, std::string>> cases{
        {"SimpleRNN", "simple_rnn"},
        {"TimeDistributed", "time_distributed"},
        {"InputLayer", "input_layer"},
        {"GRU", "gru"},
        {"LSTM", "lstm"},
        {"Conv1D", "conv1d"},
        {"ConvLSTM2D", "conv_lstm2d"},
        {"BatchNormalization", "batch_normalization"},
        {"RNN", "rnn"},
        {"SimpleRNNCell", "simple_rnn_cell"},
        {"Dense", "dense"},
        {"MultiHeadAttention", "multi_head_attention"},
        {"ABCDef", "abc_def"},
        {"aBcD", "a_bc_d"},
        {"Bidirectional", "bidirectional"},
        {"HTTPServerX", "http_server_x"},
    };
    for (const auto& [cls, snake] : cases) {
        INFO(cls);
        REQUIRE(detail::to_snake_case(cls) == snake);
    }
}

TEST_CASE("keras: HDF5 structures whose sizes cannot fit the file are refused before libhdf5 reads them", "[keras][errors]")
{
    // Inputs fuzz_keras_h5 found: HDF5 1.10.8 hung on the first and tried to allocate 2^58 and
    // 2^50 bytes for the others (docs/errors.md, "The model-file readers").
    const std::string c = std::string(ELMAN_SOURCE_DIR) + "/tests/fuzz/corpus/fuzz_keras_h5/";
    REQUIRE_THAT(load_error(c + "regression-global-heap-zero-free-space"),
                 Catch::Contains("damaged HDF5 file (malformed global heap collection at byte 2048)"));
    REQUIRE_THAT(load_error(c + "regression-object-header-continuation-size"),
                 Catch::Contains("damaged HDF5 file (root object header continuation of impossible size 504684633242206464)"));
    REQUIRE_THAT(load_error(c + "regression-continuation-size-dirty-reserved"),
                 Catch::Contains("damaged HDF5 file (root object header continuation of impossible size"));
    REQUIRE_THAT(load_error(c + "regression-hdf5-leak-on-open"), Catch::Contains("HDF5 file"));
    // HDF5 copied an attribute's parts past the end of its message (heap-buffer-overflow).
    REQUIRE_THAT(load_error(c + "regression-driver-info-size"),
                 Catch::Contains("damaged HDF5 file (superblock with a driver information block, which elman does not read)"));
    REQUIRE_THAT(load_error(c + "regression-vlen-base-size"),
                 Catch::Contains("damaged HDF5 file (root variable-length attribute value of impossible size)"));
    REQUIRE_THAT(load_error(c + "regression-vlen-heap-index"),
                 Catch::Contains("damaged HDF5 file (root variable-length attribute value outside its global heap)"));
    REQUIRE_THAT(load_error(c + "regression-symbol-table-undefined-btree"),
                 Catch::Contains("damaged HDF5 file (root symbol table message pointing outside the file)"));
    REQUIRE_THAT(load_error(c + "regression-attribute-message-overflow"),
                 Catch::Contains("damaged HDF5 file (attribute message whose parts exceed it at byte 6144)"));
}

TEST_CASE("keras: Keras 3 .keras files with LSTMs give Keras' predictions", "[keras][lstm]")
{
    const Sequential<float> m = require_predicts("lstm_k3_stacked.keras", "lstm_k3_stacked");
    REQUIRE(lstm_at(m, 0).options().return_sequences);
    REQUIRE(lstm_at(m, 1).options().go_backwards);
    REQUIRE(lstm_at(m, 1).param_count() == 4 * 3 * (4 + 3 + 1));
    // a Functional model whose Dense reads the LSTM's output 1 (h, the output without sequences)
    require_predicts("lstm_k3_return_state.keras", "lstm_k3_return_state");
    // the minimal config of a foreign writer (units, activations, return_sequences only)
    const Sequential<float> minimal = load_keras<float>(k_dir + "err_lstm.keras");
    REQUIRE(lstm_at(minimal, 0).options().units == 3);
}

TEST_CASE("keras: legacy .h5 LSTMs of tf.keras 2, Keras 3, Keras 1 and CuDNNLSTM load with their numbers", "[keras][lstm]")
{
    // "hard_sigmoid" in a Keras 2 file is Keras 2's clip(0.2x + 0.5, 0, 1) ...
    const Sequential<float> k2 = require_predicts("lstm_k2_hard_sigmoid.h5", "lstm_k2_hard_sigmoid");
    REQUIRE(lstm_at(k2, 0).options().recurrent_activation == Activation::hard_sigmoid_keras2);
    // ... and in a Keras 3 file Keras 3's relu6(x + 3)/6: the same weights, other outputs
    const Sequential<float> k3 = require_predicts("lstm_k3_legacy_hard_sigmoid.h5", "lstm_k3_legacy_hard_sigmoid");
    REQUIRE(lstm_at(k3, 0).options().recurrent_activation == Activation::hard_sigmoid);
    const Tensor<float> d = fixture("lstm_k2_hard_sigmoid.y") - fixture("lstm_k3_legacy_hard_sigmoid.y");
    REQUIRE(xt::amax(xt::abs(d))() > 1e-3f);
    // Keras 1: output_dim, inner_activation, 12 per-gate weights in the order i, c, f, o
    const Sequential<float> k1 = require_predicts("lstm_k1.h5", "lstm_k1");
    REQUIRE(lstm_at(k1, 0).options().recurrent_activation == Activation::hard_sigmoid_keras2);
    // CuDNNLSTM: its two biases summed into one
    require_predicts("lstm_cudnn.h5", "lstm_cudnn");
}

TEST_CASE("keras: an LSTM's cell state fed to the next layer is refused, naming both layers", "[keras][lstm][errors]")
{
    REQUIRE_THAT(load_error(k_dir + "err_lstm_cell_state.keras"),
                 Catch::Contains("err_lstm_cell_state.keras: layer 'dense' takes output 2 of layer 'lstm' (LSTM); elman passes on "
                                 "a layer's first output only"));
}
