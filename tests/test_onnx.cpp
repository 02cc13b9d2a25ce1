// ONNX: exported models pass the checker (export_onnx runs it) and import back to the same
// predictions; import_onnx reads ONNX's own RNN and LSTM node tests (libonnx-testdata, with
// their inputs and expected outputs) and torch.onnx.export files of nn.RNN and nn.LSTM.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <xtensor/xview.hpp>

#include "io/npy.hpp"
#include "io/onnx.hpp"
#include "layers/fit.hpp"
#include "layers/lstm.hpp"
#include "lstm_models.hpp"
#include "onnx_models.hpp"
#include "temp_dir.hpp"

using namespace elman;
namespace fs = std::filesystem;

namespace {

const std::string k_testdata = "/usr/share/libonnx-testdata/data/node/";
const std::string k_fix = std::string(ELMAN_SOURCE_DIR) + "/tests/fixtures/onnx/";

void require_close(const Tensor<float>& a, const Tensor<float>& b, float rtol = 1e-5f)
{
    REQUIRE(Shape(a.shape().begin(), a.shape().end()) == Shape(b.shape().begin(), b.shape().end()));
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO("flat index " << i << ": " << a.data()[i] << " vs " << b.data()[i]);
        REQUIRE(std::abs(a.data()[i] - b.data()[i]) <= rtol * std::abs(b.data()[i]) + 1e-6f);
    }
}

