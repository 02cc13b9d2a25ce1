// The rows of docs/errors.md that no other test file covers: large CSV files, series too short
// for the split, option values at their limits, and bad values reaching training.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

#include <xtensor/xnpy.hpp>

#include "core/error.hpp"
#include "core/init.hpp"
#include "datasets/csv.hpp"
#include "datasets/split.hpp"
#include "datasets/windows.hpp"
#include "io/checkpoint.hpp"
#include "layers/dense.hpp"
#include "layers/fit.hpp"
#include "layers/lstm.hpp"
#include "layers/simple_rnn.hpp"
#include "optim/adam.hpp"
#include "optim/sgd.hpp"
#include "tests/peak_memory.hpp"

using namespace elman;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool asan = true;
#else
constexpr bool asan = false;
#endif

// A CSV file of `rows` rows "i,v" (v = (i mod 1000)/4, exactly representable), written in
// 1 MB pieces; removed at scope exit. The labels 0, 1, ... are no known period format, so the
// reader keeps them without checks (the costliest case: one label string per row).
struct LargeCsv {
    fs::path path;
    std::size_t bytes = 0;
    explicit LargeCsv(std::size_t rows)
    {
        path = fs::temp_directory_path() /
               ("elman_test_errors_" + std::to_string(::getpid()) + "_" + std::to_string(rows) + ".csv");
        std::ofstream out(path, std::ios::binary);
        std::string buf = "t,v\n";
        char line[64];
        for (std::size_t i = 0; i < rows; ++i) {
            const int n = std::snprintf(line, sizeof line, "%zu,%g\n", i, static_cast<double>(i % 1000) / 4);
            buf.append(line, static_cast<std::size_t>(n));
            if (buf.size() > (1u << 20)) {
                out << buf;
                bytes += buf.size();
                buf.clear();
            }
        }
        out << buf;
        bytes += buf.size();
    }
    ~LargeCsv()
    {
        std::error_code ec;
        fs::remove(path, ec);
    }
};

// Loads the file and checks its size and last value (an exception if anything is off, which
// the forked measurement reports as "no figure").
void load_and_check(const LargeCsv& f, std::size_t rows)
{
    const Series s = load_csv(f.path.string());
    if (s.values.size() != rows || s.values.back() != static_cast<double>((rows - 1) % 1000) / 4)
        throw Error("large csv: wrong contents");
}

template <class T>
Sequential<T> small_model()
{
    Sequential<T> model;
    model.template emplace<SimpleRNN<T>>(SimpleRNNOptions{.units = 4, .seed = 1});
    model.template emplace<Dense<T>>(DenseOptions{.units = 1, .seed = 2});
    model.build({5, 1});
    return model;
}

std::vector<Tensor<float>> weights_of(Sequential<float>& model)
{
    std::vector<Tensor<float>> w;
    for (const Parameter<float>* p : model.parameters()) w.push_back(p->value);
    return w;
}

}  // namespace

TEST_CASE("csv: a large file streams: peak memory is linear in the rows and bounded per row", "[csv][errors][memory]")
{
    // The reader holds one line at a time (std::getline); what grows is the loaded Series:
    // one label string (32 bytes) and one double per row, plus vector growth slack.
    const std::size_t small_rows = asan ? 20'000 : 200'000, large_rows = 10 * small_rows;
    const LargeCsv small(small_rows), large(large_rows);
    const auto small_growth = test::peak_rss_growth([&] { load_and_check(small, small_rows); });
    const auto large_growth = test::peak_rss_growth([&] { load_and_check(large, large_rows); });
    REQUIRE(small_growth.has_value());
    REQUIRE(large_growth.has_value());
    const double per_row = static_cast<double>(*large_growth) / static_cast<double>(large_rows);
    INFO("peak RSS growth: " << *small_growth << " B for " << small_rows << " rows, " << *large_growth
                             << " B for " << large_rows << " rows (" << per_row << " B/row; file "
                             << large.bytes << " B)");
    // Bounded per row (AddressSanitizer's quarantine keeps freed vector buffers: looser there).
    REQUIRE(per_row < (asan ? 400.0 : 160.0));
    // Linear: ten times the rows costs at most ~ten times the memory (the small run's fixed
    // costs only make the ratio smaller).
    REQUIRE(static_cast<double>(*large_growth) < 12.0 * static_cast<double>(std::max<std::size_t>(*small_growth, 1 << 20)));
}

