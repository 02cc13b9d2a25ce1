// Checkpoints of models holding the sequence layers of issue 15: Masking, Dropout,
// Bidirectional(SimpleRNN), and SimpleRNN's dropout / zero_output_for_mask options; LSTMs
// (issue 16) with every option a checkpoint keeps.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "check.hpp"
#include "core/init.hpp"
#include "layers/bidirectional.hpp"
#include "io/checkpoint.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/fit.hpp"
#include "layers/lstm.hpp"
#include "layers/masking.hpp"
#include "layers/simple_rnn.hpp"
#include "lstm_models.hpp"
#include "temp_dir.hpp"
#include "text.hpp"

using namespace elman;
using elman::test::randn;

TEST_CASE("checkpoint: Masking, Dropout and Bidirectional round-trip with options and weights", "[checkpoint][bidirectional]")
{
    Sequential<double> model;
    model.emplace<Masking<double>>(MaskingOptions{.mask_value = -1.0});
    model.emplace<Bidirectional<double>>(
        SimpleRNN<double>({.units = 3, .return_sequences = true, .seed = 4, .dropout = 0.1,
                           .recurrent_dropout = 0.2}),
        BidirectionalOptions{.merge_mode = MergeMode::ave});
    model.emplace<Dropout<double>>(DropoutOptions{.rate = 0.3, .noise_shape = {0, 1, 0}, .seed = 9});
    model.emplace<SimpleRNN<double>>(SimpleRNNOptions{.units = 2, .seed = 5,
                                                      .zero_output_for_mask = true});
    model.emplace<Dense<double>>(DenseOptions{.units = 1, .seed = 6});
    model.build({5, 2});

    elman::test::TempDir dir("elman-ckpt-layers-test");
    const std::string ckpt = (dir.path / "ckpt").string();
    save_checkpoint(ckpt, model);
    REQUIRE(std::filesystem::exists(dir.path / "ckpt/weights/bidirectional__forward_simple_rnn__kernel.npy"));
    REQUIRE(std::filesystem::exists(dir.path / "ckpt/weights/bidirectional__backward_simple_rnn__bias.npy"));
    const Sequential<double> loaded = load_model<double>(ckpt);

    REQUIRE(loaded.layers().size() == 5);
    const auto& m = dynamic_cast<const Masking<double>&>(*loaded.layers()[0]);
    REQUIRE(m.options().mask_value == -1.0);
    const auto& bi = dynamic_cast<const Bidirectional<double>&>(*loaded.layers()[1]);
    REQUIRE(bi.options().merge_mode == MergeMode::ave);
    REQUIRE(bi.forward_layer()->name() == "forward_simple_rnn");
    const auto& bw = dynamic_cast<const SimpleRNN<double>&>(*bi.backward_layer());
    REQUIRE(bw.options().go_backwards);
    REQUIRE(bw.options().recurrent_dropout == 0.2);
    const auto& d = dynamic_cast<const Dropout<double>&>(*loaded.layers()[2]);
    REQUIRE(d.options().rate == 0.3);
    REQUIRE(d.options().noise_shape == Shape{0, 1, 0});
    REQUIRE(d.options().seed == 9);
    const auto& rnn = dynamic_cast<const SimpleRNN<double>&>(*loaded.layers()[3]);
    REQUIRE(rnn.options().zero_output_for_mask);

    // the same weights, in the same order and names, and the same predictions on padded data
    Sequential<double>& original = model;
    auto a = original.parameters();
    auto b = const_cast<Sequential<double>&>(loaded).parameters();
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        REQUIRE(a[i]->name == b[i]->name);
        REQUIRE((a[i]->value == b[i]->value));
    }
    Tensor<double> x = randn({2, 5, 2}, 1);
    for (std::size_t f = 0; f < 2; ++f) x(1, 3, f) = x(1, 4, f) = -1.0;
    Tape<double> tape;
    const Tensor<double> ya = original.forward(tape, tape.constant(x)).value();
    const Tensor<double> yb = const_cast<Sequential<double>&>(loaded).forward(tape, tape.constant(x)).value();
    REQUIRE((ya == yb));
}

