// GRU in every file format elman reads and writes (io/): Keras 3 .keras and legacy .h5 files of
// Keras 3, tf.keras 2 and Keras 2.2 (tests/fixtures/make_gru_keras_fixtures.py, with numpy
// references), save_keras, checkpoints and ONNX export/import, and the command line's
// predict / summary / convert on them.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "check.hpp"
#include "cli_run.hpp"
#include "io/checkpoint.hpp"
#include "io/detail/zip.hpp"
#include "io/files.hpp"
#include "io/keras.hpp"
#include "io/npy.hpp"
#include "io/onnx.hpp"
#include "layers/bidirectional.hpp"
#include "layers/dense.hpp"
#include "layers/fit.hpp"
#include "layers/gru.hpp"
#include "temp_dir.hpp"

using namespace elman;
namespace fs = std::filesystem;

namespace {

const std::string k_dir = std::string(ELMAN_SOURCE_DIR) + "/tests/fixtures/keras/";

void require_near(const Tensor<float>& got, const Tensor<float>& want, const std::string& what)
{
    INFO(what);
    REQUIRE(Shape(got.shape().begin(), got.shape().end()) == Shape(want.shape().begin(), want.shape().end()));
    for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("flat index " << i << ": " << got.data()[i] << " vs " << want.data()[i]);
        REQUIRE(std::abs(got.data()[i] - want.data()[i]) <= 1e-5f * std::abs(want.data()[i]) + 1e-6f);
    }
}

const GRU<float>& gru_at(const Sequential<float>& m, std::size_t i)
{
    const auto* g = dynamic_cast<const GRU<float>*>(m.layers().at(i).get());
    REQUIRE(g != nullptr);
    return *g;
}

// A GRU model with every option that changes the numbers set away from its default.
Sequential<float> odd_gru_model()
{
    Sequential<float> m;
    m.emplace<GRU<float>>(GRUOptions{.units = 3, .activation = Activation::relu,
                                     .recurrent_activation = Activation::hard_sigmoid, .use_bias = true,
                                     .reset_after = false, .return_sequences = true, .go_backwards = true,
                                     .bias_initializer = "random_normal", .seed = 4, .dropout = 0.25,
                                     .recurrent_dropout = 0.5});
    m.emplace<GRU<float>>(GRUOptions{.units = 2, .use_bias = false, .seed = 5});
    m.emplace<Dense<float>>(DenseOptions{.units = 1, .seed = 6});
    m.build({0, 2});
    return m;
}

}  // namespace

TEST_CASE("gru io: Keras 3 .keras files (GRU both reset forms, Bidirectional(GRU)) give the "
          "reference predictions", "[gru][keras]")
{
    for (const std::string c : {"gru_k3", "gru_k3_bidirectional"}) {
        INFO(c);
        Sequential<float> m = load_keras<float>(k_dir + c + ".keras");
        require_near(predict(m, load_npy<float>(k_dir + c + ".x.npy")), load_npy<float>(k_dir + c + ".y.npy"), c);
    }
    Sequential<float> m = load_keras<float>(k_dir + "gru_k3.keras");
    REQUIRE(gru_at(m, 0).options().reset_after);
    REQUIRE_FALSE(gru_at(m, 1).options().reset_after);
    // Keras 3's hard_sigmoid, as the file is Keras 3's
    REQUIRE(gru_at(m, 1).options().recurrent_activation == Activation::hard_sigmoid);
    REQUIRE(m.param_count() == 3 * 4 * (2 + 4 + 2) + 3 * 3 * (4 + 3 + 1) + 3 + 1);
}

