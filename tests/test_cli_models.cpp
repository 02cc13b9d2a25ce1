// `elman predict --model PATH --input X.npy --output Y.npy`, `elman convert IN OUT` and `elman
// summary --model PATH` on Keras, checkpoint and ONNX files, and their one-line errors.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "cli_run.hpp"
#include "io/keras.hpp"
#include "io/npy.hpp"
#include "temp_dir.hpp"

using namespace elman;
using elman::test::run_cli;
namespace fs = std::filesystem;

namespace {

const std::string k_dir = std::string(ELMAN_SOURCE_DIR) + "/tests/fixtures/keras/";

void require_close(const Tensor<float>& a, const Tensor<float>& b)
{
    REQUIRE(Shape(a.shape().begin(), a.shape().end()) == Shape(b.shape().begin(), b.shape().end()));
    for (std::size_t i = 0; i < a.size(); ++i) REQUIRE(std::abs(a.data()[i] - b.data()[i]) <= 1e-5f * std::abs(b.data()[i]) + 1e-6f);
}

}  // namespace

TEST_CASE("cli: predict --input runs .keras, .h5, checkpoint and .onnx models and gives Keras' numbers", "[cli]")
{
    elman::test::TempDir tmp("elman-cli-models");
    for (const std::string c : {"k3_stacked.keras", "k2_tfkeras.h5", "k1_model.h5", "k3_functional.keras"}) {
        INFO(c);
        const std::string cas = c.substr(0, c.find('.'));
        const std::string y = (tmp.path / (cas + ".y.npy")).string();
        const auto r = run_cli({"predict", "--model", k_dir + c, "--input", k_dir + cas + ".x.npy", "--output", y}, tmp.path);
        INFO(r.err);
        REQUIRE(r.status == 0);
        REQUIRE_THAT(r.out, Catch::Contains(y + ": ["));
        require_close(load_npy<float>(y), load_npy<float>(k_dir + cas + ".y.npy"));
        // The same model through a checkpoint and through ONNX.
        for (const std::string to : {"ckpt", "m.onnx", "m.keras"}) {
            const std::string conv = (tmp.path / (cas + "_" + to)).string();
            REQUIRE(run_cli({"convert", k_dir + c, conv}, tmp.path).status == 0);
            const std::string y2 = (tmp.path / (cas + "_" + to + ".y.npy")).string();
            REQUIRE(run_cli({"predict", "-m", conv, "--input", k_dir + cas + ".x.npy", "--output", y2}, tmp.path).status == 0);
            require_close(load_npy<float>(y2), load_npy<float>(k_dir + cas + ".y.npy"));
        }
    }
}

TEST_CASE("cli: predict, convert and summary run LSTM models of .keras, .h5, checkpoints and .onnx", "[cli][lstm]")
{
    elman::test::TempDir tmp("elman-cli-models");
    const auto predicts = [&](const std::string& model, const std::string& cas) {
        const std::string y = (tmp.path / (cas + ".y.npy")).string();
        const auto r = run_cli({"predict", "--model", model, "--input", k_dir + cas + ".x.npy", "--output", y}, tmp.path);
        INFO(model << ": " << r.err);
        REQUIRE(r.status == 0);
        require_close(load_npy<float>(y), load_npy<float>(k_dir + cas + ".y.npy"));
    };
    for (const std::string c : {"lstm_k2_hard_sigmoid.h5", "lstm_k1.h5", "lstm_cudnn.h5"}) predicts(k_dir + c, c.substr(0, c.find('.')));
    // .keras -> checkpoint -> .onnx, each giving the file's predictions
    const std::string ckpt = (tmp.path / "stacked_ckpt").string(), onnx = (tmp.path / "stacked.onnx").string();
    REQUIRE(run_cli({"convert", k_dir + "lstm_k3_stacked.keras", ckpt}, tmp.path).status == 0);
    REQUIRE(run_cli({"convert", ckpt, onnx}, tmp.path).status == 0);
    for (const std::string& m : {k_dir + "lstm_k3_stacked.keras", ckpt, onnx}) predicts(m, "lstm_k3_stacked");
    const auto s = run_cli({"summary", "--model", ckpt}, tmp.path);
    REQUIRE(s.status == 0);
    REQUIRE_THAT(s.out, Catch::Contains("lstm (LSTM)") && Catch::Contains("lstm_1 (LSTM)"));
    REQUIRE_THAT(s.out, Catch::Contains("112 = 4·4·(2 + 4 + 1)") && Catch::Contains("96 = 4·3·(4 + 3 + 1)"));
}

