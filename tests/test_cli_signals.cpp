// Interrupting a forecast: run_forecast with should_stop (deterministic, counted calls), then the
// real `elman` program (ELMAN_CLI, set by tools/CMakeLists.txt) sent SIGINT while it trains. The
// program's stderr is a pseudo-terminal, so that it prints its progress lines: the first one
// proves that a model has finished training before the signal is sent.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

// Built when the tools are (tools/CMakeLists.txt defines ELMAN_CLI).
#ifdef ELMAN_CLI

#include <nlohmann/json.hpp>

#include "datasets/builtin.hpp"
#include "forecast/forecast.hpp"
#include "cli_run.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace elman;

namespace {

// One candidate (no log, no differencing, lookback 4) on nile_flow: 60 training windows, 4
// steps per epoch; patience = epochs, so every screening run takes exactly 10 epochs.
ForecastOptions one_candidate(std::size_t seeds, bool refit)
{
    ForecastOptions o;
    o.lookback = 4;
    o.log = false;
    o.lags = std::vector<std::size_t>{};
    o.strategy = Strategy::recursive;  // one candidate, not its MIMO twin
    o.seeds = seeds;
    o.ensemble = 1;
    o.epochs = 10;
    o.patience = 10;
    o.refit = refit;
    o.threads = 1;
    return o;
}

// should_stop that says stop from the k-th call after the n-th progress line on (threads = 1).
struct StopAfter {
    std::size_t lines, calls;
    std::size_t seen = 0, asked = 0;
    void install(ForecastOptions& o)
    {
        o.progress = [this](const std::string&) { ++seen; };
        o.should_stop = [this] { return seen >= lines && ++asked > calls; };
    }
};

std::vector<Tensor<float>> weights_of(Sequential<float>& model)
{
    std::vector<Tensor<float>> w;
    for (auto* p : model.parameters()) w.push_back(p->value);
    return w;
}

}  // namespace

TEST_CASE("forecast: stopped during screening, keeps the models that finished an epoch, skips the rest and the refits", "[forecast][interrupt]")
{
    const Series s = load_builtin("nile_flow");
    ForecastOptions o = one_candidate(3, true);
    // After seed 1's line: the call before seed 2 starts, then 9 steps (2 epochs and 1 step).
    StopAfter stop{1, 10};
    stop.install(o);
    ForecastResult r = run_forecast(s, o);
    REQUIRE(r.interrupted);
    REQUIRE(r.model.interrupted);
    REQUIRE(r.candidates == 1);
    REQUIRE(r.screened.size() == 1);
    REQUIRE(r.refits_planned == 0);
    REQUIRE(r.refits == 0);
    REQUIRE(r.model.members.size() == 2);  // seed 3 never started
    const History<float>& cut = r.model.members[1].history;
    REQUIRE(cut.interrupted);
    REQUIRE(cut.steps == 9);
    REQUIRE(cut.loss.size() == 2);
    REQUIRE_FALSE(r.model.members[0].history.interrupted);
    for (const auto& [name, m] : r.one_step_metrics) {
        INFO(name);
        REQUIRE(std::isfinite(m.mae));
    }

    // Seed 1 trained to the end: the same weights as in a run that was not interrupted.
    ForecastOptions full = one_candidate(3, false);
    ForecastResult f = run_forecast(s, full);
    REQUIRE_FALSE(f.interrupted);
    REQUIRE(f.model.members.size() == 3);
    REQUIRE(weights_of(f.model.members[0].model) == weights_of(r.model.members[0].model));
}

TEST_CASE("forecast: stopped during a refit, drops that refit and keeps the screened models", "[forecast][interrupt]")
{
    const Series s = load_builtin("nile_flow");
    ForecastOptions o = one_candidate(2, true);
    // After both screening lines: the refit phase's check, refit 1's start, 5 of its steps.
    StopAfter stop{2, 7};
    stop.install(o);
    const ForecastResult r = run_forecast(s, o);
    REQUIRE(r.interrupted);
    REQUIRE(r.screened.size() == 1);
    REQUIRE(r.refits_planned == 2);
    REQUIRE(r.refits == 0);
    REQUIRE(r.model.members.size() == 2);
    for (const auto& m : r.model.members) REQUIRE_FALSE(m.history.interrupted);
}

