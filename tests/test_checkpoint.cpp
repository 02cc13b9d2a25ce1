#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>

#include <xtensor/xnpy.hpp>

#include "core/init.hpp"
#include "io/checkpoint.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/flatten.hpp"
#include "layers/time_distributed.hpp"
#include "layers/fit.hpp"
#include "layers/simple_rnn.hpp"
#include "optim/adam.hpp"
#include "optim/sgd.hpp"
#include "temp_dir.hpp"
#include "text.hpp"

using namespace elman;
namespace fs = std::filesystem;

namespace {

using elman::test::read_file;

struct TempDir : elman::test::TempDir {
    TempDir() : elman::test::TempDir("elman-ckpt-test") {}
};

void write_text(const fs::path& p, const std::string& s)
{
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << s;
}

// A version-1 .npy file whose header is `dict` (padded as numpy pads it) followed by `data`.
std::string npy_with_header(const std::string& dict, const std::string& data)
{
    std::string header = dict;
    header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
    header += '\n';
    std::string out = "\x93NUMPY";
    out += '\x01';
    out += '\x00';
    out += static_cast<char>(header.size() & 0xff);
    out += static_cast<char>(header.size() >> 8);
    return out + header + data;
}

void replace_in(const fs::path& p, const std::string& from, const std::string& to)
{
    std::string s = read_file(p);
    const auto i = s.find(from);
    REQUIRE(i != std::string::npos);
    s.replace(i, from.size(), to);
    write_text(p, s);
}

template <class T>
Sequential<T> make_model(std::uint64_t seed = 1)
{
    Sequential<T> model;
    model.template emplace<SimpleRNN<T>>(SimpleRNNOptions{.units = 16, .seed = seed});
    model.template emplace<Dense<T>>(DenseOptions{.units = 1, .seed = seed + 1});
    model.build({10, 1});
    return model;
}

Tensor<float> inputs(std::size_t n = 32)
{
    return normal<float>({n, 10, 1}, 0.f, 1.f, 99);
}

// A model trained for a few steps with Adam, so its weights and the optimizer state are not
// their initial values.
struct Trained {
    Sequential<float> model = make_model<float>();
    Adam<float> opt{model.parameters(), {.lr = 0.01f}};
    Trained()
    {
        const Tensor<float> x = inputs(64);
        Tensor<float> y = Tensor<float>::from_shape({64, 1});
        for (std::size_t i = 0; i < 64; ++i) y(i, 0) = x(i, 9, 0) * 0.5f;
        fit(model, opt, x, y, {.epochs = 2, .batch_size = 16, .verbose = false});
    }
};

bool same_bits(const Tensor<float>& a, const Tensor<float>& b)
{
    return a.shape() == b.shape() && std::equal(a.begin(), a.end(), b.begin());
}

std::string load_error(const fs::path& dir)
{
    try {
        load_model<float>(dir.string());
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("checkpoint: a round trip gives bit-identical predictions and optimizer state", "[checkpoint]")
{
    TempDir tmp;
    const std::string dir = (tmp.path / "ckpt").string();
    Trained t;
    save_checkpoint(dir, t.model, &t.opt);
    REQUIRE(fs::exists(fs::path(dir) / "model.json"));
    REQUIRE(fs::exists(fs::path(dir) / "weights" / "simple_rnn__recurrent_kernel.npy"));
    REQUIRE(fs::exists(fs::path(dir) / "optimizer" / "param0.exp_avg.npy"));

    Sequential<float> loaded = load_model<float>(dir);
    REQUIRE(loaded.layers().size() == 2);
    REQUIRE(loaded.layers()[0]->name() == "simple_rnn");
    REQUIRE(loaded.layers()[1]->name() == "dense");
    const Tensor<float> x = inputs();
    REQUIRE(same_bits(predict(loaded, x), predict(t.model, x)));

    Adam<float> opt2(loaded.parameters(), {.lr = 0.5f});
    load_optimizer_state(dir, opt2);
    REQUIRE(opt2.lr() == t.opt.lr());
    const auto s1 = t.opt.state(), s2 = opt2.state();
    REQUIRE(s1.size() == s2.size());
    for (std::size_t i = 0; i < s1.size(); ++i) {
        REQUIRE(s1[i].first == s2[i].first);
        REQUIRE(same_bits(s1[i].second, s2[i].second));
    }
    // Training on continues identically from the original and from the reloaded pair.
    const Tensor<float> y = zeros<float>({32, 1});
    fit(t.model, t.opt, x, y, {.epochs = 1, .shuffle = false, .verbose = false});
    fit(loaded, opt2, x, y, {.epochs = 1, .shuffle = false, .verbose = false});
    REQUIRE(same_bits(predict(loaded, x), predict(t.model, x)));
}

TEST_CASE("checkpoint: layer options survive a round trip", "[checkpoint]")
{
    TempDir tmp;
    const std::string dir = (tmp.path / "opts").string();
    Sequential<double> model;
    model.emplace<SimpleRNN<double>>(SimpleRNNOptions{
        .units = 3, .activation = Activation::relu, .use_bias = false, .return_sequences = true,
        .go_backwards = true});
    model.emplace<Dense<double>>(DenseOptions{.units = 2, .activation = Activation::sigmoid});
    model.build({0, 4});
    SGD<double> opt(model.parameters(), {.lr = 0.1, .momentum = 0.9});
    save_checkpoint(dir + "/", model, &opt);

    Sequential<double> loaded = load_model<double>(dir);
    const auto* rnn = dynamic_cast<const SimpleRNN<double>*>(loaded.layers()[0].get());
    const auto* dense = dynamic_cast<const Dense<double>*>(loaded.layers()[1].get());
    REQUIRE(rnn);
    REQUIRE(dense);
    REQUIRE(rnn->options().units == 3);
    REQUIRE(rnn->options().activation == Activation::relu);
    REQUIRE(!rnn->options().use_bias);
    REQUIRE(rnn->options().return_sequences);
    REQUIRE(rnn->options().go_backwards);
    REQUIRE(dense->options().activation == Activation::sigmoid);
    REQUIRE(loaded.input_shape() == Shape{0, 4});
    REQUIRE(loaded.param_count() == model.param_count());
    const Tensor<double> x = normal<double>({5, 7, 4}, 0.0, 1.0, 3);
    const Tensor<double> a = predict(model, x), b = predict(loaded, x);
    REQUIRE(a.shape() == b.shape());
    REQUIRE(std::equal(a.begin(), a.end(), b.begin()));

    SGD<double> opt2(loaded.parameters(), {.lr = 0.1, .momentum = 0.9});
    load_optimizer_state(dir, opt2);
    Adam<double> wrong(loaded.parameters());
    REQUIRE_THROWS_WITH(load_optimizer_state(dir, wrong), Catch::Contains("saved optimizer is SGD"));
}

TEST_CASE("checkpoint: damaged checkpoints give named errors", "[checkpoint]")
{
    TempDir tmp;
    const fs::path dir = tmp.path / "ckpt";
    const std::string d = dir.string();
    Trained t;
    const auto fresh = [&] { save_checkpoint(d, t.model, &t.opt); };

    SECTION("corrupted JSON")
    {
        fresh();
        write_text(dir / "model.json", "{\"format\": \"elman-checkpoint\", \"layers\": [");
        REQUIRE_THAT(load_error(dir), Catch::StartsWith("checkpoint " + d + ": model.json is not valid JSON"));
    }
    SECTION("truncated .npy")
    {
        fresh();
        const fs::path f = dir / "weights" / "dense__kernel.npy";
        fs::resize_file(f, fs::file_size(f) - 10);
        REQUIRE_THAT(load_error(dir), Catch::Contains("layer 'dense' weight 'kernel': file weights/dense__kernel.npy is truncated"));
    }
    SECTION("malformed or absurd .npy shape")
    {
        // The first is what fuzz_npy found: blanks between digits read as separate dimensions,
        // whose product (with a 0 among them, so no data was needed) overflowed xtensor's
        // strides (UBSan: signed overflow).
        const std::pair<std::string, std::string> cases[] = {
            {"(2,0 11011111111111111 1,12,1 11011111111111)", "has a malformed shape"},
            {"(2 2)", "has a malformed shape"},
            {"(-1, 2)", "has a malformed shape"},
            {"(+2, 2)", "has a malformed shape"},
            {"(4)", "has a malformed shape (4) (a 1-D shape is written (n,))"},
            {"2, 2", "has a malformed shape"},
            {"(0, 100000000000, 100000000000)", "has an absurd shape [0,100000000000,100000000000]"},
            {"(1000000000000000000000, 0)", "has an absurd shape"},
        };
        for (const auto& [shape, message] : cases) {
            fresh();
            write_text(dir / "weights" / "simple_rnn__recurrent_kernel.npy",
                       npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': " +
                                           shape + ", }",
                                       ""));
            INFO(shape);
            REQUIRE_THAT(load_error(dir),
                         Catch::Contains("weight 'recurrent_kernel': file "
                                         "weights/simple_rnn__recurrent_kernel.npy " + message));
        }
    }
    SECTION("truncated .npy header")
    {
        fresh();
        const fs::path f = dir / "weights" / "simple_rnn__bias.npy";
        fs::resize_file(f, 20);
        REQUIRE_THAT(load_error(dir), Catch::Contains("layer 'simple_rnn' weight 'bias': file weights/simple_rnn__bias.npy is truncated"));
    }
    SECTION("float64 weights for a float32 model")
    {
        fresh();
        const Tensor<double> k = zeros<double>({1, 16});
        xt::dump_npy((dir / "weights" / "simple_rnn__kernel.npy").string(), k);
        REQUIRE_THAT(load_error(dir), Catch::Contains("layer 'simple_rnn' weight 'kernel': file weights/simple_rnn__kernel.npy has dtype '<f8', expected '<f4' (float32)"));
    }
    SECTION("wrong shape")
    {
        fresh();
        const Tensor<float> k = zeros<float>({16, 2});
        xt::dump_npy((dir / "weights" / "dense__kernel.npy").string(), k);
        REQUIRE(load_error(dir) == "checkpoint " + d + ": layer 'dense' weight 'kernel': file weights/dense__kernel.npy has shape [16,2], expected [16,1]");
    }
    SECTION("missing weight file")
    {
        fresh();
        fs::remove(dir / "weights" / "simple_rnn__recurrent_kernel.npy");
        REQUIRE_THAT(load_error(dir), Catch::Contains("layer 'simple_rnn' weight 'recurrent_kernel': file weights/simple_rnn__recurrent_kernel.npy is missing"));
    }
    SECTION("missing model.json")
    {
        fresh();
        fs::remove(dir / "model.json");
        REQUIRE_THAT(load_error(dir), Catch::Contains("file model.json is missing"));
    }
    SECTION("unknown layer type")
    {
        fresh();
        replace_in(dir / "model.json", "\"Dense\"", "\"Conv1D\"");
        REQUIRE_THAT(load_error(dir), Catch::Contains("model.json layer 1: unsupported layer class 'Conv1D' (elman reads InputLayer, SimpleRNN"));
    }
    SECTION("a float64 checkpoint loaded as float32")
    {
        save_checkpoint(d, make_model<double>());
        REQUIRE_THAT(load_error(dir), Catch::Contains("saved as float64, cannot load it as float32"));
    }
    SECTION("an architecture that does not match its weights")
    {
        fresh();
        replace_in(dir / "model.json", "\"units\": 16", "\"units\": 8");
        REQUIRE_THAT(load_error(dir), Catch::Contains("layer 'simple_rnn' weight 'kernel': model.json lists shape [1,16], expected [1,8]"));
    }
    SECTION("a weight file path escaping the checkpoint")
    {
        fresh();
        replace_in(dir / "model.json", "weights/dense__bias.npy", "../dense__bias.npy");
        REQUIRE_THAT(load_error(dir), Catch::Contains("is not a file name inside weights/"));
    }
    SECTION("a corrupted optimizer state")
    {
        fresh();
        fs::resize_file(dir / "optimizer" / "param1.exp_avg_sq.npy", 60);
        Sequential<float> loaded = load_model<float>(d);
        Adam<float> opt(loaded.parameters());
        const auto before = opt.state();
        REQUIRE_THROWS_WITH(load_optimizer_state(d, opt), Catch::Contains("optimizer state 'param1.exp_avg_sq': file optimizer/param1.exp_avg_sq.npy is truncated"));
        REQUIRE(opt.state().size() == before.size());
        REQUIRE(opt.step_count() == 0);
    }
    SECTION("no checkpoint at all")
    {
        REQUIRE_THAT(load_error(tmp.path / "nothing"), Catch::Contains("no such checkpoint directory"));
    }
}

namespace {

// A layer checkpoints do not know: saving a model holding it fails after the save has begun.
struct Identity : Module<float> {
    Var<float> forward(Tape<float>&, const Var<float>& x, const CallContext& = {}) override { return x; }
    std::string type() const override { return "Identity"; }
    std::string default_name() const override { return "identity"; }
};

}  // namespace

TEST_CASE("checkpoint: a failed save leaves the previous checkpoint and no temporary files", "[checkpoint]")
{
    TempDir tmp;
    const std::string d = (tmp.path / "ckpt").string();
    Trained t;
    save_checkpoint(d, t.model, &t.opt);
    const Tensor<float> x = inputs();
    const Tensor<float> expected = predict(t.model, x);

    Sequential<float> odd;
    odd.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 2});
    odd.add(std::make_shared<Identity>());
    odd.emplace<Dense<float>>(DenseOptions{.units = 1});
    odd.build({10, 1});
    REQUIRE_THROWS_WITH(save_checkpoint(d, odd), Catch::Contains("save: layer 'identity' of type Identity has no Keras equivalent elman can write"));