TEST_CASE("gru io: legacy .h5 GRUs of Keras 3, tf.keras 2 and Keras 2.2 load, Keras 2's "
          "hard_sigmoid with its own definition", "[gru][keras]")
{
    for (const std::string c : {"gru_k3_legacy", "gru_k2_tfkeras", "gru_k2_keras22"}) {
        INFO(c);
        Sequential<float> m = load_keras<float>(k_dir + c + ".h5");
        require_near(predict(m, load_npy<float>(k_dir + c + ".x.npy")), load_npy<float>(k_dir + c + ".y.npy"), c);
    }
    // Keras 2.2's GRU: reset_after false (bias [3U]) and hard_sigmoid = clip(0.2x + 0.5, 0, 1);
    // read with Keras 3's definition the same file predicts something else.
    Sequential<float> old = load_keras<float>(k_dir + "gru_k2_keras22.h5");
    REQUIRE_FALSE(gru_at(old, 0).options().reset_after);
    REQUIRE(gru_at(old, 0).options().recurrent_activation == Activation::hard_sigmoid_keras2);
    REQUIRE(gru_at(old, 0).bias.value.shape() == std::vector<std::size_t>{12});
    const Tensor<float> as_keras3 = load_npy<float>(k_dir + "gru_k2_keras22.y_as_keras3.npy");
    const Tensor<float> y = predict(old, load_npy<float>(k_dir + "gru_k2_keras22.x.npy"));
    REQUIRE(xt::amax(xt::abs(y - as_keras3))() > 1e-3f);
    // its weights alone, into the same architecture built here (Keras 2's load_weights: by order)
    Sequential<float> built;
    built.emplace<GRU<float>>(GRUOptions{.units = 4, .recurrent_activation = Activation::hard_sigmoid_keras2,
                                         .reset_after = false});
    built.emplace<Dense<float>>(DenseOptions{.units = 1});
    built.build({0, 2});
    load_keras_weights(k_dir + "gru_k2_keras22.h5", built);
    require_near(predict(built, load_npy<float>(k_dir + "gru_k2_keras22.x.npy")),
                 load_npy<float>(k_dir + "gru_k2_keras22.y.npy"), "weights only");
    // tf.keras 2's default GRU is the reset_after form with sigmoid gates
    Sequential<float> tf = load_keras<float>(k_dir + "gru_k2_tfkeras.h5");
    REQUIRE(gru_at(tf, 0).options().reset_after);
    REQUIRE(gru_at(tf, 0).options().go_backwards);
    REQUIRE(gru_at(tf, 0).options().recurrent_activation == Activation::sigmoid);
}

TEST_CASE("gru io: a Keras 1 GRU (nine per-gate weights) loads as reset_after = false with Keras "
          "1's hard_sigmoid, and per-gate weights that differ in shape are an error naming them", "[gru][keras]")
{
    Sequential<float> m = load_keras<float>(k_dir + "gru_k1.h5");
    require_near(predict(m, load_npy<float>(k_dir + "gru_k1.x.npy")), load_npy<float>(k_dir + "gru_k1.y.npy"), "gru_k1");
    REQUIRE_FALSE(gru_at(m, 0).options().reset_after);
    REQUIRE(gru_at(m, 0).options().recurrent_activation == Activation::hard_sigmoid_keras2);
    REQUIRE_THROWS_WITH(load_keras<float>(k_dir + "err_gru_keras1.h5"),
                        Catch::Contains("err_gru_keras1.h5: layer 'gru_1' (GRU)") &&
                            Catch::Contains("Keras 1 per-gate weights model_weights/gru_1/gru_1_U_z [3,3] and "
                                            "model_weights/gru_1/gru_1_U_h [3,4] differ in shape"));
}