TEST_CASE("forecast: stopped before any model finished an epoch, throws ForecastInterrupted", "[forecast][interrupt]")
{
    const Series s = load_builtin("nile_flow");
    ForecastOptions o = one_candidate(2, true);
    o.should_stop = [] { return true; };
    REQUIRE_THROWS_AS(run_forecast(s, o), ForecastInterrupted);
    // Stopped inside the first epoch of every model.
    std::atomic<std::size_t> asked{0};
    o.should_stop = [&] { return ++asked > 3; };
    REQUIRE_THROWS_WITH(run_forecast(s, o), Catch::Contains("before any model finished an epoch"));
}

TEST_CASE("forecast: stopped on several threads, every thread stops and the result is usable", "[forecast][interrupt]")
{
    const Series s = load_builtin("nile_flow");
    ForecastOptions o;  // 16 candidates, recursive and MIMO: 32
    o.seeds = 2;
    o.threads = 4;
    o.epochs = 40;
    std::atomic<bool> stop{false};
    o.progress = [&](const std::string&) { stop = true; };
    o.should_stop = [&] { return stop.load(); };
    const ForecastResult r = run_forecast(s, o);
    REQUIRE(r.interrupted);
    REQUIRE(r.candidates == 32);
    REQUIRE(r.screened.size() >= 1);
    REQUIRE(r.screened.size() < 32);
    REQUIRE(r.refits_planned == 0);
    REQUIRE_FALSE(r.model.members.empty());
    for (const auto& m : r.model.members) REQUIRE_FALSE(m.history.loss.empty());
}

namespace {

using Clock = std::chrono::steady_clock;

using elman::test::CliRun;
using elman::test::read_file;
using elman::test::run_cli;

// The lines of text, also from the terminal: its CR LF line ends lose the CR.
std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines = elman::test::lines_of(text);
    for (std::string& line : lines)
        if (!line.empty() && line.back() == '\r') line.pop_back();
    return lines;
}

struct TempDir : elman::test::TempDir {
    TempDir() : elman::test::TempDir("elman_test_signals") {}
};

// `elman args...` with stdout to a file and stderr to a pseudo-terminal read as it comes.
class Child {
public:
    Child(const std::vector<std::string>& args, const fs::path& stdout_file)
    {
        master_ = posix_openpt(O_RDWR | O_NOCTTY);
        REQUIRE(master_ >= 0);
        REQUIRE(grantpt(master_) == 0);
        REQUIRE(unlockpt(master_) == 0);
        // The parent keeps the terminal's other end open too, so reading never sees a hang-up.
        slave_ = open(ptsname(master_), O_RDWR | O_NOCTTY);
        REQUIRE(slave_ >= 0);
        std::vector<std::string> argv_s{ELMAN_CLI};
        argv_s.insert(argv_s.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : argv_s) argv.push_back(a.data());
        argv.push_back(nullptr);
        const int out = open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int in = open("/dev/null", O_RDONLY);
        REQUIRE(out >= 0);
        REQUIRE(in >= 0);
        // Closed on exec: its end of file tells that the child is elman (and no longer a copy
        // of this program, whose SIGINT handler Catch2 installed).
        int exec_pipe[2];
        REQUIRE(pipe2(exec_pipe, O_CLOEXEC) == 0);
        pid_ = fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            dup2(in, 0);
            dup2(out, 1);
            dup2(slave_, 2);
            ::signal(SIGINT, SIG_DFL);
            execv(argv[0], argv.data());
            const char failed = 1;
            [[maybe_unused]] const ssize_t n = write(exec_pipe[1], &failed, 1);
            _exit(127);
        }
        close(exec_pipe[1]);
        char failed = 0;
        ssize_t n;
        while ((n = read(exec_pipe[0], &failed, 1)) < 0 && errno == EINTR) {
        }
        close(exec_pipe[0]);
        close(out);
        close(in);
        REQUIRE(n == 0);
    }
    ~Child()
    {
        if (pid_ > 0 && !status_) {
            kill(pid_, SIGKILL);
            int st = 0;
            waitpid(pid_, &st, 0);
        }
        close(master_);
        close(slave_);
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    const std::string& err() const { return err_; }

    // Reads stderr until it contains `text` or the child ends or `seconds` pass; true if found.
    bool wait_for(const std::string& text, double seconds)
    {
        const auto end = Clock::now() + std::chrono::duration<double>(seconds);
        while (err_.find(text) == std::string::npos && Clock::now() < end && !exited()) pump(50);
        pump(0);
        return err_.find(text) != std::string::npos;
    }

    // Until the child has run its SIGINT handler (a one-shot handler is gone from SigCgt then)
    // or has ended.
    void wait_handler_ran(double seconds)
    {
        const auto end = Clock::now() + std::chrono::duration<double>(seconds);
        while (Clock::now() < end && !exited() && catches_sigint()) pump(1);
    }

    // Until the child catches SIGINT (its handler is installed).
    bool wait_handler_installed(double seconds)
    {
        const auto end = Clock::now() + std::chrono::duration<double>(seconds);
        while (Clock::now() < end && !exited()) {
            if (catches_sigint()) return true;
            pump(1);
        }
        return false;
    }

    // Sends sig unless the child has ended (a reaped pid could be reused by another process).
    bool signal(int sig) { return !exited() && kill(pid_, sig) == 0; }

    // The wait status once the child ends; killed (SIGKILL) after `seconds`.
    int finish(double seconds)
    {
        const auto end = Clock::now() + std::chrono::duration<double>(seconds);
        while (!exited() && Clock::now() < end) pump(50);
        if (!status_) {
            kill(pid_, SIGKILL);
            int st = 0;
            waitpid(pid_, &st, 0);
            status_ = st;
            FAIL("elman did not end within " << seconds << " s; stderr: " << err_);
        }
        pump(0);
        return *status_;
    }

private:
    bool exited()
    {
        if (status_) return true;
        int st = 0;
        if (waitpid(pid_, &st, WNOHANG) == pid_) status_ = st;
        return status_.has_value();
    }

    void pump(int timeout_ms)
    {
        pollfd p{master_, POLLIN, 0};
        while (poll(&p, 1, timeout_ms) > 0 && (p.revents & POLLIN)) {
            char buf[4096];
            const ssize_t n = read(master_, buf, sizeof buf);
            if (n <= 0) break;
            err_.append(buf, static_cast<std::size_t>(n));
            timeout_ms = 0;
        }
    }

    bool catches_sigint() const
    {
        std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
        for (std::string line; std::getline(in, line);)
            if (line.rfind("SigCgt:", 0) == 0)
                return (std::stoull(line.substr(7), nullptr, 16) >> (SIGINT - 1)) & 1;
        return false;
    }

    int master_ = -1, slave_ = -1;
    pid_t pid_ = -1;
    std::optional<int> status_;
    std::string err_;
};

