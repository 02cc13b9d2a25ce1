// The exported ONNX files run in a real runtime: onnxruntime (npm's onnxruntime-node, its
// prebuilt CPU runtime, installed by tools/setup.sh) gives elman's predictions to 1e-5
// relative in float32, for every model of tests/onnx_models.hpp, and a stateful model carries
// its state through the graph's extra input and output over two calls.
//
// The runtime must be there: the test fails when it is missing, unless ELMAN_SKIP_ONNXRUNTIME=1
// says to skip (for a machine without Node.js; CI never sets it).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "io/npy.hpp"
#include "io/onnx.hpp"
#include "layers/fit.hpp"
#include "lstm_models.hpp"
#include "onnx_models.hpp"
#include "temp_dir.hpp"

using namespace elman;
namespace fs = std::filesystem;

namespace {

const std::string k_node = ELMAN_NODE;
const std::string k_ort = ELMAN_ONNXRUNTIME_NODE;
const std::string k_runner = std::string(ELMAN_SOURCE_DIR) + "/tests/onnx/run_onnxruntime.js";

// false: skip (only when ELMAN_SKIP_ONNXRUNTIME=1); a missing runtime otherwise fails.
bool runtime_ready()
{
    const bool present = !k_node.empty() && fs::exists(k_node) && fs::exists(k_ort + "/package.json");
    if (present) return true;
    const char* skip = std::getenv("ELMAN_SKIP_ONNXRUNTIME");
    if (skip && std::string(skip) == "1") {
        WARN("onnxruntime-node not found (node: '" << k_node << "', module: " << k_ort << "); skipped: ELMAN_SKIP_ONNXRUNTIME=1");
        return false;
    }
    FAIL("onnxruntime-node is missing (node: '" << k_node << "', module: " << k_ort
         << "): run tools/setup.sh, or set ELMAN_SKIP_ONNXRUNTIME=1 to skip on purpose");
    return false;
}

std::string quote(const std::string& s) { return "'" + s + "'"; }

// Runs model in onnxruntime: feeds name=file pairs, fetches name=file pairs.
void run_ort(const std::string& model, const std::vector<std::pair<std::string, std::string>>& feeds,
             const std::vector<std::pair<std::string, std::string>>& fetches)
{
    std::string cmd = quote(k_node) + " " + quote(k_runner) + " " + quote(k_ort) + " " + quote(model);
    for (const auto& [n, f] : feeds) cmd += " " + quote(n + "=" + f);
    cmd += " --";
    for (const auto& [n, f] : fetches) cmd += " " + quote(n + "=" + f);
    INFO(cmd);
    REQUIRE(std::system(cmd.c_str()) == 0);
}

void require_close(const Tensor<float>& ort, const Tensor<float>& elman)
{
    REQUIRE(Shape(ort.shape().begin(), ort.shape().end()) == Shape(elman.shape().begin(), elman.shape().end()));
    for (std::size_t i = 0; i < ort.size(); ++i) {
        INFO("flat index " << i << ": onnxruntime " << ort.data()[i] << ", elman " << elman.data()[i]);
        REQUIRE(std::abs(ort.data()[i] - elman.data()[i]) <= 1e-5f * std::abs(elman.data()[i]) + 1e-6f);
    }
}

}  // namespace

TEST_CASE("onnxruntime: exported models give elman's predictions (float32, 1e-5 relative)", "[onnx][onnxruntime]")
{
    if (!runtime_ready()) return;
    elman::test::TempDir tmp("elman-ort-test");
    std::uint64_t seed = 500;
    auto cases = elman::test::onnx_cases();
    // (the LSTMs loaded from Keras files export as any LSTM does; test_onnx imports them back)
    for (auto& c : elman::test::onnx_lstm_cases())
        if (c.name.rfind("keras_", 0) != 0) cases.push_back(std::move(c));
    for (const auto& c : cases) {
        INFO(c.name);
        Sequential<float> m = c.make();
        const fs::path model = tmp.path / (c.name + ".onnx"), x_file = tmp.path / (c.name + ".x.npy"),
                       y_file = tmp.path / (c.name + ".y.npy");
        export_onnx(model.string(), m);
        const Tensor<float> x = elman::test::onnx_input(c.x_shape, seed++);
        save_npy(x_file.string(), x);
        run_ort(model.string(), {{"input", x_file.string()}}, {{"output", y_file.string()}});
        require_close(load_npy<float>(y_file.string()), predict(m, x));
    }
}

