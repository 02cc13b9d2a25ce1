// `elman explain` for a model someone trained (explain_model): a loaded checkpoint against
// predict(), go_backwards, the errors for models and inputs it cannot explain, and the page's
// HTML and its safe writing (tools/explain.hpp).
#ifdef ELMAN_CLI

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/init.hpp"
#include "io/checkpoint.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/fit.hpp"
#include "layers/simple_rnn.hpp"
#include "temp_dir.hpp"
#include "text.hpp"
#include "tools/explain.hpp"

using namespace elman;
using Catch::Contains;
using Json = ExplainJson;
namespace fs = std::filesystem;

namespace {

Sequential<float> float_model(std::size_t units, bool return_sequences, std::size_t timesteps = 0)
{
    Sequential<float> m;
    m.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = units,
                                                 .activation = Activation::relu,
                                                 .return_sequences = return_sequences,
                                                 .seed = 1});
    m.emplace<Dense<float>>(DenseOptions{.units = 2, .seed = 2});
    m.build({timesteps, 1});
    return m;
}

std::string error_of(const std::function<void()>& f)
{
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

const Json source = {{"model", "ckpt"}, {"input", "x.npy"}};

}  // namespace

TEST_CASE("explain: a loaded float32 checkpoint is explained on one sequence of its input, as "
          "predict() computes it")
{
    elman::test::TempDir tmp("elman_test_explain_model");
    save_checkpoint((tmp.path / "ckpt").string(), float_model(3, false));
    Sequential<float> model = load_model<float>((tmp.path / "ckpt").string());
    const Tensor<float> x = normal<float>({3, 4, 1}, 0.0f, 1.0f, 5);
    const Json d = explain_model(model, x, 1, source, "elman explain --model ckpt --input x.npy");
    const Tensor<float> y = predict(model, x);
    REQUIRE(d["forward"]["output_per_step"] == false);
    for (std::size_t k = 0; k < 2; ++k)
        CHECK(std::abs(d["forward"]["y"][k].get<double>() - y(1, k)) < 1e-5);
    for (std::size_t t = 0; t < 4; ++t) CHECK(d["forward"]["x"][t][0].get<double>() == x(1, t, 0));
    CHECK(std::abs(d["loss"]["value"].get<double>() - (y(1, 0) + y(1, 1))) < 1e-5);  // L = Σ ŷ
    // Without return_sequences only h_T reaches the Dense layer.
    for (std::size_t t = 0; t + 1 < 4; ++t)
        for (double v : d["backward"]["steps"][t]["dh_out"]) CHECK(v == 0);
    CHECK(d["backward"]["final_vs_fused"].get<double>() < 1e-14);
    CHECK(d["check"]["passed"] == true);
    CHECK(d["network"]["activation"] == "relu");
    CHECK(d["source"]["sequence"] == 1);
    CHECK(d["source"]["sequences"] == 3);
    CHECK(d["notes"][0].get<std::string>().find("float32") != std::string::npos);
    // The model itself is untouched: still fused, no trace.
    const auto* rnn = dynamic_cast<const SimpleRNN<float>*>(model.layers()[0].get());
    CHECK(rnn->options().fused);
    CHECK_FALSE(rnn->options().trace);
}

TEST_CASE("explain: a Dropout after the SimpleRNN passes its input through, as in predict()")
{
    Sequential<float> model;
    model.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 3, .seed = 1});
    model.emplace<Dropout<float>>(DropoutOptions{.rate = 0.5});
    model.emplace<Dense<float>>(DenseOptions{.units = 1, .seed = 2});
    model.build({0, 1});
    const Tensor<float> x = normal<float>({2, 5, 1}, 0.0f, 1.0f, 3);
    const Json d = explain_model(model, x, 0, source, "cmd");
    CHECK(std::abs(d["forward"]["y"][0].get<double>() - predict(model, x)(0, 0)) < 1e-6);
    CHECK(d["network"]["layers"][1]["type"] == "Dropout");
    CHECK(d["check"]["passed"] == true);
    CHECK(d["notes"].dump().find("Dropout") != std::string::npos);
}