    Sequential<float> loaded = load_model<float>(d);
    REQUIRE(same_bits(predict(loaded, x), expected));
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.path)) ++entries;
    REQUIRE(entries == 1);
}

TEST_CASE("checkpoint: save refuses to replace a directory that is not a checkpoint", "[checkpoint]")
{
    TempDir tmp;
    const fs::path d = tmp.path / "precious";
    fs::create_directory(d);
    write_text(d / "notes.txt", "keep me");
    REQUIRE_THROWS_WITH(save_checkpoint(d.string(), make_model<float>()), Catch::Contains("refusing to replace it"));
    REQUIRE(read_file(d / "notes.txt") == "keep me");
}

TEST_CASE("checkpoint: a save killed at a random moment leaves a complete checkpoint", "[checkpoint]")
{
    TempDir tmp;
    const std::string d = (tmp.path / "ckpt").string();
    const Sequential<float> a = make_model<float>(1);
    const Sequential<float> b = make_model<float>(2);
    const Tensor<float> x = inputs();
    Sequential<float> a_copy = make_model<float>(1), b_copy = make_model<float>(2);
    const Tensor<float> pred_a = predict(a_copy, x), pred_b = predict(b_copy, x);
    REQUIRE(!same_bits(pred_a, pred_b));
    // Kill within the first ~4 saves' time (fsync makes a save's time machine-dependent).
    const auto t0 = std::chrono::steady_clock::now();
    save_checkpoint(d, a);
    const auto save_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::steady_clock::now() - t0).count();

    Rng rng(2024);
    std::size_t saw_b = 0;
    // At least 20 rounds, and on until a kill has landed after a completed save of b: on a
    // loaded machine a save takes longer than the one timed above, so every round without one
    // doubles the window the kill falls in (up to 200 rounds).
    std::uint64_t window_us = 4 * static_cast<std::uint64_t>(save_us) + 1000;
    for (int round = 0; round < 20 || (saw_b == 0 && round < 200); ++round) {
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            // The child alternates between the two models until killed (an error ends it
            // without returning into the test runner).
            try {
                for (int i = 0;; ++i) save_checkpoint(d, i % 2 ? a : b);
            } catch (...) {
                ::_exit(1);
            }
        }
        ::usleep(static_cast<useconds_t>(rng.below(window_us)));
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        REQUIRE(WIFSIGNALED(status));

        Sequential<float> loaded = load_model<float>(d);
        const Tensor<float> p = predict(loaded, x);
        const bool is_a = same_bits(p, pred_a), is_b = same_bits(p, pred_b);
        REQUIRE((is_a || is_b));
        saw_b += is_b ? 1 : 0;
        if (saw_b == 0) window_us = std::min<std::uint64_t>(2 * window_us, 2'000'000);
    }
    // The kills did land while saves were replacing the checkpoint.
    REQUIRE(saw_b > 0);
}

