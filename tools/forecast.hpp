// The forecasting pipeline behind `elman forecast` and `elman predict`, reusable from examples.
//
// A series y is split into a training part y[0..n_train) and a test part (the last n_test
// values). Everything the pipeline chooses, it chooses on the training part alone, whose last
// n_val values (a validation tail) score the candidates:
//
//   1. candidates = log or not (only for a positive series) × differencing lags ({}, {1}, and
//      with a season m > 1 also {m}, {1, m}) × lookback L ({m, 2m}, or {4, 8, 12, 16} when m = 1);
//   2. each candidate: z = log? log y : y,  d = (1 − B^l1)(1 − B^l2)… z,  s = (d − μ)/σ (μ, σ of
//      the fitted part), windows s[t−L..t) -> s[t], SimpleRNN(units) -> Dense(1), Adam, MSE,
//      early stopping on the windows whose targets lie in the validation tail;
//      score = one-step MAE on the original scale over the validation tail;
//   3. the best `ensemble` candidates are kept with all their seeds' models, plus (refit) the
//      same models refitted on the whole training part for the epoch counts early stopping
//      found; the forecast is the median over all of them.
//
// Forecasts invert every step exactly: ŷ_t = exp(ẑ_t) with ẑ_t = d̂_t + (z_t − d_t), where
// z_t − d_t depends on past values only (datasets/transforms.hpp, Differencing::invert).
// One-step: each test value from the true history before it, weights frozen.
// Multi-step: from the end of the training part, predictions fed back as inputs (recursive).
//
// Interruption (ForecastOptions::should_stop, e.g. on SIGINT): models not yet started are
// skipped, running ones stop after their current optimizer step (fit's should_stop), refits not
// yet started are skipped. A screened model that finished at least one epoch is kept with its
// best epoch's weights and competes like the others; a refit cut short is dropped (its epoch
// count was the point of refitting). The pipeline then finishes with what it has and marks the
// result interrupted, or throws ForecastInterrupted when no model finished an epoch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "datasets/metrics.hpp"
#include "datasets/series.hpp"
#include "layers/fit.hpp"
#include "layers/sequential.hpp"

namespace elman {

// std::thread::hardware_concurrency(), at least 1 and at most 8.
std::size_t default_threads();

struct ForecastOptions {
    std::optional<std::size_t> test;       // test size; default: default_test_size(n, season)
    std::size_t horizon = 0;               // multi-step horizon; 0: the whole test part
    std::optional<std::size_t> season;     // default: from the period column
    std::optional<std::size_t> lookback;   // fixes L instead of choosing it
    std::optional<bool> log;               // fixes the log transform instead of choosing it
    std::optional<std::vector<std::size_t>> lags;  // fixes the differencing lags
    std::size_t units = 16;
    std::size_t epochs = 300;              // at most; early stopping picks the count
    std::size_t max_steps = 2000;          // optimizer steps per model at most (caps epochs)
    std::size_t patience = 25;
    std::size_t batch_size = 16;
    double lr = 0.01;
    std::size_t ensemble = 5;              // candidates kept and combined
    std::size_t seeds = 5;                 // models (seeds) per candidate
    bool refit = true;                     // add the kept models refitted on the whole training part
    std::uint64_t seed = 42;
    // Models train in parallel on this many threads; the results do not depend on it.
    std::size_t threads = default_threads();
    // Called with one line per step when set (the CLI prints it on a terminal).
    std::function<void(const std::string&)> progress;
    // Asked before every optimizer step and before each model, from the training threads (so it
    // must be thread-safe, e.g. read a std::atomic<bool>); true interrupts the run (see above).
    std::function<bool()> should_stop;
};

// run_forecast was interrupted before any model finished an epoch: there is nothing to keep.
class ForecastInterrupted : public Error {
public:
    explicit ForecastInterrupted(const std::string& message) : Error(message) {}
};

// One fitted candidate: its transforms and the RNN that forecasts the transformed series.
struct ForecastMember {
    bool log = false;
    std::vector<std::size_t> lags;
    std::size_t lookback = 0;
    double mean = 0, scale = 1;   // of the differenced (log) series on the data it was fitted on
    double val_mae = 0;           // one-step MAE over the validation tail
    std::size_t epochs = 0;       // epochs trained (the refit uses the early-stopping count)
    std::uint64_t seed = 0;       // of its weights and shuffling
    History<float> history;       // the screening run (train and validation loss)
    Sequential<float> model;

    // "log, diff 1,12, lookback 24"
    std::string describe() const;
    // Values needed before the first forecast: Σlags + lookback.
    std::size_t warmup() const;
    // One-step forecasts of y[from..y.size()), each from the true y[0..t).
    std::vector<double> one_step(const std::vector<double>& y, std::size_t from);
    // Forecasts of the `horizon` values after `history`, feeding predictions back.
    std::vector<double> multi_step(const std::vector<double>& history, std::size_t horizon);
};

// The kept members and how their forecasts combine (median across members).
struct ForecastModel {
    std::size_t season = 1;
    std::vector<ForecastMember> members;
    // From a run cut short (saved as "interrupted" in pipeline.json).
    bool interrupted = false;

    std::size_t warmup() const;
    std::vector<double> one_step(const std::vector<double>& y, std::size_t from);
    std::vector<double> multi_step(const std::vector<double>& history, std::size_t horizon);
    // The distinct candidates kept, in order, with their model counts:
    // "5 × [log, diff 1,12, lookback 24], 5 × [diff 12, lookback 24]"
    std::string describe() const;

    // dir/pipeline.json (transforms, scalers, lookbacks) and dir/member_<i>/ (checkpoints).
    void save(const std::string& dir) const;
    static ForecastModel load(const std::string& dir);
};

// Method name -> forecasts of the test part; methods: elman, naive, seasonal_naive, drift.
using MethodForecasts = std::map<std::string, std::vector<double>>;
using MethodMetrics = std::map<std::string, Metrics>;

struct ForecastResult {
    std::size_t n_train = 0, n_test = 0, season = 1, horizon = 0;
    std::vector<ForecastMember> screened;  // every candidate tried, best first (without models)
    ForecastModel model;
    MethodForecasts one_step, multi_step;  // one_step over the test part, multi_step over horizon
    MethodMetrics one_step_metrics, multi_step_metrics;
    // should_stop cut the run short: the model holds the members trained so far.
    bool interrupted = false;
    std::size_t candidates = 0;        // candidates to screen (screened.size() of them were)
    std::size_t refits_planned = 0;    // refits to run once screening finished (0: none)
    std::size_t refits = 0;            // refits completed
};

// The method names in display order.
const std::vector<std::string>& forecast_methods();

// Checks the options on their own (throws elman::Error with a one-line message naming the
// CLI option); run_forecast calls it and checks what depends on the series.
void validate_forecast_options(const ForecastOptions& options);

// Runs the whole pipeline on y (values on the original scale).
ForecastResult run_forecast(const Series& y, const ForecastOptions& options);

}  // namespace elman
