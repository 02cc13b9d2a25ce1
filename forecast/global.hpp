// One model for many series (`elman forecast --global`): the approach of the M4 competition's
// winner (Smyl 2020, "A hybrid method of exponential smoothing and recurrent neural networks
// for time series forecasting", IJF 36(1)) and of DeepAR (Salinas et al. 2020, IJF 36(3)): a
// recurrent network trained on windows drawn from every series, each series scaled on its own,
// so that what one series teaches (a seasonal shape, how trends bend) serves the others.
//
// The pipeline is run_forecast's (forecast/forecast.hpp) with "a series" read as "every series":
//   1. split: each series' test part, training part and validation tail as run_forecast splits
//      it alone; the series must share one season (the most common one is the run's; a series
//      with another is left out with an error naming both);
//   2. candidates: run_forecast's recursive ones (one output; no MIMO heads yet) for the
//      shortest series (log only when every series is positive), those with enough values in
//      every series' fitted part;
//   3. each candidate, one model (seed o.seed): z = log? log y : y, d = its differences,
//      s = (d − μᵢ)/σᵢ with μᵢ, σᵢ of series i's fitted part; the windows of every series in one
//      training set, early stopping on every series' validation windows (at most o.max_steps
//      optimizer steps per series' worth of windows); its score is the mean over the series of
//      its one-step validation MAE divided by the series' in-sample naive MAE (so that no series
//      weighs by its scale);
//   4. the o.ensemble best candidates are the members, fitted on the fitted parts only (no refit:
//      the validation tails of every series decide the epochs, and refitting every candidate on
//      every series would double the cost);
//   5. for each series, a ForecastModel of those members (the shared weights with the series'
//      μᵢ, σᵢ), evaluated as run_forecast evaluates its own (forecast/evaluation.hpp).
// A series whose differenced fitted part is constant is forecast exactly by its members.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "datasets/series.hpp"
#include "forecast/options.hpp"
#include "forecast/result.hpp"

namespace elman {

struct GlobalResult {
    // One per series given, in order: the global model's result for it, or why none.
    std::vector<std::optional<ForecastResult>> results;
    std::vector<std::string> errors;
    std::vector<std::string> notes;  // candidates dropped and why
};

// Trains one global model on `series` (none null) with options `o`. Throws elman::Error for bad
// options, covariates among them (the global model takes none); a series' own problem (too short, another season, non-finite values) is its error,
// and when no model can be trained every series gets that error.
GlobalResult run_global(const std::vector<const Series*>& series, const ForecastOptions& o);

}  // namespace elman