TEST_CASE("csv: a 10-million-row file loads within memory (figures for docs/errors.md)", "[.][large][csv]")
{
    const std::size_t rows = 10'000'000;
    const LargeCsv f(rows);
    const auto t0 = std::chrono::steady_clock::now();
    const auto growth = test::peak_rss_growth([&] { load_and_check(f, rows); });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    REQUIRE(growth.has_value());
    std::printf("csv %zu rows, file %.1f MB: loaded in %.2f s, peak RSS growth %.1f MB (%.1f B/row)\n", rows,
                static_cast<double>(f.bytes) / 1e6, seconds, static_cast<double>(*growth) / 1e6,
                static_cast<double>(*growth) / static_cast<double>(rows));
    REQUIRE(static_cast<double>(*growth) / static_cast<double>(rows) < 160.0);
}

TEST_CASE("split: a series shorter than lookback + test is an error naming the lengths", "[errors][windows]")
{
    const std::vector<double> y(20, 1.0);
    // Test 12 of 20 leaves 8 training values: too few for a lookback of 12.
    const Split parts = split_series(y, split_sizes(y.size(), 0, 12));
    REQUIRE(parts.train.size() == 8);
    REQUIRE_THROWS_WITH(make_windows<float>(parts.train, 12, 1),
                        Contains("make_windows: a series of length 8 is too short for lookback 12 and horizon 1 (needs at least 13)"));
    REQUIRE_THROWS_WITH(split_sizes(20, 0, 20), Contains("split_sizes: validation 0 + test 20 leave no training point out of 20"));
    REQUIRE_THROWS_WITH(split_sizes(20, 5, 30), Contains("leave no training point out of 20"));
}

TEST_CASE("options: lookback 0, horizon 0 and a horizon beyond the series are errors", "[errors][windows]")
{
    const std::vector<double> y{1, 2, 3, 4, 5, 6};
    REQUIRE_THROWS_WITH(make_windows<float>(y, 0, 1), Contains("make_windows: lookback and horizon must be >= 1, got lookback 0, horizon 1"));
    REQUIRE_THROWS_WITH(make_windows<float>(y, 2, 0), Contains("got lookback 2, horizon 0"));
    REQUIRE_THROWS_WITH(make_windows<float>(y, 2, 5), Contains("a series of length 6 is too short for lookback 2 and horizon 5 (needs at least 7)"));
    REQUIRE(make_windows<float>(y, 2, 4).x.shape()[0] == 1);
}

TEST_CASE("options: units 0 and a learning rate <= 0 are errors naming the option", "[errors]")
{
    REQUIRE_THROWS_WITH(SimpleRNN<float>({.units = 0}), Contains("simple_rnn: units must be positive, got 0"));
    REQUIRE_THROWS_WITH(Dense<float>({.units = 0}), Contains("dense: units must be positive, got 0"));
    Sequential<float> model = small_model<float>();
    REQUIRE_THROWS_WITH(Adam<float>(model.parameters(), {.lr = -0.01f}), Contains("Adam: lr must be a finite number > 0, got -0.01"));
    REQUIRE_THROWS_WITH(SGD<float>(model.parameters(), {.lr = 0.0f}), Contains("SGD: lr must be a finite number > 0, got 0"));
    REQUIRE_THROWS_WITH(Adam<float>(model.parameters(), {.lr = std::numeric_limits<float>::infinity()}),
                        Contains("Adam: lr must be a finite number > 0"));
}

