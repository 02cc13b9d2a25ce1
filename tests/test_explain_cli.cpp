// `elman explain` as a user runs it: the demo page, a checkpoint with a .npy input, every bad
// option or input as one error line with a non-zero exit and nothing written, and a good page
// that survives failed and killed runs.
#ifdef ELMAN_CLI

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <xtensor/xnpy.hpp>

#include "cli_run.hpp"
#include "core/init.hpp"
#include "io/checkpoint.hpp"
#include "layers/dense.hpp"
#include "layers/simple_rnn.hpp"
#include "temp_dir.hpp"

using namespace elman;
using elman::test::CliRun;
using elman::test::read_file;
using elman::test::run_cli;
namespace fs = std::filesystem;

namespace {

struct Scratch : elman::test::TempDir {
    Scratch() : elman::test::TempDir("elman_test_explain_cli")
    {
        Sequential<float> m;
        m.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 4, .seed = 1});
        m.emplace<Dense<float>>(DenseOptions{.units = 1, .seed = 2});
        m.build({6, 1});
        save_checkpoint((path / "ckpt").string(), m);
        xt::dump_npy((path / "x.npy").string(),
                     Tensor<double>(normal<double>({3, 6, 1}, 0.0, 1.0, 4)));
        xt::dump_npy((path / "x32.npy").string(),
                     Tensor<float>(normal<float>({2, 6, 1}, 0.0f, 1.0f, 4)));
    }
    std::string p(const std::string& name) const { return (path / name).string(); }
};

void write(const fs::path& p, const std::string& bytes)
{
    std::ofstream(p, std::ios::binary) << bytes;
}

// One line "elman: error: ...", a non-zero exit, nothing on stdout.
void expect_error(const CliRun& r, const std::string& part)
{
    INFO("stderr: " << r.err);
    CHECK(r.status != 0);
    CHECK(r.out.empty());
    CHECK(r.err.rfind("elman: error: ", 0) == 0);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.find(part) != std::string::npos);
}

bool complete_page(const std::string& html)
{
    return html.find("<meta name=\"generator\" content=\"elman explain\">") != std::string::npos &&
           html.size() > 1000 && html.substr(html.size() - 8) == "</html>\n";
}

}  // namespace

TEST_CASE(
    "explain cli: the demo page and a checkpoint's page are written, and a rerun replaces them")
{
    Scratch s;
    CliRun r = run_cli({"explain", "--units", "3", "--steps", "5", "--out", s.p("demo")}, s.path);
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out == "wrote " + fs::absolute(s.path / "demo" / "index.html").string() + "\n");
    const std::string first = read_file(s.path / "demo" / "index.html");
    CHECK(complete_page(first));
    CHECK(first.find("elman explain --units 3 --steps 5 --activation tanh --seed 0") !=
          std::string::npos);
    r = run_cli(
        {"explain", "--units", "3", "--steps", "5", "--activation", "relu", "--out", s.p("demo")},
        s.path);
    REQUIRE(r.status == 0);
    CHECK(read_file(s.path / "demo" / "index.html").find("--activation relu") != std::string::npos);
    CHECK(std::distance(fs::directory_iterator(s.path / "demo"), fs::directory_iterator()) == 1);

    for (const char* input : {"x.npy", "x32.npy"}) {
        r = run_cli({"explain", "--model", s.p("ckpt"), "--input", s.p(input), "--sequence", "1",
                     "--out", s.p("model")},
                    s.path);
        INFO(r.err);
        REQUIRE(r.status == 0);
        const std::string page = read_file(s.path / "model" / "index.html");
        CHECK(complete_page(page));
        CHECK(page.find("\"sequence\":1") != std::string::npos);
    }

    // A Keras file goes through the same page (io/model_file.hpp picks the reader).
    const std::string keras = std::string(ELMAN_SOURCE_DIR) + "/tests/fixtures/keras/";
    r = run_cli({"explain", "--model", keras + "k3_go_backwards.keras", "--input",
                 keras + "k3_go_backwards.x.npy", "--out", s.p("keras")},
                s.path);
    INFO(r.err);
    REQUIRE(r.status == 0);
    const std::string page = read_file(s.path / "keras" / "index.html");
    CHECK(complete_page(page));
    CHECK(page.find("k3_go_backwards.keras") != std::string::npos);
}

