// elman's forecasting pipeline as a library: options in (ForecastOptions), a result out
// (ForecastResult: forecasts, metrics, the candidates tried, the fitted model). `elman forecast`
// and `elman predict` are this API plus argument parsing, printing and plotting (tools/).
//
//   #include <elman/forecast/forecast.hpp>     // link elman::forecast
//   Series s = load_builtin("airline_passengers");
//   ForecastResult r = run_forecast(s, ForecastOptions{});
//   r.one_step_metrics["elman"].mase;  r.model.save("model");
//
// The stages, one file each (forecast/*.cpp), in the order run_forecast runs them:
//   split.cpp       season, test part, validation tail and horizon; checks of the values
//   candidates.cpp  the candidates (log × differencing lags × lookback)
//   training.cpp    one member: transforms, scaler, windows, SimpleRNN -> Dense, early stopping
//   selection.cpp   every candidate's seeds trained in parallel, scored on the validation tail
//   combination.cpp the best candidates kept with their refits; the median across members
//   member.cpp      a member's one-step, multi-step and rolling-origin forecasts
//   evaluation.cpp  elman's and the baselines' forecasts of the test part, metrics, band
//   model_io.cpp    model/pipeline.json and the checkpoints
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

#include "datasets/series.hpp"
#include "forecast/options.hpp"
#include "forecast/result.hpp"

namespace elman {

// Runs the whole pipeline on y (values on the original scale). Throws elman::Error for bad
// options or values (naming the CLI option or the value), a series too short for the season,
// lookback or test size, no candidate with a finite validation score, or a non-finite
// forecast; ForecastInterrupted when should_stop asked before any model finished an epoch.
ForecastResult run_forecast(const Series& y, const ForecastOptions& options);

}  // namespace elman