TEST_CASE("checkpoint: Dropout, TimeDistributed and Flatten round-trip, version 1 files still load", "[checkpoint]")
{
    TempDir tmp;
    const std::string d = (tmp.path / "ckpt").string();
    Sequential<float> m;
    m.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 3, .activation = Activation::relu, .return_sequences = true, .seed = 4});
    m.emplace<Dropout<float>>(DropoutOptions{.rate = 0.25, .seed = 9});
    m.emplace<TimeDistributed<float>>(std::make_shared<Dense<float>>(DenseOptions{.units = 2, .seed = 5}));
    m.emplace<Flatten<float>>();
    m.emplace<Dense<float>>(DenseOptions{.units = 1, .activation = Activation::sigmoid, .seed = 6});
    m.build({4, 2});
    save_checkpoint(d, m);
    Sequential<float> back = load_model<float>(d);
    REQUIRE(back.summary() == m.summary());
    REQUIRE(dynamic_cast<const Dropout<float>&>(*back.layers()[1]).options().rate == 0.25);
    const Tensor<float> x = uniform<float>({2, 4, 2}, -1.0f, 1.0f, 3);
    REQUIRE(bool(predict(back, x) == predict(m, x)));

    // A format_version 1 model.json, as elman 0.1 wrote it (elman's option subset of Keras' keys).
    Sequential<float> v1;
    v1.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 2, .seed = 1});
    v1.emplace<Dense<float>>(DenseOptions{.units = 1, .seed = 2});
    v1.build({0, 1});
    const std::string d1 = (tmp.path / "v1").string();
    save_checkpoint(d1, v1);
    write_text(fs::path(d1) / "model.json", R"({"format": "elman-checkpoint", "format_version": 1, "dtype": "float32",
      "name": "sequential", "input_shape": [null, 1], "layers": [
      {"type": "SimpleRNN", "name": "simple_rnn", "config": {"units": 2, "activation": "tanh", "use_bias": true,
        "return_sequences": false, "return_state": false, "go_backwards": false, "stateful": false},
       "weights": [{"name": "kernel", "file": "weights/simple_rnn__kernel.npy", "shape": [1, 2]},
                   {"name": "recurrent_kernel", "file": "weights/simple_rnn__recurrent_kernel.npy", "shape": [2, 2]},
                   {"name": "bias", "file": "weights/simple_rnn__bias.npy", "shape": [2]}]},
      {"type": "Dense", "name": "dense", "config": {"units": 1, "activation": "linear", "use_bias": true},
       "weights": [{"name": "kernel", "file": "weights/dense__kernel.npy", "shape": [2, 1]},
                   {"name": "bias", "file": "weights/dense__bias.npy", "shape": [1]}]}]})");
    Sequential<float> old = load_model<float>(d1);
    const Tensor<float> x1 = uniform<float>({3, 5, 1}, -1.0f, 1.0f, 4);
    REQUIRE(bool(predict(old, x1) == predict(v1, x1)));
}
