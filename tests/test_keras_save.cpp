// save_keras: the archive has Keras 3's layout (the same zip entries, HDF5 groups and config
// keys as the fixtures written after keras/src/saving/saving_lib.py) and round-trips through
// load_keras bit for bit.
#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "io/detail/hdf5.hpp"
#include "io/detail/zip.hpp"
#include "io/keras.hpp"
#include "io/npy.hpp"
#include "core/init.hpp"
#include <xtensor/xview.hpp>
#include "layers/bidirectional.hpp"
#include "layers/dense.hpp"
#include "layers/masking.hpp"
#include "layers/fit.hpp"
#include "layers/lstm.hpp"
#include "layers/simple_rnn.hpp"
#include "lstm_models.hpp"
#include "temp_dir.hpp"
#include "text.hpp"

using namespace elman;
using Json = nlohmann::json;

namespace {

const std::string k_dir = std::string(ELMAN_SOURCE_DIR) + "/tests/fixtures/keras/";

// Every group and dataset below the root, as "g/" and "d" paths.
std::set<std::string> h5_tree(const detail::Hdf5Reader& r, const std::string& at = "")
{
    std::set<std::string> out;
    for (const std::string& c : r.children(at)) {
        const std::string p = at.empty() ? c : at + "/" + c;
        if (r.has_group(p)) {
            out.insert(p + "/");
            const auto sub = h5_tree(r, p);
            out.insert(sub.begin(), sub.end());
        } else {
            out.insert(p);
        }
    }
    return out;
}

struct Archive {
    std::string bytes, h5;
    std::vector<std::string> names;
    Json config;
};

Archive open_archive(const std::string& path)
{
    Archive a;
    a.bytes = elman::test::read_file(path);
    const detail::ZipReader z(a.bytes, path);
    a.names = z.names();
    a.config = Json::parse(z.read("config.json"));
    a.h5 = z.read("model.weights.h5");
    return a;
}

std::set<std::string> keys(const Json& j)
{
    std::set<std::string> k;
    for (const auto& [key, v] : j.items()) k.insert(key);
    return k;
}

const LSTM<float>& lstm_at(const Sequential<float>& m, std::size_t i)
{
    const auto* l = dynamic_cast<const LSTM<float>*>(m.layers().at(i).get());
    REQUIRE(l != nullptr);
    return *l;
}

}  // namespace

TEST_CASE("keras save: the archive has Keras 3's entries, HDF5 groups and config keys", "[keras]")
{
    elman::test::TempDir tmp("elman-keras-save");
    for (const std::string name : {"k3_stacked", "k3_dropout"}) {
        INFO(name);
        Sequential<float> m = load_keras<float>(k_dir + name + ".keras");
        const std::string out = (tmp.path / (name + ".keras")).string();
        save_keras(out, m);
        const Archive mine = open_archive(out), keras = open_archive(k_dir + name + ".keras");
        REQUIRE(mine.names == std::vector<std::string>{"metadata.json", "config.json", "model.weights.h5"});
        REQUIRE(mine.names == keras.names);
        const detail::Hdf5Reader a(mine.h5, "mine"), b(keras.h5, "keras");
        REQUIRE(h5_tree(a) == h5_tree(b));
        REQUIRE(h5_tree(a).count("layers/simple_rnn/cell/vars/2"));
        // The same keys at the top, in the model config and in every layer's config (the
        // fixture has compile_config: the model was compiled; elman's is not).
        Json kc = keras.config;
        kc.erase("compile_config");
        REQUIRE(keys(mine.config) == keys(kc));
        REQUIRE(keys(mine.config["config"]) == keys(kc["config"]));
        const Json& la = mine.config["config"]["layers"];
        const Json& lb = kc["config"]["layers"];
        REQUIRE(la.size() == lb.size());
        for (std::size_t i = 0; i < la.size(); ++i) {
            INFO("layer " << i << " " << la[i]["class_name"]);
            REQUIRE(la[i]["class_name"] == lb[i]["class_name"]);
            REQUIRE(keys(la[i]) == keys(lb[i]));
            std::set<std::string> kb = keys(lb[i]["config"]);
            kb.erase("seed");  // Keras 3.4+ SimpleRNN.get_config adds the cell's seed; 3.0-3.3 do not
            std::set<std::string> ka = keys(la[i]["config"]);
            ka.erase("seed");
            REQUIRE(ka == kb);
            REQUIRE(la[i]["config"]["name"] == lb[i]["config"]["name"]);
        }
        // Round trip: the same predictions, bit for bit.
        Sequential<float> back = load_keras<float>(out);
        const Tensor<float> x = load_npy<float>(k_dir + name + ".x.npy");
        REQUIRE(bool(predict(back, x) == predict(m, x)));
    }
}