TEST_CASE(
    "explain: go_backwards steps are shown in processing order and still sum to the gradients")
{
    Sequential<double> model;
    model.emplace<SimpleRNN<double>>(
        SimpleRNNOptions{.units = 2, .return_sequences = true, .go_backwards = true, .seed = 3});
    model.emplace<Dense<double>>(DenseOptions{.units = 1, .seed = 4});
    model.build({0, 2});
    const Tensor<double> x = normal<double>({1, 5, 2}, 0.0, 1.0, 6);
    const Json d = explain_model(model, x, 0, source, "cmd");
    for (std::size_t s = 0; s < 5; ++s) {
        CHECK(d["forward"]["time_index"][s] == 5 - s);
        CHECK(d["forward"]["x"][s][1].get<double>() == x(0, 4 - s, 1));
    }
    Tape<double> tape;
    const Tensor<double> h = model.layers()[0]->forward(tape, tape.constant(x)).value();
    for (std::size_t s = 0; s < 5; ++s)
        for (std::size_t j = 0; j < 2; ++j)
            CHECK(std::abs(d["forward"]["h"][s][j].get<double>() - h(0, s, j)) < 1e-15);
    CHECK(d["backward"]["final_vs_fused"].get<double>() < 1e-14);
    CHECK(d["backward"]["split_residual"].get<double>() < 1e-14);
    CHECK(d["notes"].dump().find("go_backwards") != std::string::npos);
}

TEST_CASE(
    "explain: models and inputs it cannot explain are errors naming the layer, shape or value")
{
    const Sequential<float> model = float_model(3, true, 4);
    const Tensor<float> x = normal<float>({2, 4, 1}, 0.0f, 1.0f, 5);
    Sequential<float> dense_first;
    dense_first.emplace<Dense<float>>(DenseOptions{.units = 3});
    dense_first.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 2});
    dense_first.build({4, 1});
    CHECK_THAT(error_of([&] { explain_model(dense_first, x, 0, source, ""); }),
               Contains("first layer must be a SimpleRNN, got 'dense' (Dense)"));
    CHECK_THAT(
        error_of([&] {
            explain_model(model, Tensor<float>(xt::zeros<float>({2ul, 4ul, 3ul})), 0, source, "");
        }),
        Contains(
            "input x.npy has 3 feature(s) per step (shape [2,4,3]) but the model's first layer "
            "'simple_rnn' was built for 1 (kernel [1,3])"));
    CHECK_THAT(
        error_of([&] {
            explain_model(model, Tensor<float>(xt::zeros<float>({2ul, 5ul, 1ul})), 0, source, "");
        }),
        Contains("input x.npy has 5 timesteps but the model was built for 4"));
    CHECK_THAT(
        error_of([&] {
            explain_model(model, Tensor<float>(xt::zeros<float>({4ul, 1ul})), 0, source, "");
        }),
        Contains(
            "input x.npy has shape [4,1], expected [sequences, timesteps, features] (rank 3)"));
    CHECK_THAT(error_of([&] { explain_model(model, x, 2, source, ""); }),
               Contains("--sequence 2 is out of range: input x.npy holds 2 sequence(s) (0..1)"));
    Tensor<float> bad = x;
    bad(1, 2, 0) = NAN;
    CHECK_THAT(error_of([&] { explain_model(model, bad, 1, source, ""); }),
               Contains("input x.npy holds a non-finite value (nan) at [1,2,0]"));
    CHECK(error_of([&] { explain_model(model, bad, 0, source, ""); }) ==
          "(no error)");  // another sequence
    const Sequential<float> wide = float_model(65, false);
    CHECK_THAT(error_of([&] { explain_model(wide, x, 0, source, ""); }),
               Contains("has 65 units; the page shows at most 64"));
    const Sequential<float> any_length = float_model(2, false);
    CHECK_THAT(error_of([&] {
                   explain_model(any_length, Tensor<float>(xt::zeros<float>({1ul, 101ul, 1ul})), 0,
                                 source, "");
               }),
               Contains("has 101 timesteps; the page shows at most 100"));
    // Weights that overflow float64: an error, never a NaN on the page.
    Sequential<double> huge;
    auto big = std::make_shared<SimpleRNN<double>>(
        SimpleRNNOptions{.units = 2, .activation = Activation::linear});
    big->set_weights({Tensor<double>{{1e200, 1e200}}, Tensor<double>{{1e200, 0}, {0, 1e200}},
                      Tensor<double>{0, 0}});
    huge.add(big);
    huge.build({0, 1});
    CHECK_THAT(
        error_of([&] {
            explain_model(huge, Tensor<double>(xt::ones<double>({1ul, 3ul, 1ul})), 0, source, "");
        }),
        Contains("explain: the network overflows on this input: forward"));
    CHECK_THAT(error_of([] { validate_explain_options({.units = 0}); }),
               Contains("--units must be between 1 and 64, got 0"));
    CHECK_THAT(error_of([] { validate_explain_options({.steps = 101}); }),
               Contains("--steps must be between 1 and 100, got 101"));
    CHECK_THAT(error_of([] { validate_explain_options({.norm_steps = 1}); }),
               Contains("--norm-steps must be between 2 and 1000"));
}