TEST_CASE("cli: predict --input keeps float64 input in float64", "[cli]")
{
    elman::test::TempDir tmp("elman-cli-models");
    const std::string x = (tmp.path / "x64.npy").string(), y = (tmp.path / "y64.npy").string();
    save_npy(x, load_npy<double>(k_dir + "k3_stacked.x.npy"));
    const auto r = run_cli({"predict", "--model", k_dir + "k3_stacked.keras", "--input", x, "--output", y}, tmp.path);
    REQUIRE(r.status == 0);
    REQUIRE_THAT(r.out, Catch::Contains("float64"));
    REQUIRE(npy_descr_of(y) == "<f8");
    const Tensor<double> got = load_npy<double>(y);
    const Tensor<float> want = load_npy<float>(k_dir + "k3_stacked.y.npy");
    for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(std::abs(got.data()[i] - want.data()[i]) <= 1e-5 * std::abs(want.data()[i]) + 1e-6);
}

TEST_CASE("cli: summary --model prints the Keras table with each layer's formula", "[cli]")
{
    elman::test::TempDir tmp("elman-cli-models");
    const auto r = run_cli({"summary", "--model", k_dir + "k2_list_config.h5"}, tmp.path);
    REQUIRE(r.status == 0);
    REQUIRE_THAT(r.out, Catch::Contains("k2_list_config.h5 (.h5)"));
    REQUIRE_THAT(r.out, Catch::Contains("simple_rnn_1 (SimpleRNN)"));
    REQUIRE_THAT(r.out, Catch::Contains("18 = 3·(2 + 3 + 1)"));
    REQUIRE_THAT(r.out, Catch::Contains("dense_1 (Dense)"));
    REQUIRE_THAT(r.out, Catch::Contains("8 = 3·2 + 2"));
    const auto o = run_cli({"summary", "-m", std::string(ELMAN_SOURCE_DIR) + "/tests/fixtures/onnx/torch_rnn_linear.onnx"}, tmp.path);
    REQUIRE(o.status == 0);
    REQUIRE_THAT(o.out, Catch::Contains("45 = 5·(3 + 5 + 1)"));
}