TEST_CASE("keras save: Flatten, TimeDistributed, float64 and go_backwards round-trip", "[keras]")
{
    elman::test::TempDir tmp("elman-keras-save");
    for (const std::string name : {"k3_functional", "k3_go_backwards"}) {
        Sequential<double> m = load_keras<double>(k_dir + name + ".keras");
        const std::string out = (tmp.path / (name + ".keras")).string();
        save_keras(out, m);
        Sequential<double> back = load_keras<double>(out);
        const Tensor<double> x = load_npy<double>(k_dir + name + ".x.npy");
        REQUIRE(bool(predict(back, x) == predict(m, x)));
        REQUIRE(back.summary() == m.summary());
    }
}

TEST_CASE("keras save: a stateful model needs a batch size, bad names and unbuilt models are errors", "[keras][errors]")
{
    elman::test::TempDir tmp("elman-keras-save");
    const std::string out = (tmp.path / "s.keras").string();
    Sequential<float> m;
    m.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 3, .stateful = true});
    REQUIRE_THROWS_WITH(save_keras(out, m), Catch::Contains("the model is not built"));
    m.build({4, 2});
    REQUIRE_THROWS_WITH(save_keras(out, m), Catch::Contains("layer 'simple_rnn' is stateful: Keras needs a fixed batch size"));
    save_keras(out, m, {.batch_size = 5});
    REQUIRE(open_archive(out).config["config"]["layers"][0]["config"]["batch_shape"] == Json::parse("[5, 4, 2]"));
    // After a call the carried state says the batch size.
    (void)predict(m, Tensor<float>(xt::zeros<float>({3, 4, 2})));
    save_keras(out, m);
    REQUIRE(open_archive(out).config["config"]["build_input_shape"] == Json::parse("[3, 4, 2]"));
    REQUIRE_THROWS_WITH(save_keras((tmp.path / "model.h5").string(), m), Catch::Contains("must end in .keras"));
}

TEST_CASE("keras save: Masking and Bidirectional(SimpleRNN) round-trip, each direction under its own cell", "[keras]")
{
    elman::test::TempDir tmp("elman-keras-save");
    Sequential<float> m;
    m.emplace<Masking<float>>(MaskingOptions{.mask_value = 0.0});
    m.emplace<Bidirectional<float>>(SimpleRNN<float>({.units = 3, .return_sequences = true, .seed = 7}),
                                    BidirectionalOptions{.merge_mode = MergeMode::sum});
    m.emplace<Dense<float>>(DenseOptions{.units = 2, .seed = 8});
    m.build({5, 2});
    const std::string out = (tmp.path / "bi.keras").string();
    save_keras(out, m);
    const Archive a = open_archive(out);
    const detail::Hdf5Reader r(a.h5, "bi");
    const auto tree = h5_tree(r);
    for (const char* p : {"layers/bidirectional/forward_layer/cell/vars/2", "layers/bidirectional/backward_layer/cell/vars/2",
                          "layers/masking/vars/", "layers/dense/vars/1"})
        REQUIRE(tree.count(p));
    REQUIRE(a.config["config"]["layers"][2]["config"]["merge_mode"] == "sum");
    Sequential<float> back = load_keras<float>(out);
    Tensor<float> x = uniform<float>({3, 5, 2}, -1.0f, 1.0f, 9);
    for (std::size_t t = 3; t < 5; ++t) xt::view(x, 0, t) = 0.0f;  // padding the mask skips
    REQUIRE(back.summary() == m.summary());
    REQUIRE(bool(predict(back, x) == predict(m, x)));
}

TEST_CASE("keras save: save_keras writes LSTMs that load back to the same predictions", "[keras][lstm]")
{
    elman::test::TempDir tmp("elman-keras-save");
    Sequential<float> m = elman::test::lstm_file_model(Activation::hard_sigmoid);
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
    Sequential<float> old = elman::test::lstm_file_model(Activation::hard_sigmoid_keras2);
    REQUIRE_THROWS_WITH(save_keras((tmp.path / "old.keras").string(), old),
                        Catch::Contains("layer 'lstm': recurrent_activation is Keras 2's hard sigmoid") &&
                            Catch::Contains("Keras 3 cannot express"));
    REQUIRE_FALSE(std::filesystem::exists(tmp.path / "old.keras"));
}

TEST_CASE("keras save: a stateful LSTM saves with its batch size and carries h and c after loading", "[keras][lstm]")
{
    elman::test::TempDir tmp("elman-keras-save");
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