TEST_CASE("gru io: save_keras writes Keras 3's GRU config and cell variables, and reads back",
          "[gru][keras]")
{
    elman::test::TempDir tmp("elman-gru-io");
    Sequential<float> m = odd_gru_model();
    const std::string path = (tmp.path / "m.keras").string();
    save_keras(path, m);
    // config.json: GRU.get_config()'s keys
    const std::string bytes = read_file_bytes(path);  // the reader reads from it, not from a copy
    const detail::ZipReader zip(bytes, path);
    const auto cfg = nlohmann::json::parse(zip.read("config.json"));
    const auto& g = cfg["config"]["layers"][1];
    REQUIRE(g["class_name"] == "GRU");
    for (const char* k : {"units", "activation", "recurrent_activation", "use_bias", "reset_after", "dropout",
                          "recurrent_dropout", "return_sequences", "go_backwards", "stateful", "unroll",
                          "kernel_initializer", "recurrent_initializer", "bias_initializer", "seed"})
        REQUIRE(g["config"].contains(k));
    REQUIRE(g["config"]["recurrent_activation"] == "hard_sigmoid");
    REQUIRE(g["config"]["reset_after"] == false);
    Sequential<float> back = load_keras<float>(path);
    const GRUOptions& o = gru_at(back, 0).options();
    REQUIRE(o.activation == Activation::relu);
    REQUIRE(o.recurrent_activation == Activation::hard_sigmoid);
    REQUIRE_FALSE(o.reset_after);
    REQUIRE(o.go_backwards);
    REQUIRE(o.dropout == 0.25);
    REQUIRE(o.recurrent_dropout == 0.5);
    REQUIRE_FALSE(gru_at(back, 1).options().use_bias);
    const Tensor<float> x = uniform<float>({2, 5, 2}, -1.0f, 1.0f, 3);
    require_near(predict(back, x), predict(m, x), "round trip");

    // Keras 2's hard sigmoid has no Keras 3 name
    Sequential<float> old = load_keras<float>(k_dir + "gru_k2_keras22.h5");
    REQUIRE_THROWS_WITH(save_keras((tmp.path / "old.keras").string(), old),
                        Catch::Contains("layer 'gru_1': recurrent_activation is Keras 2's hard sigmoid") &&
                            Catch::Contains("save an elman checkpoint or export ONNX instead"));
    REQUIRE_FALSE(fs::exists(tmp.path / "old.keras"));
}

TEST_CASE("gru io: checkpoints keep GRU and Bidirectional(GRU) with every option, float and double",
          "[gru][checkpoint]")
{
    elman::test::TempDir tmp("elman-gru-io");
    Sequential<float> m = odd_gru_model();
    save_checkpoint((tmp.path / "ckpt").string(), m);
    Sequential<float> back = load_model<float>((tmp.path / "ckpt").string());
    const Tensor<float> x = uniform<float>({3, 4, 2}, -1.0f, 1.0f, 4);
    REQUIRE((predict(back, x) == predict(m, x)));
    REQUIRE(gru_at(back, 0).options().seed == 4);
    REQUIRE(gru_at(back, 0).options().recurrent_activation == Activation::hard_sigmoid);

    // Keras 2's hard sigmoid survives a checkpoint under elman's own name
    Sequential<float> old = load_keras<float>(k_dir + "gru_k2_keras22.h5");
    save_checkpoint((tmp.path / "old").string(), old);
    Sequential<float> old_back = load_model<float>((tmp.path / "old").string());
    REQUIRE(gru_at(old_back, 0).options().recurrent_activation == Activation::hard_sigmoid_keras2);

    Sequential<double> bi;
    bi.emplace<Bidirectional<double>>(GRU<double>({.units = 2, .return_sequences = true, .seed = 1}));
    bi.emplace<Dense<double>>(DenseOptions{.units = 1, .seed = 2});
    bi.build({0, 3});
    save_checkpoint((tmp.path / "bi").string(), bi);
    REQUIRE(fs::exists(tmp.path / "bi/weights/bidirectional__backward_gru__bias.npy"));
    Sequential<double> bi_back = load_model<double>((tmp.path / "bi").string());
    const Tensor<double> xd = test::randn({2, 4, 3}, 5);
    REQUIRE((predict(bi_back, xd) == predict(bi, xd)));
}

