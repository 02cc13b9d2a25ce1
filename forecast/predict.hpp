// Forecasting with a saved model (`elman predict`): the series is first checked against what
// the model was fitted on (pipeline.json's "series"), then the values after it are forecast.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "datasets/series.hpp"
#include "forecast/intervals.hpp"
#include "forecast/model.hpp"

namespace elman {

// Checks that s is the kind of series `model` was fitted on; `label` names s in messages
// ("sales.csv:units"). Throws elman::Error for another value column or another frequency.
// Returns the warnings, one line each: a model saved without "series" (nothing can be checked),
// a series without dates for a dated model, another value at the model's last training period,
// values outside the plausible band of the training range (forecast/band.hpp).
std::vector<std::string> check_series(const ForecastModel& model, const Series& s, const std::string& label);

struct Prediction {
    std::vector<std::string> periods;  // on the series' calendar, in its labels' form (future_labels)
    std::vector<double> values;        // the forecasts, finite
    IntervalBounds intervals;          // 80% and 95%, one per forecast; empty for a model
                                       // saved before intervals (pipeline.json version < 3)
    std::vector<std::string> warnings; // the forecast leaving the plausible band, no intervals
};

// The `horizon` values after s (0: the model's frequency's default_horizon), the median of the
// multi-step ensemble's forecasts, with their intervals at leads 1..horizon. A model with
// covariates (model.past_covariates, model.future_covariates) reads them from s.covariates: a
// known-future one must carry values for the `horizon` periods after s as well
// (append_future_covariates, forecast/covariates.hpp); with past-only ones the horizon is at most
// model.horizon. Throws elman::Error when s is shorter than model.warmup(), lacks a covariate or
// its future values (naming it and --future), or the forecast is not finite.
Prediction forecast_after(ForecastModel& model, const Series& s, std::size_t horizon);

}  // namespace elman