TEST_CASE("onnxruntime: a stateful export carries its state through initial_state / state over two calls", "[onnx][onnxruntime]")
{
    if (!runtime_ready()) return;
    elman::test::TempDir tmp("elman-ort-test");
    const std::string k = std::string(ELMAN_SOURCE_DIR) + "/tests/fixtures/keras/";
    Sequential<float> m = load_keras<float>(k + "k3_stateful.keras");
    const fs::path model = tmp.path / "stateful.onnx";
    export_onnx(model.string(), m);
    const Tensor<float> x1 = load_npy<float>(k + "k3_stateful.x.npy"), x2 = load_npy<float>(k + "k3_stateful.x2.npy");
    const fs::path s0 = tmp.path / "s0.npy", s1 = tmp.path / "s1.npy", y1 = tmp.path / "y1.npy", y2 = tmp.path / "y2.npy";
    save_npy(s0.string(), Tensor<float>(xt::zeros<float>({2, 3})));
    save_npy((tmp.path / "x1.npy").string(), x1);
    save_npy((tmp.path / "x2.npy").string(), x2);
    run_ort(model.string(), {{"input", (tmp.path / "x1.npy").string()}, {"simple_rnn/initial_state", s0.string()}},
            {{"output", y1.string()}, {"simple_rnn/state", s1.string()}});
    run_ort(model.string(), {{"input", (tmp.path / "x2.npy").string()}, {"simple_rnn/initial_state", s1.string()}},
            {{"output", y2.string()}});
    // elman's own two stateful calls, and Keras' (the fixture's numpy reference).
    require_close(load_npy<float>(y1.string()), predict(m, x1));
    require_close(load_npy<float>(y2.string()), predict(m, x2));
    require_close(load_npy<float>(y2.string()), load_npy<float>(k + "k3_stateful.y2.npy"));
}

TEST_CASE("onnxruntime: a stateful LSTM export carries h and c through its state inputs and outputs", "[onnx][onnxruntime][lstm]")
{
    if (!runtime_ready()) return;
    elman::test::TempDir tmp("elman-ort-test");
    Sequential<float> m;
    m.emplace<LSTM<float>>(LSTMOptions{.units = 3, .stateful = true, .bias_initializer = "random_uniform", .seed = 41});
    m.build({0, 2});
    const fs::path model = tmp.path / "stateful_lstm.onnx";
    export_onnx(model.string(), m);
    const Tensor<float> x1 = elman::test::onnx_input({2, 4, 2}, 42), x2 = elman::test::onnx_input({2, 4, 2}, 43);
    const auto file = [&](const std::string& n) { return (tmp.path / n).string(); };
    save_npy(file("x1.npy"), x1);
    save_npy(file("x2.npy"), x2);
    save_npy(file("zeros.npy"), Tensor<float>(xt::zeros<float>({2, 3})));
    run_ort(model.string(), {{"input", file("x1.npy")}, {"lstm/initial_state_h", file("zeros.npy")}, {"lstm/initial_state_c", file("zeros.npy")}},
            {{"output", file("y1.npy")}, {"lstm/state_h", file("h1.npy")}, {"lstm/state_c", file("c1.npy")}});
    run_ort(model.string(), {{"input", file("x2.npy")}, {"lstm/initial_state_h", file("h1.npy")}, {"lstm/initial_state_c", file("c1.npy")}},
            {{"output", file("y2.npy")}});
    require_close(load_npy<float>(file("y1.npy")), predict(m, x1, 2));
    const auto& lstm = dynamic_cast<const LSTM<float>&>(*m.layers()[0]);
    require_close(load_npy<float>(file("c1.npy")), lstm.state_c());
    require_close(load_npy<float>(file("y2.npy")), predict(m, x2, 2));
}