// Every entry under dir whose name marks a temporary or set-aside directory.
std::vector<std::string> leftovers(const fs::path& dir)
{
    std::vector<std::string> found;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (name.find(".tmp-") != std::string::npos || name.find(".old") != std::string::npos)
            found.push_back(e.path().string());
    }
    return found;
}

// 32 candidates (16 recursive, 16 MIMO) × 4 seeds of 4,000 steps each on 2 threads: the first
// progress line comes after one model, the end (uninterrupted: several seconds in a Release
// build) after 64 more.
std::vector<std::string> long_run(const fs::path& out)
{
    return {"forecast", "--builtin", "nile_flow", "--out", out.string(), "--seeds", "4",
            "--ensemble", "2", "--threads", "2", "--epochs", "100000", "--patience", "100000",
            "--max-steps", "4000"};
}

// The saved model forecasts (as `elman predict`) and loads through the library.
void require_model_loads(const fs::path& out, const fs::path& scratch)
{
    const CliRun predicted = run_cli(
        {"predict", "--model", out.string(), "--builtin", "nile_flow", "--horizon", "3"}, scratch);
    REQUIRE(predicted.status == 0);
    REQUIRE(lines_of(predicted.out).size() == 4);
    REQUIRE_FALSE(ForecastModel::load((out / "model").string()).members.empty());
}

}  // namespace

