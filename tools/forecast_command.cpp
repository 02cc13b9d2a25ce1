#include "tools/forecast_command.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <sstream>
#include <vector>

#include "core/error.hpp"
#include "forecast/backtest.hpp"
#include "forecast/covariates.hpp"
#include "forecast/forecast.hpp"
#include "tools/backtest_report.hpp"
#include "tools/forecast_report.hpp"
#include "tools/output_dir.hpp"

namespace fs = std::filesystem;

namespace elman::cli {

namespace {

// Set by the SIGINT handler; a lock-free atomic store is async-signal-safe.
std::atomic<bool> g_sigint{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_sigint(int) { g_sigint.store(true, std::memory_order_relaxed); }

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

// The options that depend on whether they were given at all.
void finish_options(ForecastArgs& a)
{
    ForecastOptions& o = a.o;
    if (a.test_option->count()) o.test = a.test;
    if (a.lookback_option->count()) {
        if (a.lookback < 1) throw Error("--lookback must be >= 1");
        o.lookback = a.lookback;
    }
    if (a.season_option->count()) {
        if (a.season < 1) throw Error("--season must be >= 1");
        o.season = a.season;
    }
    if (a.log_mode >= 0) o.log = a.log_mode == 1;
    o.lags = parse_lags(a.diff);
    o.strategy = parse_strategy(a.strategy);
    o.refit = !a.no_refit;
    validate_forecast_options(o);
    a.in.covariates = o.past_covariates;
    a.in.covariates.insert(a.in.covariates.end(), o.future_covariates.begin(), o.future_covariates.end());
    if (!a.future.empty() && o.future_covariates.empty())
        throw Error("--future gives the values of known-future covariates after the series: name them with "
                    "--future-covariates");
    if (!a.future.empty() && o.test.value_or(1) != 0)
        throw Error("--future is for a forecast after the series (--test 0); with a test part the covariates' values "
                    "in it are read from the series' own file");
    if (!a.future.empty() && a.many.many())
        throw Error("--future continues one series; with several series, fit with a test part or use elman predict");
    if (a.command->count("--folds") && a.folds < 1) throw Error("--folds must be >= 1");
    if (a.command->count("--fold-step") && !a.command->count("--folds")) throw Error("--fold-step needs --folds");
    if (a.command->count("--fold-step") && a.fold_step < 1) throw Error("--fold-step must be >= 1");
}

// The line on stderr after SIGINT cut the run short (the results were written).
void report_interrupted(const ForecastResult& r, const ForecastArgs& a)
{
    std::string done = std::to_string(r.screened.size()) + " of " + std::to_string(r.candidates) + " candidates";
    if (r.refits_planned)
        done += " and " + std::to_string(r.refits) + " of " + std::to_string(r.refits_planned) + " refits";
    std::fprintf(stderr,
                 "elman forecast: interrupted (SIGINT) after %s; saved the best model so far (%zu models) to %s, its "
                 "forecasts and metrics (marked interrupted) to %s\n",
                 done.c_str(), r.model.members.size(), (fs::path(a.out) / "model").string().c_str(), a.out.c_str());
}

// A backtest cut short by SIGINT: the folds completed so far go to DIR (backtest.json, marked
// interrupted, and folds.csv), without the outputs of a last fold that did not finish.
int report_backtest_interrupted(const BacktestResult& b, const ForecastArgs& a)
{
    write_atomically(a.out, [&](const fs::path& dir) { write_backtest(dir, b); });
    std::fprintf(stderr,
                 "elman forecast: interrupted (SIGINT) after %zu of %zu folds; wrote their scores (marked "
                 "interrupted) to %s/backtest.json and folds.csv\n",
                 b.folds.size(), a.folds, a.out.c_str());
    return exit_interrupted;
}

void print_summary(const ForecastResult& r, const Series& s, const std::string& label, const ForecastArgs& a)
{
    std::printf("%s: %zu training values, %zu test values; %s\n", label.c_str(), r.n_train, r.n_test,
                calendar_line(s, r.season, r.season_source).c_str());
    const char* cell = a.o.cell == "lstm" ? "LSTM" : a.o.cell == "gru" ? "GRU" : "SimpleRNN";
    std::printf("elman: %zu %s(%zu) models (-> Dense(1) recursive, -> Dense(%zu) MIMO)\n", r.model.members.size(), cell,
                a.o.units, r.horizon);
    if (!r.model.past_covariates.empty() || !r.model.future_covariates.empty())
        std::printf("  covariates: %zu past-only, %zu known-future (inputs per step: %zu)\n",
                    r.model.past_covariates.size(), r.model.future_covariates.size(),
                    1 + r.model.past_covariates.size() + r.model.future_covariates.size());
    std::printf("  one-step: median of %s\n", r.model.describe(Ensemble::one_step).c_str());
    std::printf("  multi-step: median of %s\n\n", r.model.describe(Ensemble::multi_step).c_str());
    print_table(r);
    for (const auto& w : band_warnings(r)) std::printf("(!) %s\n", w.c_str());
    std::printf("\nwrote %s/{metrics.json, forecast.csv, forecast.svg, loss.svg, model/%s}\n", a.out.c_str(),
                a.folds ? ", backtest.json, folds.csv" : "");
}

}  // namespace

CLI::App* add_forecast_command(CLI::App& app, ForecastArgs& a)
{
    CLI::App* fc =
        app.add_subcommand("forecast", "train on all but the last --test values, forecast them, compare baselines");
    a.command = fc;
    add_input_options(fc, a.in);
    add_many_options(fc, a.many);
    a.test_option = fc->add_option("--test", a.test, "test values at the end (default: 20%, whole seasons, at most 20 horizons; 0: fit on all)");
    a.lookback_option = fc->add_option("--lookback", a.lookback, "input window length (default: chosen)");
    fc->add_option("--horizon", a.o.horizon,
                   "multi-step horizon (default: M4's for the frequency, e.g. 18 monthly, capped by the test part)")
        ->check(CLI::Range(std::size_t(1), std::size_t(1000000)));  // an explicit 0 is not "the default"
    fc->add_option("--units", a.o.units, "units of the recurrent layer")->capture_default_str();
    fc->add_option("--cell", a.o.cell, "recurrent cell: simple (SimpleRNN, the Elman network), lstm or gru")
        ->check(CLI::IsMember({"simple", "lstm", "gru"}))
        ->capture_default_str();
    fc->add_option("--epochs", a.o.epochs, "maximum epochs (early stopping picks the count)")->capture_default_str();
    fc->add_option("--max-steps", a.o.max_steps, "optimizer steps per model at most (fewer epochs on long series)")
        ->capture_default_str();
    fc->add_option("--patience", a.o.patience, "early-stopping patience in epochs")->capture_default_str();
    fc->add_option("--batch-size", a.o.batch_size, "batch size")->capture_default_str();
    fc->add_option("--lr", a.o.lr, "Adam learning rate")->capture_default_str();
    fc->add_option("--ensemble", a.o.ensemble, "best candidates kept and combined (median)")->capture_default_str();
    fc->add_option("--seeds", a.o.seeds, "models (seeds) per candidate")->capture_default_str();
    fc->add_option("--threads", a.o.threads, "training threads (results do not depend on it)")->capture_default_str();
    fc->add_option("--seed", a.o.seed, "random seed (weights, shuffling)")->capture_default_str();
    a.season_option = fc->add_option("--season", a.season, "season length m (default: from the periods)");
    auto* o_log = fc->add_flag_callback("--log", [&a] { a.log_mode = 1; }, "always model log(y) (values must be > 0)");
    auto* o_nolog = fc->add_flag_callback("--no-log", [&a] { a.log_mode = 0; }, "never take logs");
    o_log->excludes(o_nolog);
    fc->add_option("--diff", a.diff, "differencing lags: auto, none, or e.g. 1,12")->capture_default_str();
    fc->add_option("--strategy", a.strategy,
                   "multi-step candidates: auto (recursive and MIMO, chosen on the validation tail), recursive, mimo")
        ->capture_default_str();
    fc->add_option("--folds", a.folds,
                   "rolling-origin backtest: run K times, each fold trained only on the data before its test part "
                   "(backtest.json, folds.csv)");
    fc->add_option("--fold-step", a.fold_step, "values between the folds' origins (default: the horizon)");
    fc->add_option("--covariates,--past-covariates", a.o.past_covariates,
                   "past-only covariate columns, comma-separated: extra inputs read up to the period before each "
                   "forecast (multi-step: MIMO candidates only)")
        ->delimiter(',');
    fc->add_option("--future-covariates", a.o.future_covariates,
                   "known-future covariate columns (calendar, a policy dummy, planned prices): extra inputs read at "
                   "each forecast period; a forecast after the series needs their future values (--future)")
        ->delimiter(',');
    fc->add_option("--future", a.future,
                   "with --test 0: a CSV of the periods after the series with the --future-covariates columns")
        ->check(CLI::ExistingFile);
    fc->add_flag("--no-refit", a.no_refit,
                 "only the early-stopped models, without their refits on the whole training part");
    fc->add_option("-o,--out", a.out, "output directory")->capture_default_str();
    fc->add_flag("-q,--quiet", a.quiet, "no progress and no table");
    return fc;
}

int run_forecast_command(ForecastArgs& a)
{
    finish_options(a);
    check_output_dir(a.out);  // before training: a folder elman may not replace fails at once
    ForecastOptions& o = a.o;
    catch_sigint_once();
    o.should_stop = [] { return g_sigint.load(std::memory_order_relaxed); };
    if (a.many.many()) return run_many_command(a);
    if (!a.many.shard.empty()) throw Error("--shard splits several series: give --id-column, --columns or --all-columns");
    Series s = load_input(a.in);
    if (!a.future.empty())
        append_future_covariates(s, a.future, o.future_covariates,
                                 o.horizon ? o.horizon : default_horizon(s.time.calendar));
    const std::string label = series_label(a.in, s);
    const Source season_source = o.season ? Source::given : s.time.season_source;
    print_notes(label, s, o.season.value_or(s.season), season_source, !a.quiet);
    if (!a.quiet && isatty(fileno(stderr)))
        o.progress = [](const std::string& line) { std::fprintf(stderr, "  %s\n", line.c_str()); };
    std::optional<BacktestResult> backtest;
    ForecastResult r;
    try {
        if (a.folds) {
            backtest = run_backtest(s, o, BacktestOptions{a.folds, a.fold_step});
            if (backtest->interrupted) return report_backtest_interrupted(*backtest, a);
            r = std::move(backtest->last);
        } else {
            r = run_forecast(s, o);
        }
    } catch (const ForecastInterrupted&) {
        std::fprintf(stderr, "elman forecast: interrupted (SIGINT) before any model finished an epoch; nothing written\n");
        return exit_interrupted;
    }
    r.model.series.read = csv_options(a.in);  // for predict to read a later file alike
    for (const auto& n : r.notes) std::fprintf(stderr, "elman: note: %s\n", n.c_str());
    for (const auto& w : band_warnings(r)) std::fprintf(stderr, "elman: warning: %s\n", w.c_str());
    write_atomically(a.out, [&](const fs::path& dir) {
        write_outputs(dir, s, label, r);
        if (backtest) write_backtest(dir, *backtest);
    });
    if (r.interrupted) {
        report_interrupted(r, a);
        return exit_interrupted;
    }
    if (g_sigint) {
        std::fprintf(stderr, "elman forecast: interrupted (SIGINT) after training had finished; wrote the complete "
                             "results to %s\n",
                     a.out.c_str());
        return exit_interrupted;
    }
    if (!a.quiet) print_summary(r, s, label, a);
    if (!a.quiet && backtest) print_backtest(*backtest);
    return 0;
}

}  // namespace elman::cli