TEST_CASE("gru io: ONNX export (GRU node) passes the checker and imports back to the same "
          "predictions", "[gru][onnx]")
{
    elman::test::TempDir tmp("elman-gru-io");
    const std::vector<std::string> files{"gru_k3.keras", "gru_k2_keras22.h5", "gru_k2_tfkeras.h5"};
    for (const std::string& f : files) {
        INFO(f);
        Sequential<float> m = load_keras<float>(k_dir + f);
        const std::string path = (tmp.path / (f + ".onnx")).string();
        export_onnx(path, m);
        Sequential<float> back = import_onnx<float>(path);
        const Tensor<float> x = load_npy<float>(k_dir + f.substr(0, f.find('.')) + ".x.npy");
        require_near(predict(back, x), predict(m, x), "imported");
        for (std::size_t i = 0; i < m.layers().size(); ++i)
            if (const auto* g = dynamic_cast<const GRU<float>*>(m.layers()[i].get())) {
                const GRUOptions& a = g->options();
                const GRUOptions& b = gru_at(back, i).options();
                REQUIRE(a.reset_after == b.reset_after);
                REQUIRE(a.recurrent_activation == b.recurrent_activation);
                REQUIRE(a.go_backwards == b.go_backwards);
            }
    }
    REQUIRE_THROWS_WITH(export_onnx((tmp.path / "bi.onnx").string(), load_keras<float>(k_dir + "gru_k3_bidirectional.keras")),
                        Catch::Contains("layer 'bidirectional' of type Bidirectional has no ONNX export"));
}

TEST_CASE("gru io: elman predict, summary and convert work on GRU model files", "[gru][cli]")
{
    elman::test::TempDir tmp("elman-gru-io");
    const std::string y = (tmp.path / "y.npy").string();
    auto r = elman::test::run_cli({"predict", "--model", k_dir + "gru_k2_keras22.h5", "--input",
                                   k_dir + "gru_k2_keras22.x.npy", "--output", y}, tmp.path);
    INFO(r.err);
    REQUIRE(r.status == 0);
    require_near(load_npy<float>(y), load_npy<float>(k_dir + "gru_k2_keras22.y.npy"), "predict");
    r = elman::test::run_cli({"summary", "--model", k_dir + "gru_k3.keras"}, tmp.path);
    REQUIRE(r.status == 0);
    REQUIRE_THAT(r.out, Catch::Contains("gru (GRU)") && Catch::Contains("3·4·(2 + 4 + 2)") &&
                            Catch::Contains("3·3·(4 + 3 + 1)"));
    // a new GRU -> Dense by the options: 3·5·(2 + 5 + 2) = 135, + 5 + 1
    r = elman::test::run_cli({"summary", "--cell", "gru", "--units", "5", "--input-dim", "2"}, tmp.path);
    INFO(r.err);
    REQUIRE(r.status == 0);
    REQUIRE_THAT(r.out, Catch::Contains("(GRU)") && Catch::Contains("135 = 3·5·(2 + 5 + 2)") && Catch::Contains("141"));
    // and an LSTM: 4·5·(1 + 5 + 1) = 140; a misspelt cell is one line naming the known ones
    r = elman::test::run_cli({"summary", "--cell", "lstm", "--units", "5"}, tmp.path);
    REQUIRE(r.status == 0);
    REQUIRE_THAT(r.out, Catch::Contains("(LSTM)") && Catch::Contains("140 = 4·5·(1 + 5 + 1)"));
    r = elman::test::run_cli({"summary", "--cell", "lsmt", "--units", "5"}, tmp.path);
    REQUIRE(r.status != 0);
    REQUIRE_THAT(r.err, Catch::Contains("unknown cell \"lsmt\" (expected simple, lstm or gru)"));
    for (const std::string to : {"ckpt", "m.onnx"}) {
        const std::string out = (tmp.path / to).string(), y2 = (tmp.path / (to + ".y.npy")).string();
        REQUIRE(elman::test::run_cli({"convert", k_dir + "gru_k2_keras22.h5", out}, tmp.path).status == 0);
        REQUIRE(elman::test::run_cli({"predict", "-m", out, "--input", k_dir + "gru_k2_keras22.x.npy", "--output", y2},
                                     tmp.path).status == 0);
        require_near(load_npy<float>(y2), load_npy<float>(k_dir + "gru_k2_keras22.y.npy"), to);
    }
    // Keras 2's hard sigmoid cannot become a .keras file: one line, nothing written
    r = elman::test::run_cli({"convert", k_dir + "gru_k2_keras22.h5", (tmp.path / "m.keras").string()}, tmp.path);
    REQUIRE(r.status != 0);
    REQUIRE_THAT(r.err, Catch::Contains("Keras 2's hard sigmoid"));
    REQUIRE_FALSE(fs::exists(tmp.path / "m.keras"));
}