TEST_CASE("options: epochs 0 trains nothing, as Keras: empty history, weights untouched", "[errors][fit]")
{
    Sequential<float> model = small_model<float>();
    const auto before = weights_of(model);
    Adam<float> opt(model.parameters());
    const Tensor<float> x = normal<float>({8, 5, 1}, 0.f, 1.f, 3), y = normal<float>({8, 1}, 0.f, 1.f, 4);
    const History<float> h = fit(model, opt, x, y, {.epochs = 0, .verbose = false});
    REQUIRE(h.loss.empty());
    REQUIRE(opt.step_count() == 0);
    REQUIRE(weights_of(model) == before);
}

TEST_CASE("api: a NaN or inf in the data is an error naming its index before fit takes a step", "[errors][fit]")
{
    Sequential<float> model = small_model<float>();
    const auto before = weights_of(model);
    Adam<float> opt(model.parameters());
    Tensor<float> x = normal<float>({8, 5, 1}, 0.f, 1.f, 3);
    Tensor<float> y = normal<float>({8, 1}, 0.f, 1.f, 4);
    const Tensor<float> good_x = x, good_y = y;
    x(3, 2, 0) = std::numeric_limits<float>::quiet_NaN();
    REQUIRE_THROWS_WITH(fit(model, opt, x, y, {.epochs = 3, .batch_size = 8, .verbose = false}),
                        "fit: x holds nan at [3,2,0]");
    REQUIRE(weights_of(model) == before);
    y(7, 0) = -std::numeric_limits<float>::infinity();
    REQUIRE_THROWS_WITH(fit(model, opt, good_x, y, {.epochs = 3, .batch_size = 8, .verbose = false}),
                        "fit: y holds -inf at [7,0]");
    REQUIRE_THROWS_WITH(fit(model, opt, good_x, good_y, x, good_y, {.epochs = 1, .verbose = false}),
                        "fit: x_val holds nan at [3,2,0]");
    REQUIRE(weights_of(model) == before);
    REQUIRE_THROWS_WITH(evaluate(model, x, good_y), "evaluate: x holds nan at [3,2,0]");
    REQUIRE_THROWS_WITH(predict(model, x), "predict: x holds nan at [3,2,0]");
    // A validation_split tail is part of x: checked before the first step too.
    REQUIRE_THROWS_WITH(fit(model, opt, x, good_y, {.epochs = 1, .validation_split = 0.5f, .verbose = false}),
                        Contains("fit: x holds nan"));
    REQUIRE(weights_of(model) == before);
}

TEST_CASE("api: inputs of the wrong rank or width for a model name the layer and the shapes", "[errors][fit]")
{
    Sequential<float> model = small_model<float>();
    REQUIRE_THROWS_WITH(predict(model, Tensor<float>(zeros<float>({8, 5}))), Contains("simple_rnn") && Contains("rank 3") && Contains("[8,5]"));
    REQUIRE_THROWS_WITH(predict(model, Tensor<float>(zeros<float>({8, 5, 3}))), Contains("simple_rnn") && Contains("3 features"));
    Adam<float> opt(model.parameters());
    REQUIRE_THROWS_WITH(fit(model, opt, Tensor<float>(zeros<float>({8, 5, 1})), Tensor<float>(zeros<float>({8, 2})), {.verbose = false}),
                        Contains("[8,1]") && Contains("[8,2]"));
}

