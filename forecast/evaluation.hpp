// The evaluation stage of run_forecast: elman's and the baselines' forecasts of the test part
// (one-step, and multi-step from rolling origins), their metrics and plausibility; with no test
// part, the forecast of the values after the series.
#pragma once

#include "datasets/series.hpp"
#include "forecast/result.hpp"

namespace elman::detail {

// Fills r's forecasts, metrics, band, outside_band and r.model.series from s and r.model
// (r.n_train, r.n_test, r.season, r.horizon set). Throws elman::Error when elman's forecasts
// are not finite. Values s.filled in the test part (made up by --interpolate) are left out of
// every method's metrics, with a note in r.notes; an error when every test value was filled.
// x: the model's covariates aligned with s (select_covariates); with no test part a known-future
// covariate must run r.horizon periods past s (an elman::Error naming --future otherwise).
void evaluate_forecasts(ForecastResult& r, const Series& s, const Covariates& x = {});

}  // namespace elman::detail