std::string import_error(const std::string& path, const OnnxImportOptions<float>& o = {})
{
    try {
        (void)import_onnx<float>(path, o);
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("onnx: ONNX's RNN, GRU and LSTM node tests import with their weights and give the expected outputs", "[onnx]")
{
    // the GRU tests: linear_before_reset = 0 (ONNX's default, Keras' reset_after = false)
    for (const std::string name : {"test_simple_rnn_defaults", "test_simple_rnn_with_initial_bias", "test_rnn_seq_length",
                                   "test_simple_rnn_batchwise", "test_gru_defaults", "test_gru_with_initial_bias",
                                   "test_gru_seq_length", "test_gru_batchwise", "test_lstm_defaults", "test_lstm_with_initial_bias",
                                   "test_lstm_batchwise"}) {
        INFO(name);
        const std::string dir = k_testdata + name + "/";
        REQUIRE(fs::exists(dir + "model.onnx"));  // Debian's libonnx-testdata (tools/setup.sh)
        const std::string data = dir + "test_data_set_0/";
        OnnxImportOptions<float> o;
        o.constants["W"] = load_onnx_tensor<float>(data + "input_1.pb");
        o.constants["R"] = load_onnx_tensor<float>(data + "input_2.pb");
        if (fs::exists(data + "input_3.pb")) o.constants["B"] = load_onnx_tensor<float>(data + "input_3.pb");
        const bool batchwise = name.ends_with("_batchwise");
        if (batchwise) o.output = "Y_h";  // the graph returns Y and Y_h; one chain at a time
        OnnxImportReport rep;
        Sequential<float> m = import_onnx<float>(dir + "model.onnx", o, &rep);
        REQUIRE(rep.input_time_major == !batchwise);  // layout 0 takes X as [T,B,F]
        REQUIRE(rep.output_time_major);                // Y_h keeps ONNX's direction axis
        Tensor<float> x = load_onnx_tensor<float>(data + "input_0.pb");
        if (!batchwise) x = xt::transpose(x, {1, 0, 2});
        const Tensor<float> y = predict(m, x);
        Tensor<float> want = load_onnx_tensor<float>(data + (batchwise ? "output_1.pb" : "output_0.pb"));
        want.reshape({y.shape()[0], y.shape()[1]});  // [1,B,U] / [B,1,U] -> [B,U]
        require_close(y, want);
    }
}

TEST_CASE("onnx: torch.onnx.export files of nn.RNN, nn.GRU and nn.LSTM import and give PyTorch's outputs", "[onnx]")
{
    for (const std::string name : {"torch_rnn_linear", "torch_rnn2_relu_seq", "torch_gru_linear", "torch_lstm_linear", "torch_lstm2_seq"}) {
        INFO(name);
        OnnxImportReport rep;
        Sequential<float> m = import_onnx<float>(k_fix + name + ".onnx", {}, &rep);
        REQUIRE_FALSE(rep.input_time_major);  // torch transposes batch_first input itself
        REQUIRE_FALSE(rep.output_time_major);
        require_close(predict(m, load_npy<float>(k_fix + name + ".x.npy")), load_npy<float>(k_fix + name + ".y.npy"));
    }
    Sequential<float> m = import_onnx<float>(k_fix + "torch_rnn2_relu_seq.onnx");
    REQUIRE(m.layers().size() == 2);
    REQUIRE(dynamic_cast<const SimpleRNN<float>&>(*m.layers()[1]).options().activation == Activation::relu);
    // nn.GRU is Keras' reset_after form (ONNX: linear_before_reset = 1)
    Sequential<float> g = import_onnx<float>(k_fix + "torch_gru_linear.onnx");
    REQUIRE(g.layers().size() == 3);
    REQUIRE(dynamic_cast<const GRU<float>&>(*g.layers()[0]).options().reset_after);
    REQUIRE(dynamic_cast<const GRU<float>&>(*g.layers()[1]).options().reset_after);
    // torch's LSTM node: gates i, o, f, c, two biases, zero initial_h and initial_c
    Sequential<float> l = import_onnx<float>(k_fix + "torch_lstm2_seq.onnx");
    REQUIRE(l.layers().size() == 2);
    REQUIRE(dynamic_cast<const LSTM<float>&>(*l.layers()[1]).options().return_sequences);
}

TEST_CASE("onnx: every exported model imports back to the same predictions", "[onnx]")
{
    elman::test::TempDir tmp("elman-onnx-test");
    std::uint64_t seed = 100;
    auto cases = elman::test::onnx_cases();
    for (auto& c : elman::test::onnx_lstm_cases()) cases.push_back(std::move(c));
    for (const auto& c : cases) {
        INFO(c.name);
        Sequential<float> m = c.make();
        const std::string path = (tmp.path / (c.name + ".onnx")).string();
        export_onnx(path, m);
        Sequential<float> back = import_onnx<float>(path);
        const Tensor<float> x = elman::test::onnx_input(c.x_shape, seed++);
        require_close(predict(back, x), predict(m, x), 1e-6f);
    }
}

TEST_CASE("onnx: export and import errors name the file, the layer or node and the reason", "[onnx][errors]")
{
    elman::test::TempDir tmp("elman-onnx-test");
    Sequential<float> m;
    m.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 2});
    REQUIRE_THROWS_WITH(export_onnx((tmp.path / "a.onnx").string(), m), Catch::Contains("a.onnx: export_onnx: the model is not built"));
    const std::string conv = k_testdata + "test_basic_conv_with_padding/";
    REQUIRE_THAT(import_error(conv + "model.onnx", {.constants = {{"W", load_onnx_tensor<float>(conv + "test_data_set_0/input_1.pb")}}, .output = ""}),
                 Catch::Contains("model.onnx: node '' (Conv): operator Conv is not supported (elman imports RNN, GRU, LSTM, Gemm"));
    // an LSTM with peepholes, which Keras' LSTM does not have
    const std::string peep = k_testdata + "test_lstm_with_peepholes/";
    OnnxImportOptions<float> po;
    for (const auto& [i, name] : std::vector<std::pair<int, std::string>>{{1, "W"}, {2, "R"}, {3, "B"}, {5, "initial_h"}, {6, "initial_c"}, {7, "P"}})
        po.constants[name] = load_onnx_tensor<float>(peep + "test_data_set_0/input_" + std::to_string(i) + ".pb");
    po.constants["sequence_lens"] = Tensor<float>(xt::zeros<float>({2}));
    REQUIRE_THAT(import_error(peep + "model.onnx", po), Catch::Contains("(LSTM): peepholes (input P) are not supported"));
    REQUIRE_THAT(import_error(k_fix + "torch_rnn_linear.x.npy"), Catch::Contains("torch_rnn_linear.x.npy: not an ONNX model"));
    // The file's dims claim a [0, 10^9] kernel: refused before anything is sized from them.
    REQUIRE_THAT(import_error(k_fix + "err_empty_weight.onnx"), Catch::Contains("tensor 'W' has shape [0,1000000000] with no elements"));
    // Nodes given fewer inputs than ONNX defines: named, never read past the node's input list.
    REQUIRE_THAT(import_error(k_fix + "err_matmul_one_input.onnx"),
                 Catch::Contains("node 'matmul_1' (MatMul): needs at least 2 inputs, the file gives it 1"));
    REQUIRE_THAT(import_error(k_fix + "err_add_one_input.onnx"), Catch::Contains("node 'add_1' (Add): needs at least 2 inputs, the file gives it 1"));
    REQUIRE_THAT(import_error(k_testdata + "test_simple_rnn_defaults/model.onnx"),
                 Catch::Contains("the graph has 3 data inputs; elman imports single-input graphs"));
    REQUIRE_THAT(import_error(k_testdata + "test_simple_rnn_batchwise/model.onnx", {.constants = {}, .output = "Z"}),
                 Catch::Contains("the graph has no output 'Z'"));
}