TEST_CASE(
    "explain cli: each bad option or input is one error line, a non-zero exit, nothing written")
{
    Scratch s;
    const std::string out = s.p("out");
    write(s.path / "truncated.npy", read_file(s.path / "x.npy").substr(0, 100));
    xt::dump_npy(s.p("int.npy"), xt::xarray<std::int64_t>({1, 2, 3}));
    xt::dump_npy(s.p("rank2.npy"), Tensor<double>(xt::zeros<double>({6ul, 1ul})));
    xt::dump_npy(s.p("wide.npy"), Tensor<double>(xt::zeros<double>({1ul, 6ul, 2ul})));
    Tensor<double> nan = normal<double>({1, 6, 1}, 0.0, 1.0, 1);
    nan(0, 3, 0) = NAN;
    xt::dump_npy(s.p("nan.npy"), nan);
    write(s.path / "model.keras", "PK");
    fs::create_directories(s.path / "forecast" / "model");
    write(s.path / "forecast" / "model" / "pipeline.json", "{}");
    Sequential<float> dense_first;
    dense_first.emplace<Dense<float>>(DenseOptions{.units = 2});
    dense_first.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 2});
    dense_first.build({6, 1});
    save_checkpoint(s.p("dense_first"), dense_first);
    write(s.path / "a_file", "x");
    const std::string ckpt = s.p("ckpt"), x = s.p("x.npy");
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--units", "0"}, "--units must be between 1 and 64, got 0"},
        {{"--units", "65"}, "--units must be between 1 and 64, got 65"},
        {{"--steps", "0"}, "--steps must be between 1 and 100, got 0"},
        {{"--steps", "101"}, "--steps must be between 1 and 100"},
        {{"--input-dim", "17"}, "--input-dim must be between 1 and 16"},
        {{"--norm-steps", "1"}, "--norm-steps must be between 2 and 1000"},
        {{"--activation", "softmax"},
         "--activation: expected tanh, relu, sigmoid or linear, got 'softmax'"},
        {{"--units", "-3"}, "--units: expected a whole number >= 0, got '-3'"},
        {{"--seed", "x"}, "--seed: expected a whole number >= 0, got 'x'"},
        {{"--model", ckpt}, "--model needs --input X.npy"},
        {{"--input", x}, "--input needs --model"},
        {{"--sequence", "1"}, "--sequence needs --model and --input"},
        {{"--model", ckpt, "--input", x, "--units", "3"}, "--units cannot be used with --model"},
        {{"--model", s.p("nothing"), "--input", x}, "no such file or directory"},
        {{"--model", s.p("model.keras"), "--input", x}, "model.keras: neither a .keras archive (zip) nor an HDF5"},
        {{"--model", s.p("forecast/model"), "--input", x}, "forecast model of several members"},
        {{"--model", s.p("dense_first"), "--input", x},
         "first layer must be a SimpleRNN, got 'dense' (Dense)"},
        {{"--model", ckpt, "--input", s.p("none.npy")}, "none.npy: no such file"},
        {{"--model", ckpt, "--input", s.p("truncated.npy")}, "truncated.npy: is truncated"},
        {{"--model", ckpt, "--input", s.p("int.npy")}, "int.npy: has dtype '<i8', expected '<f4' or '<f8'"},
        {{"--model", ckpt, "--input", s.p("rank2.npy")},
         "has shape [6,1], expected [sequences, timesteps, features]"},
        {{"--model", ckpt, "--input", s.p("wide.npy")}, "has 2 feature(s) per step"},
        {{"--model", ckpt, "--input", s.p("nan.npy")}, "holds a non-finite value (nan) at [0,3,0]"},
        {{"--model", ckpt, "--input", x, "--sequence", "3"}, "--sequence 3 is out of range"},
    };
    for (const auto& [args, message] : cases) {
        std::vector<std::string> all = {"explain"};
        all.insert(all.end(), args.begin(), args.end());
        all.insert(all.end(), {"--out", out});
        INFO("elman explain " << args.front() << " ...");
        expect_error(run_cli(all, s.path), message);
        CHECK_FALSE(fs::exists(out));
    }
    expect_error(run_cli({"explain", "--out", s.p("no/such/dir")}, s.path), "parent directory");
    expect_error(run_cli({"explain", "--out", s.p("a_file")}, s.path),
                 "exists and is not a directory");
    expect_error(run_cli(std::vector<std::string>{"explain"}, s.path), "--out is required");
    fs::create_directory(s.path / "site");
    write(s.path / "site" / "index.html", "<html>the course page</html>");
    expect_error(run_cli({"explain", "--out", s.p("site")}, s.path),
                 "was not written by elman explain");
    CHECK(read_file(s.path / "site" / "index.html") == "<html>the course page</html>");
}

TEST_CASE("explain cli: a good page survives a failed run and runs killed at random moments")
{
    Scratch s;
    const std::string out = s.p("page");
    REQUIRE(run_cli({"explain", "--out", out}, s.path).status == 0);
    const std::string good = read_file(s.path / "page" / "index.html");
    expect_error(
        run_cli({"explain", "--model", s.p("ckpt"), "--input", s.p("missing.npy"), "--out", out},
                s.path),
        "no such file");
    CHECK(read_file(s.path / "page" / "index.html") == good);
    // Killed with SIGKILL at moments spread over a run (the page is written at its very end):
    // the page is always the old one or a complete new one.
    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE(run_cli({"explain", "--units", "8", "--steps", "24", "--out", s.p("timing")}, s.path)
                .status == 0);
    const auto full = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - t0);
    std::mt19937 rng(11);
    for (int i = 0; i < 6; ++i) {
        const auto delay = std::chrono::microseconds(static_cast<long>(
            full.count() * (i < 3 ? std::uniform_real_distribution(0.0, 1.0)(rng)
                                  : std::uniform_real_distribution(0.9, 1.1)(rng))));
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            const int null = ::open("/dev/null", O_WRONLY);
            ::dup2(null, 1);
            ::dup2(null, 2);
            ::execl(ELMAN_CLI, ELMAN_CLI, "explain", "--units", "8", "--steps", "24", "--out",
                    out.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        std::this_thread::sleep_for(delay);
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        const std::string now = read_file(s.path / "page" / "index.html");
        INFO("kill " << i << " after " << delay.count() << " us");
        CHECK((now == good || (complete_page(now) && now.find("--units 8 ") != std::string::npos)));
    }
}

#endif  // ELMAN_CLI