TEST_CASE("api: an LSTM in a model names itself, its states and the shapes", "[errors][fit][lstm]")
{
    Sequential<float> model;
    auto lstm = model.emplace<LSTM<float>>(LSTMOptions{.units = 4, .stateful = true});
    model.emplace<Dense<float>>(DenseOptions{.units = 1});
    model.build({5, 1});
    REQUIRE_THROWS_WITH(predict(model, Tensor<float>(zeros<float>({8, 5}))), Contains("lstm: expects input [batch, timesteps, features] (rank 3), got [8,5]"));
    REQUIRE_THROWS_WITH(predict(model, Tensor<float>(zeros<float>({8, 5, 3}))), Contains("lstm: input has 3 features but the layer was built for 1 (kernel [1,16])"));
    predict(model, Tensor<float>(zeros<float>({8, 5, 1})), 8);
    REQUIRE_THROWS_WITH(predict(model, Tensor<float>(zeros<float>({4, 5, 1})), 4),
                        Contains("lstm: stateful layer carries states [8,4] but the input [4,5,1] has batch size 4; keep the batch size or call reset_states()"));
    lstm->reset_states();
    Tape<float> tape;
    const auto x = tape.constant(Tensor<float>(zeros<float>({2, 5, 1})));
    const auto h0 = tape.constant(Tensor<float>(zeros<float>({2, 4})));
    REQUIRE_THROWS_WITH(lstm->call(tape, x, &h0), Contains("lstm: an LSTM has two states: give both initial states h0 and c0 (or neither), got only h0"));
    REQUIRE_THROWS_WITH(model.call(tape, x, {{h0}, {}}), Contains("lstm: an LSTM has two states (h, c), got 1 initial states"));
    REQUIRE_THROWS_WITH(LSTM<float>({.units = 0}), Contains("lstm: units must be positive, got 0"));
    REQUIRE_THROWS_WITH(LSTM<float>({.units = 2, .activation = Activation::softmax}),
                        Contains("lstm: activation softmax is not supported (the cell applies it element by element)"));
}

TEST_CASE("checkpoint: a NaN or inf weight is rejected at load, naming the file and the index", "[errors][checkpoint]")
{
    const fs::path dir = fs::temp_directory_path() / ("elman_test_errors_ckpt_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    Sequential<float> model = small_model<float>();
    save_checkpoint(dir.string(), model);
    const fs::path file = dir / "weights" / "dense__kernel.npy";
    // The saved kernel (dense/kernel, [4,1]) with one value spoiled.
    Tensor<float> k = model.parameters()[3]->value;
    REQUIRE(model.parameters()[3]->name == "dense/kernel");
    REQUIRE(load_model<float>(dir.string()).parameters().size() == 5);
    k(2, 0) = std::numeric_limits<float>::quiet_NaN();
    xt::dump_npy(file.string(), k);
    REQUIRE_THROWS_WITH(load_model<float>(dir.string()),
                        Contains("layer 'dense' weight 'kernel': file weights/dense__kernel.npy holds a non-finite value (nan) at flat index 2"));
    k(2, 0) = -std::numeric_limits<float>::infinity();
    xt::dump_npy(file.string(), k);
    REQUIRE_THROWS_WITH(load_model<float>(dir.string()), Contains("non-finite value (-inf) at flat index 2"));
    fs::remove_all(dir);
}

TEST_CASE("checkpoint: an architecture far larger than its weight files is an error before anything is allocated", "[errors][checkpoint]")
{
    const fs::path dir = fs::temp_directory_path() / ("elman_test_errors_units_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    save_checkpoint(dir.string(), small_model<float>());
    const fs::path json = dir / "model.json";
    std::string text;
    {
        std::ifstream in(json);
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const auto at = text.find("\"units\": 4");
    REQUIRE(at != std::string::npos);
    // 10^6 units: U·(1 + U + 1) for the RNN plus 1·(U + 1) for the Dense head = 10^12 + 3·10^6 + 1
    // weights, 4 TB of float32.
    std::ofstream(json, std::ios::trunc) << text.substr(0, at) << "\"units\": 1000000" << text.substr(at + 10);
    REQUIRE_THROWS_WITH(load_model<float>(dir.string()),
                        Contains("model.json: the layers need 1000003000001 weights (4000012000004 bytes) but the weight files hold"));
    fs::remove_all(dir);
}

TEST_CASE("csv: a number beyond the range of a double names its cell", "[errors][csv]")
{
    const fs::path p = fs::temp_directory_path() / ("elman_test_errors_range_" + std::to_string(::getpid()) + ".csv");
    std::ofstream(p) << "month,v\n1949-01,1\n1949-02,1e400\n";
    REQUIRE_THROWS_WITH(load_csv(p.string()), Contains(p.string() + ":3:2: column 'v': found '1e400', out of the range of a double"));
    fs::remove(p);
}
