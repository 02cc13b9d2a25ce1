// The `elman` command: forecast a time series with an Elman RNN and compare it with the
// classical baselines (forecast), forecast with a saved model (predict), print a model's
// Keras-style summary (summary), write an explorable BPTT page (explain, tools/explain_cli.hpp).
// Every error is one line "elman: error: ..." on stderr and a
// non-zero exit; forecast writes its output directory completely or not at all.
//
// Ctrl-C (SIGINT) during forecast: the handler only raises a flag; training stops after the
// current optimizer step, the models trained so far are written (marked interrupted) by the
// same atomic rename, and the exit status is 130. The handler is one-shot (SA_RESETHAND), so a
// second Ctrl-C kills the program at once; the rename keeps the old output intact then.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "layers/dense.hpp"
#include "layers/sequential.hpp"
#include "layers/simple_rnn.hpp"
#include "tools/explain_cli.hpp"
#include "tools/forecast.hpp"
#include "tools/forecast_report.hpp"
#include "tools/input.hpp"
#include "tools/predict.hpp"

namespace fs = std::filesystem;
using elman::Error;

namespace {

// Set by the SIGINT handler; a lock-free atomic store is async-signal-safe.
std::atomic<bool> g_sigint{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_sigint(int)
{
    g_sigint.store(true, std::memory_order_relaxed);
}

// One-shot: the first SIGINT sets the flag and restores the default action for the next one.
// An ignored SIGINT (a background job of a shell) stays ignored.
void catch_sigint_once()
{
    struct sigaction old {};
    if (sigaction(SIGINT, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) return;
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND | SA_RESTART;
    if (sigaction(SIGINT, &sa, nullptr) != 0) throw Error("cannot install the SIGINT handler");
}

// Exit status of a program ended by SIGINT, as the shells report it (128 + 2).
constexpr int exit_interrupted = 130;

// Lags "1,12" -> {1, 12}; "none" -> {}; "auto" -> nullopt (chosen by validation).
std::optional<std::vector<std::size_t>> parse_lags(const std::string& text)
{
    if (text == "auto") return std::nullopt;
    std::vector<std::size_t> lags;
    if (text == "none") return lags;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        std::size_t used = 0;
        long long v = -1;
        try {
            v = std::stoll(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != item.size() || item.empty() || v < 1)
            throw Error("--diff: expected auto, none or lags >= 1 like 1,12, got '" + text + "'");
        lags.push_back(static_cast<std::size_t>(v));
    }
    return lags;
}

// Creates `out` from scratch: everything goes into a temporary sibling that replaces `out` in
// one rename at the end, so an error leaves no partial output behind.
template <class Fn>
void write_atomically(const fs::path& out, Fn&& fill)
{
    const fs::path target = fs::absolute(out).lexically_normal();
    const fs::path parent = target.parent_path();
    if (!fs::is_directory(parent))
        throw Error("--out " + out.string() + ": parent directory " + parent.string() +
                    " does not exist");
    if (fs::exists(target) && !fs::is_directory(target))
        throw Error("--out " + out.string() + " exists and is not a directory");
    std::string templ = (parent / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
    if (!mkdtemp(templ.data())) throw Error("cannot create a directory next to " + out.string());
    const fs::path tmp = templ;
    try {
        fill(tmp);
        fs::permissions(tmp, fs::perms::owner_all | fs::perms::group_read |
                                 fs::perms::group_exec | fs::perms::others_read |
                                 fs::perms::others_exec);
        if (fs::exists(target)) {
            // Swap the old output out, then delete it.
            if (renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) {
                const fs::path old = tmp.string() + ".old";
                fs::rename(target, old);
                fs::rename(tmp, target);
                fs::remove_all(old);
            } else {
                fs::remove_all(tmp);
            }
        } else {
            fs::rename(tmp, target);
        }
    } catch (...) {
        std::error_code ec;
        fs::remove_all(tmp, ec);
        throw;
    }
}

struct ForecastArgs {
    elman::cli::Input in;
    elman::ForecastOptions o;
    int log_mode = -1;  // -1: chosen by validation, 0: off, 1: on
    std::string diff = "auto", out = "forecast";
    bool quiet = false, no_refit = false;
};

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"elman: forecast time series with an Elman RNN (SimpleRNN) and compare it with "
                 "the classical baselines"};
    app.require_subcommand(1);
    app.set_help_all_flag("--help-all", "help for every subcommand");

    ForecastArgs fa;
    std::size_t test = 0, lookback = 0, season = 0;
    CLI::App* fc = app.add_subcommand(
        "forecast", "train on all but the last --test values, forecast them, compare baselines");
    elman::cli::add_input_options(fc, fa.in);
    auto* o_test = fc->add_option("--test", test,
                                  "test values at the end (default: 20%, whole seasons; 0: fit on all)");
    auto* o_lookback =
        fc->add_option("--lookback", lookback, "input window length (default: chosen)");
    fc->add_option("--horizon", fa.o.horizon,
                   "multi-step horizon (default: M4's for the frequency, e.g. 18 monthly, capped by the test part)");
    fc->add_option("--units", fa.o.units, "SimpleRNN units")->capture_default_str();
    fc->add_option("--epochs", fa.o.epochs, "maximum epochs (early stopping picks the count)")
        ->capture_default_str();
    fc->add_option("--max-steps", fa.o.max_steps,
                   "optimizer steps per model at most (fewer epochs on long series)")
        ->capture_default_str();
    fc->add_option("--patience", fa.o.patience, "early-stopping patience in epochs")
        ->capture_default_str();
    fc->add_option("--batch-size", fa.o.batch_size, "batch size")->capture_default_str();
    fc->add_option("--lr", fa.o.lr, "Adam learning rate")->capture_default_str();
    fc->add_option("--ensemble", fa.o.ensemble, "best candidates kept and combined (median)")
        ->capture_default_str();
    fc->add_option("--seeds", fa.o.seeds, "models (seeds) per candidate")->capture_default_str();
    fc->add_option("--threads", fa.o.threads, "training threads (results do not depend on it)")
        ->capture_default_str();
    fc->add_option("--seed", fa.o.seed, "random seed (weights, shuffling)")->capture_default_str();
    auto* o_season =
        fc->add_option("--season", season, "season length m (default: from the periods)");
    auto* o_log = fc->add_flag_callback("--log", [&] { fa.log_mode = 1; },
                                        "always model log(y) (values must be > 0)");
    auto* o_nolog = fc->add_flag_callback("--no-log", [&] { fa.log_mode = 0; }, "never take logs");
    o_log->excludes(o_nolog);
    fc->add_option("--diff", fa.diff, "differencing lags: auto, none, or e.g. 1,12")
        ->capture_default_str();
    fc->add_flag("--no-refit", fa.no_refit,
                 "only the early-stopped models, without their refits on the whole training part");
    fc->add_option("-o,--out", fa.out, "output directory")->capture_default_str();
    fc->add_flag("-q,--quiet", fa.quiet, "no progress and no table");

    elman::cli::Input pi;
    std::string model_dir;
    std::size_t p_horizon = 0;
    CLI::App* pc = app.add_subcommand(
        "predict", "forecast the values after the end of a series with a saved model");
    pc->add_option("-m,--model", model_dir, "a forecast output directory or its model/")
        ->required();
    elman::cli::add_input_options(pc, pi);
    pc->add_option("--horizon", p_horizon, "values to forecast (default: M4's for the frequency, e.g. 18 monthly)");

    std::size_t input_dim = 1, units = 0, dense = 1, timesteps = 0;
    CLI::App* sc = app.add_subcommand("summary", "print the Keras-style summary of a model");
    sc->add_option("--input-dim", input_dim, "features per time step")->capture_default_str();
    sc->add_option("--units", units, "SimpleRNN units")->required();
    sc->add_option("--dense", dense, "units of the Dense layer after it (0: none)")
        ->capture_default_str();
    sc->add_option("--timesteps", timesteps, "sequence length (0: any)")->capture_default_str();

    elman::ExplainArgs explain_args;
    CLI::App* ec = elman::add_explain_command(app, explain_args);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::string msg = e.what();
        for (char& c : msg)
            if (c == '\n') c = ' ';
        std::fprintf(stderr, "elman: error: %s (see elman --help)\n", msg.c_str());
        return 2;
    }

    try {
        if (ec->parsed()) {
            elman::run_explain(explain_args);
            return 0;
        }
        if (sc->parsed()) {
            if (input_dim < 1) throw Error("--input-dim must be >= 1");
            if (units < 1) throw Error("--units must be >= 1");
            elman::Sequential<float> model;
            model.emplace<elman::SimpleRNN<float>>(elman::SimpleRNNOptions{.units = units});
            if (dense > 0) model.emplace<elman::Dense<float>>(elman::DenseOptions{.units = dense});
            model.build({timesteps, input_dim});
            std::cout << model.summary();
            return 0;
        }
        if (pc->parsed()) {
            elman::cli::run_predict(model_dir, pi, p_horizon);
            return 0;
        }

        elman::ForecastOptions& o = fa.o;
        if (o_test->count()) o.test = test;
        if (o_lookback->count()) {
            if (lookback < 1) throw Error("--lookback must be >= 1");
            o.lookback = lookback;
        }
        if (o_season->count()) {
            if (season < 1) throw Error("--season must be >= 1");
            o.season = season;
        }
        if (fa.log_mode >= 0) o.log = fa.log_mode == 1;
        o.lags = parse_lags(fa.diff);
        o.refit = !fa.no_refit;
        elman::validate_forecast_options(o);
        catch_sigint_once();
        o.should_stop = [] { return g_sigint.load(std::memory_order_relaxed); };
        const elman::Series s = elman::cli::load_input(fa.in);
        const std::string label = elman::cli::series_label(fa.in, s);
        const elman::Source season_source = o.season ? elman::Source::given : s.time.season_source;
        elman::cli::print_notes(label, s, o.season.value_or(s.season), season_source);
        const bool show = !fa.quiet && isatty(fileno(stderr));
        if (show) o.progress = [](const std::string& line) { std::fprintf(stderr, "  %s\n", line.c_str()); };
        elman::ForecastResult r;
        try {
            r = elman::run_forecast(s, o);
        } catch (const elman::ForecastInterrupted&) {
            std::fprintf(stderr, "elman forecast: interrupted (SIGINT) before any model finished "
                                 "an epoch; nothing written\n");
            return exit_interrupted;
        }
        for (const auto& n : r.notes) std::fprintf(stderr, "elman: note: %s\n", n.c_str());
        for (const auto& w : elman::cli::band_warnings(r)) std::fprintf(stderr, "elman: warning: %s\n", w.c_str());
        write_atomically(fa.out, [&](const fs::path& dir) { elman::cli::write_outputs(dir, s, label, r); });
        if (r.interrupted) {
            std::string done = std::to_string(r.screened.size()) + " of " +
                               std::to_string(r.candidates) + " candidates";
            if (r.refits_planned)
                done += " and " + std::to_string(r.refits) + " of " +
                        std::to_string(r.refits_planned) + " refits";
            std::fprintf(stderr,
                         "elman forecast: interrupted (SIGINT) after %s; saved the best model so "
                         "far (%zu models) to %s, its forecasts and metrics (marked interrupted) "
                         "to %s\n",
                         done.c_str(), r.model.members.size(),
                         (fs::path(fa.out) / "model").string().c_str(), fa.out.c_str());
            return exit_interrupted;
        }
        if (g_sigint) {
            std::fprintf(stderr, "elman forecast: interrupted (SIGINT) after training had "
                                 "finished; wrote the complete results to %s\n",
                         fa.out.c_str());
            return exit_interrupted;
        }
        if (!fa.quiet) {
            std::printf("%s: %zu training values, %zu test values; %s\n", label.c_str(), r.n_train, r.n_test,
                        elman::cli::calendar_line(s, r.season, r.season_source).c_str());
            std::printf("elman: median of %zu SimpleRNN(%zu) -> Dense(1) models: %s\n\n",
                        r.model.members.size(), o.units, r.model.describe().c_str());
            elman::cli::print_table(r);
            for (const auto& w : elman::cli::band_warnings(r)) std::printf("(!) %s\n", w.c_str());
            std::printf("\nwrote %s/{metrics.json, forecast.csv, forecast.svg, loss.svg, model/}\n",
                        fa.out.c_str());
        }
        return 0;
    } catch (const std::exception& e) {
        std::string msg = e.what();
        for (char& c : msg)
            if (c == '\n') c = ' ';
        std::fprintf(stderr, "elman: error: %s\n", msg.c_str());
        return 1;
    }
}
