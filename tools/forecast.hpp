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
// Multi-step, from rolling origins: the test part is cut into consecutive blocks of `horizon`
// values (M4's horizon for the frequency by default: yearly 6, quarterly 8, monthly 18, weekly
// 13, daily 14, hourly 48; capped by the test part); each block is forecast from the true
// history before it, predictions fed back as inputs (recursive). Every test value is forecast
// once, at a lead time of 1..horizon. The baselines are scored the same way.
// Plausibility: a multi-step forecast outside [min − R, max + R] of the training part
// (R = max − min) is counted per method (outside_band) and flagged, never shown as if fine.
// Non-finite values: a model whose validation score is not finite is dropped; a run with no
// finite candidate, or with non-finite forecasts, is an error naming why; a constant training
// part (zero spread after the transforms) is forecast exactly by its mean, without training.
// --test 0 (ForecastOptions::test = 0): no test part; the models are fitted on the whole series
// and ForecastResult::future holds the `horizon` values after it.
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

#include "datasets/frequency.hpp"
#include "datasets/metrics.hpp"
#include "datasets/series.hpp"
#include "layers/fit.hpp"
#include "layers/sequential.hpp"

namespace elman {

// std::thread::hardware_concurrency(), at least 1 and at most 8.
std::size_t default_threads();

struct ForecastOptions {
    // Test size; default: default_test_size(n, season); 0: none (fit on the whole series).
    std::optional<std::size_t> test;
    std::size_t horizon = 0;               // multi-step horizon; 0: default_horizon(calendar)
    std::optional<std::size_t> season;     // default: default_season(calendar)
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
    // The differenced series it was fitted on was constant: it forecasts `mean` exactly and
    // its model was not trained.
    bool constant = false;
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
    // Forecasts of y[from..y.size()) in blocks of `horizon` from rolling origins (see the top).
    std::vector<double> rolling(const std::vector<double>& y, std::size_t from, std::size_t horizon);
};

// What a model was fitted on, kept in pipeline.json for `elman predict` to check its input.
struct SeriesInfo {
    std::string column;               // the value column's name
    Calendar calendar;                // the frequency (calendar.known() false: none)
    Source frequency_source = Source::by_default;
    std::size_t season = 1;
    Source season_source = Source::by_default;
    double min = 0, max = 0;          // of the data the models were fitted on
    std::size_t n = 0;
    std::string last_period;          // the label of its last value
    double last_value = 0;            // its last value
    std::optional<Instant> last_instant;  // and its instant, on a calendar
};

// The kept members and how their forecasts combine (median across members).
struct ForecastModel {
    std::size_t season = 1;
    SeriesInfo series;
    std::vector<ForecastMember> members;
    // From a run cut short (saved as "interrupted" in pipeline.json).
    bool interrupted = false;

    std::size_t warmup() const;
    std::vector<double> one_step(const std::vector<double>& y, std::size_t from);
    std::vector<double> multi_step(const std::vector<double>& history, std::size_t horizon);
    std::vector<double> rolling(const std::vector<double>& y, std::size_t from, std::size_t horizon);
    // The distinct candidates kept, in order, with their model counts:
    // "5 × [log, diff 1,12, lookback 24], 5 × [diff 12, lookback 24]"
    std::string describe() const;

    // dir/pipeline.json (transforms, scalers, lookbacks, what the series was) and
    // dir/member_<i>/ (checkpoints). A non-finite number is an error, never written as null.
    void save(const std::string& dir) const;
    static ForecastModel load(const std::string& dir);
};

// Method name -> forecasts of the test part; methods: elman, naive, seasonal_naive, drift.
using MethodForecasts = std::map<std::string, std::vector<double>>;
using MethodMetrics = std::map<std::string, Metrics>;

// The range multi-step forecasts are expected to stay in: [min − R, max + R] of the training
// part, R = max − min (for a constant part R = |max|, or 1 when that is 0).
struct PlausibleBand {
    double low = 0, high = 0;
    bool contains(double v) const { return v >= low && v <= high; }
    std::size_t outside(const std::vector<double>& forecasts) const;
    static PlausibleBand of(const std::vector<double>& train);
    static const char* rule();  // the rule above, for metrics.json and messages
};

struct ForecastResult {
    std::size_t n_train = 0, n_test = 0, season = 1, horizon = 0;
    Source season_source = Source::by_default, horizon_source = Source::by_default;
    std::vector<ForecastMember> screened;  // every candidate tried, best first (without models)
    ForecastModel model;
    // one_step and multi_step (rolling origins) over the test part; empty with no test part.
    MethodForecasts one_step, multi_step;
    MethodMetrics one_step_metrics, multi_step_metrics;
    PlausibleBand band;                                  // of the training part
    std::map<std::string, std::size_t> outside_band;     // multi-step forecasts outside it
    // The `horizon` values after the series, from its end (with no test part: the forecast).
    MethodForecasts future;
    std::vector<std::string> future_periods;
    // Candidates or models dropped and why (non-finite scores, divergence), one line each.
    std::vector<std::string> notes;
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