TEST_CASE("cli: SIGINT during forecast finishes the step, saves the best model so far and exits 130", "[cli][interrupt]")
{
    TempDir tmp;
    const fs::path out = tmp.path / "out";
    Child child(long_run(out), tmp.path / "stdout.txt");
    // A progress line is printed when a model has finished training.
    REQUIRE(child.wait_for("candidate ", 300));
    REQUIRE(child.signal(SIGINT));
    const int status = child.finish(300);
    INFO("stderr: " << child.err());
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 130);

    // The progress lines, then exactly one line from elman: the last.
    const auto lines = lines_of(child.err());
    REQUIRE_FALSE(lines.empty());
    const std::string& last = lines.back();
    CHECK(last.rfind("elman forecast: interrupted (SIGINT) after ", 0) == 0);
    CHECK(last.find(" of 32 candidates; saved the best model so far (") != std::string::npos);
    CHECK(last.find((out / "model").string()) != std::string::npos);
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
        INFO(lines[i]);
        CHECK((lines[i].rfind("  candidate ", 0) == 0 || lines[i].rfind("  refit ", 0) == 0));
    }
    CHECK(read_file(tmp.path / "stdout.txt").empty());

    const auto metrics = nlohmann::json::parse(read_file(out / "metrics.json"));
    CHECK(metrics.at("interrupted").get<bool>());
    CHECK(metrics.at("candidates").get<int>() == 32);
    CHECK(metrics.at("candidates_screened").get<int>() >= 1);
    CHECK(metrics.at("candidates_screened").get<int>() < 32);
    const auto pipeline = nlohmann::json::parse(read_file(out / "model" / "pipeline.json"));
    CHECK(pipeline.at("interrupted").get<bool>());
    for (const char* f : {"forecast.csv", "forecast.svg", "loss.svg"})
        CHECK(fs::is_regular_file(out / f));
    require_model_loads(out, tmp.path);
    CHECK(leftovers(tmp.path).empty());
}

TEST_CASE("cli: a second SIGINT kills forecast at once, and the previous output stays whole", "[cli][interrupt]")
{
    TempDir tmp;
    const fs::path out = tmp.path / "out";
    REQUIRE(run_cli({"forecast", "--builtin", "nile_flow", "--out", out.string(), "--quiet",
                     "--epochs", "15", "--seeds", "1", "--ensemble", "2"},
                    tmp.path)
                .status == 0);
    const std::string old_metrics = read_file(out / "metrics.json");
    const std::string old_pipeline = read_file(out / "model" / "pipeline.json");

    Child child(long_run(out), tmp.path / "stdout.txt");
    REQUIRE(child.wait_for("candidate ", 300));
    REQUIRE(child.signal(SIGINT));
    // The second one as soon as the first has been handled: the default action, no clean-up.
    child.wait_handler_ran(60);
    child.signal(SIGINT);
    const int status = child.finish(300);
    INFO("stderr: " << child.err());
    const bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGINT;
    const bool finished = WIFEXITED(status) && WEXITSTATUS(status) == 130;
    REQUIRE((killed || finished));

    // The old output, or the whole new one: never a mixture, never a broken model.
    const std::string metrics = read_file(out / "metrics.json");
    if (metrics == old_metrics) {
        CHECK(read_file(out / "model" / "pipeline.json") == old_pipeline);
    } else {
        CHECK(nlohmann::json::parse(metrics).at("interrupted").get<bool>());
        CHECK(nlohmann::json::parse(read_file(out / "model" / "pipeline.json"))
                  .at("interrupted")
                  .get<bool>());
    }
    require_model_loads(out, tmp.path);
    // Only the out directory's own temporary sibling may be left by the kill, never inside it.
    CHECK(leftovers(out).empty());
}

TEST_CASE("cli: SIGINT before any model finished an epoch exits 130 and writes nothing", "[cli][interrupt]")
{
    TempDir tmp;
    // 20,000 monthly values, batch 1, lookback 64, 128 units: the first epoch takes 16,000
    // steps, 2.6 s in a Release build.
    const fs::path csv = tmp.path / "long.csv";
    {
        std::ofstream f(csv);
        f << "month,value\n";
        for (int t = 0; t < 20000; ++t)
            f << 1800 + t / 12 << "-" << (t % 12 < 9 ? "0" : "") << t % 12 + 1 << ","
              << 100 + 10 * std::sin(t * 0.5236) << "\n";
    }
    const fs::path out = tmp.path / "out";
    Child child({"forecast", csv.string(), "--out", out.string(), "--quiet", "--batch-size", "1",
                 "--lookback", "64", "--units", "128", "--diff", "none", "--no-log", "--seeds",
                 "1", "--threads",
                 "1", "--test", "12", "--max-steps", "1000000"},
                tmp.path / "stdout.txt");
    REQUIRE(child.wait_handler_installed(60));
    REQUIRE(child.signal(SIGINT));
    const int status = child.finish(300);
    INFO("stderr: " << child.err());
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 130);
    const auto lines = lines_of(child.err());
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == "elman forecast: interrupted (SIGINT) before any model finished an epoch; "
                      "nothing written");
    CHECK_FALSE(fs::exists(out));
    CHECK(leftovers(tmp.path).empty());
}

#endif  // ELMAN_CLI