TEST_CASE(
    "explain: the page holds its data as JSON that no name can break out of, and loads nothing")
{
    Sequential<double> model;
    auto rnn = std::make_shared<SimpleRNN<double>>(SimpleRNNOptions{.units = 2, .seed = 1});
    rnn->set_name("</script><!--rnn");
    model.add(rnn);
    model.build({3, 1});
    const Json d = explain_model(model, normal<double>({1, 3, 1}, 0.0, 1.0, 2), 0, source, "cmd");
    const std::string page = explain_page_html(d);
    const std::string open = "<script type=\"application/json\" id=\"elman-data\">";
    const auto a = page.find(open), b = page.find("</script>", a);
    REQUIRE(a != std::string::npos);
    CHECK(Json::parse(page.substr(a + open.size(), b - a - open.size())) == d);
    CHECK(page.find("</script><!--rnn") == std::string::npos);
    CHECK(page.find("<meta name=\"generator\" content=\"elman explain\">") != std::string::npos);
    CHECK(page.find("Content-Security-Policy\" content=\"default-src 'none'") != std::string::npos);
    // No other file: no src or href attribute, no CSS url() but url(#marker) (an SVG marker
    // of the page itself), no @import.
    for (const std::string attr : {"src", "href"})
        for (auto at = page.find(attr); at != std::string::npos; at = page.find(attr, at + 1)) {
            const auto next = page.find_first_not_of(' ', at + attr.size());
            CHECK_FALSE((next != std::string::npos && page[next] == '='));
        }
    for (auto at = page.find("url("); at != std::string::npos; at = page.find("url(", at + 1))
        CHECK(page[at + 4] == '#');
    CHECK(page.find("@import") == std::string::npos);
}

TEST_CASE(
    "explain: the page is written whole, only over a page elman wrote, with no temporary left")
{
    elman::test::TempDir tmp("elman_test_explain_write");
    const fs::path dir = tmp.path / "page";
    const std::string page =
        write_explain_page(dir.string(), "<html><meta name=\"generator\" content=\"elman "
                                         "explain\">one</html>");
    CHECK(fs::path(page) == dir / "index.html");
    write_explain_page(dir.string(),
                       "<html><meta name=\"generator\" content=\"elman explain\">two</html>");
    CHECK(elman::test::read_file(dir / "index.html").find("two") != std::string::npos);
    CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
    fs::create_directory(tmp.path / "mine");
    std::ofstream(tmp.path / "mine" / "index.html") << "<html>my own page</html>";
    CHECK_THAT(
        error_of([&] { write_explain_page((tmp.path / "mine").string(), "x"); }),
        Contains("index.html exists and was not written by elman explain; refusing to replace it"));
    CHECK(elman::test::read_file(tmp.path / "mine" / "index.html") == "<html>my own page</html>");
    CHECK_THAT(error_of([&] { write_explain_page((tmp.path / "no" / "such").string(), "x"); }),
               Contains("parent directory"));
    std::ofstream(tmp.path / "file") << "x";
    CHECK_THAT(error_of([&] { write_explain_page((tmp.path / "file").string(), "x"); }),
               Contains("exists and is not a directory"));
}

#endif  // ELMAN_CLI
