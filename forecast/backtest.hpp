// Rolling-origin backtests (`elman forecast --folds K`): the whole pipeline run K times, each
// time on the series cut at a later origin, so that a score comes with its spread across origins
// instead of from one split (Tashman 2000, "Out-of-sample tests of forecasting accuracy: an
// analysis and review", IJF 16(4): rolling-origin evaluation).
//
// With n values, a test size T and a multi-step horizon H decided on the whole series as
// run_forecast decides them (forecast/split.hpp), and a step S (default H), fold k = 1..K uses
// the first n_k = n − (K − k)·S values: it trains on y[0 .. n_k − T) only, is tested on
// y[n_k − T .. n_k) exactly like run_forecast's test part (one-step, rolling-origin multi-step,
// intervals), with the same season, T and H in every fold. The last fold is the run on the whole
// series. Folds overlap when S < T: their scores are then not independent, and the spread
// understates the uncertainty of the mean.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "datasets/metrics.hpp"
#include "datasets/series.hpp"
#include "forecast/intervals.hpp"
#include "forecast/options.hpp"
#include "forecast/result.hpp"

namespace elman {

struct BacktestOptions {
    std::size_t folds = 3;  // K >= 1
    std::size_t step = 0;   // values between consecutive origins; 0: the horizon H
};

struct BacktestFold {
    std::size_t n = 0, n_train = 0, n_test = 0;  // values used, trained on, tested on
    std::string first_test_period, last_test_period;
    MethodMetrics one_step, multi_step;
    IntervalScores one_step_intervals, multi_step_intervals;  // elman's
    std::string one_step_ensemble, multi_step_ensemble;       // ForecastModel::describe(e)
};

// Mean and sample standard deviation (ddof 1; 0 for one fold) over the folds of one number;
// undefined values (NaN, as an undefined MASE) are left out, and with none left both are NaN.
struct Spread {
    double mean = 0, sd = 0;
    std::size_t folds = 0;  // the folds in which it was defined
};

struct BacktestResult {
    std::size_t step = 0;
    std::vector<BacktestFold> folds;  // oldest first
    // "one_step.elman.mase", "multi_step.naive.rmse", "one_step.intervals.coverage80", ...
    std::map<std::string, Spread> summary;
    ForecastResult last;  // the last fold: the run on the whole series
    bool interrupted = false;  // should_stop ended it; folds holds the folds completed
};

// Runs the folds, oldest first (progress lines prefixed "fold k/K: "). Throws elman::Error for
// folds < 1, origins that leave the first fold fewer values than its test part needs (naming
// --folds and --fold-step), and what run_forecast throws for a fold (prefixed "fold k/K: ");
// ForecastInterrupted when should_stop ended the first fold before any model finished.
BacktestResult run_backtest(const Series& series, const ForecastOptions& options, const BacktestOptions& backtest);

}  // namespace elman