TEST_CASE("checkpoint: a model.json without the newer SimpleRNN options loads with their defaults", "[checkpoint]")
{
    Sequential<float> model;
    model.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 2});
    model.build({3, 1});
    elman::test::TempDir dir("elman-ckpt-layers-test");
    const auto ckpt = dir.path / "ckpt";
    save_checkpoint(ckpt.string(), model);
    // model.json as the first format_version 1 files were written
    auto json = nlohmann::ordered_json::parse(elman::test::read_file(ckpt / "model.json"));
    auto& cfg = json["layers"][0]["config"];
    for (const char* key : {"dropout", "recurrent_dropout", "zero_output_for_mask", "seed"}) {
        REQUIRE(cfg.contains(key));
        cfg.erase(key);
    }
    std::ofstream(ckpt / "model.json", std::ios::trunc) << json.dump(2);
    const Sequential<float> loaded = load_model<float>(ckpt.string());
    const auto& rnn = dynamic_cast<const SimpleRNN<float>&>(*loaded.layers()[0]);
    REQUIRE(rnn.options().dropout == 0.0);
    REQUIRE_FALSE(rnn.options().zero_output_for_mask);
}

TEST_CASE("checkpoint: a Bidirectional around another layer type is an error naming it", "[checkpoint][bidirectional]")
{
    Sequential<float> model;
    model.emplace<Bidirectional<float>>(SimpleRNN<float>({.units = 2}));
    model.build({3, 1});
    elman::test::TempDir dir("elman-ckpt-layers-test");
    const auto ckpt = dir.path / "ckpt";
    save_checkpoint(ckpt.string(), model);
    auto json = nlohmann::ordered_json::parse(elman::test::read_file(ckpt / "model.json"));
    // The wrapped layer is stored as Keras serializes it (io/detail/keras_layers).
    json["layers"][0]["config"]["layer"]["class_name"] = "Conv1D";
    std::ofstream(ckpt / "model.json", std::ios::trunc) << json.dump(2);
    REQUIRE_THROWS_WITH(load_model<float>(ckpt.string()),
                        Catch::Contains("model.json layer 0: Bidirectional(Conv1D) is not supported "
                                        "(only Bidirectional(SimpleRNN), Bidirectional(LSTM) and Bidirectional(GRU))"));
}

TEST_CASE("checkpoint: LSTM models round-trip bit for bit, Keras 2's hard_sigmoid included", "[checkpoint][lstm]")
{
    elman::test::TempDir tmp("elman-ckpt-layers-test");
    for (Activation rec : {Activation::sigmoid, Activation::hard_sigmoid_keras2}) {
        INFO(to_string(rec));
        Sequential<float> m = elman::test::lstm_file_model(rec);
        const std::string dir = (tmp.path / ("ckpt_" + to_string(rec))).string();
        save_checkpoint(dir, m);
        Sequential<float> back = load_model<float>(dir);
        const auto& l = dynamic_cast<const LSTM<float>&>(*back.layers().at(1));
        REQUIRE(l.options().recurrent_activation == rec);
        REQUIRE(l.options().activation == Activation::relu);
        REQUIRE(l.options().recurrent_dropout == Approx(0.1));
        const Tensor<float> x = uniform<float>({2, 6, 2}, -1.0f, 1.0f, 11);
        REQUIRE((predict(back, x) == predict(m, x)));
        REQUIRE(back.summary() == m.summary());
    }
}

TEST_CASE("checkpoint: a forecast model directory given as a checkpoint names a member to load instead", "[checkpoint]")
{
    elman::test::TempDir dir("elman-ckpt-layers-test");
    const auto model_dir = dir.path / "model";
    Sequential<float> member;
    member.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 2});
    member.build({3, 1});
    std::filesystem::create_directories(model_dir);
    save_checkpoint((model_dir / "member_0").string(), member);
    std::ofstream(model_dir / "pipeline.json") << "{}\n";
    REQUIRE_THROWS_WITH(load_model<float>(model_dir.string()),
                        Catch::Contains("is an elman forecast model (pipeline.json)") && Catch::Contains("member_0"));
    REQUIRE(load_model<float>((model_dir / "member_0").string()).layers().size() == 1);
}