TEST_CASE("cli: model-file errors are one line naming the file and the reason, and write nothing", "[cli][errors]")
{
    elman::test::TempDir tmp("elman-cli-models");
    const std::string y = (tmp.path / "y.npy").string();
    const auto check = [&](const std::vector<std::string>& args, const std::string& message) {
        const auto r = run_cli(args, tmp.path);
        INFO(r.err);
        REQUIRE(r.status != 0);
        REQUIRE(r.err.rfind("elman: error: ", 0) == 0);
        REQUIRE(r.err.find('\n') == r.err.size() - 1);
        REQUIRE_THAT(r.err, Catch::Contains(message));
        REQUIRE_FALSE(fs::exists(y));
    };
    check({"predict", "--model", k_dir + "err_lstm_cell_state.keras", "--input", k_dir + "k3_stacked.x.npy", "--output", y},
          "layer 'dense' takes output 2 of layer 'lstm' (LSTM)");
    check({"predict", "--model", k_dir + "k3_stacked.keras", "--input", k_dir + "k1_model.x.npy", "--output", y},
          "shape [2,4,2] does not fit the model, which takes [N,6,3]");
    check({"predict", "--model", k_dir + "k3_stacked.keras", "--input", k_dir + "k3_stacked.keras", "--output", y},
          "k3_stacked.keras: is not a .npy file");
    check({"predict", "--model", k_dir + "err_not_a_model.keras", "--input", k_dir + "k3_stacked.x.npy", "--output", y},
          "neither a .keras archive (zip) nor an HDF5");
    check({"predict", "--model", k_dir + "k3_stacked.keras", "--input", k_dir + "k3_stacked.x.npy"}, "predict --input needs --output");
    check({"convert", k_dir + "k1_model.h5", (tmp.path / "out.h5").string()}, "does not write them");
    check({"convert", k_dir + "k1_model.h5", (tmp.path / "out.txt").string()}, "unknown model file extension '.txt'");
    check({"summary"}, "give --model PATH, or --units N");
    // A negative count was read as 2^64 - 3 and ended in std::bad_array_new_length.
    check({"summary", "--units", "-3"}, "--units: must be 0 or more, not -3");
    check({"summary", "--units", "4", "--input-dim", "-1"}, "--input-dim: must be 0 or more, not -1");
    // Converting a file onto itself would rewrite it with only what elman keeps.
    const fs::path same = tmp.path / "same.keras";
    fs::copy_file(k_dir + "k3_stacked.keras", same);
    const auto before = fs::file_size(same);
    check({"convert", same.string(), same.string()}, "are the same file");
    CHECK(fs::file_size(same) == before);
}

TEST_CASE("cli: model errors name CLI flags, convert refuses what elman cannot read back", "[cli][errors]")
{
    elman::test::TempDir tmp("elman-cli-flags");
    const auto fails = [&](const std::vector<std::string>& args, const std::string& message) {
        const auto r = run_cli(args, tmp.path);
        INFO(r.err);
        REQUIRE(r.status != 0);
        REQUIRE(r.err.find('\n') == r.err.size() - 1);
        REQUIRE_THAT(r.err, Catch::Contains(message));
        // No C++ name a command-line user cannot act on.
        for (const char* cpp : {"Options::", "load_keras_weights", "import_onnx", "export_onnx"})
            REQUIRE_THAT(r.err, !Catch::Contains(cpp));
        return r;
    };
    fails({"summary", "--model", k_dir + "k2_weights_only.h5"}, "save one in Keras with model.save('model.keras')");
    const std::string stateful = k_dir + "k3_stateful.keras";
    const fs::path keras = tmp.path / "s.keras", onnx = tmp.path / "s.onnx";
    fails({"convert", stateful, keras.string()}, "give it with --batch-size N");
    REQUIRE_FALSE(fs::exists(keras));
    REQUIRE(run_cli({"convert", stateful, keras.string(), "--batch-size", "2"}, tmp.path).status == 0);
    REQUIRE(run_cli({"summary", "--model", keras.string()}, tmp.path).status == 0);
    // ONNX of a stateful layer: a second input and output elman cannot read; refused unless asked for.
    fails({"convert", stateful, onnx.string()}, "give --state-io");
    REQUIRE_FALSE(fs::exists(onnx));
    REQUIRE(run_cli({"convert", stateful, onnx.string(), "--state-io"}, tmp.path).status == 0);
    fails({"summary", "--model", onnx.string()}, "choose one with --onnx-output NAME");
    fails({"summary", "--model", onnx.string(), "--onnx-output", "output"},
          "a stateful layer's state input is not read");
    // --onnx-output picks an output by name, and names one that is not there.
    const std::string rnn = std::string(ELMAN_SOURCE_DIR) + "/tests/fixtures/onnx/torch_rnn_linear.onnx";
    REQUIRE(run_cli({"summary", "--model", rnn, "--onnx-output", "y"}, tmp.path).status == 0);
    fails({"summary", "--model", rnn, "--onnx-output", "Y_h"}, "the graph has no output 'Y_h'");
    fails({"summary", "--model", stateful, "--onnx-output", "y"}, "is not an .onnx file");
}
