// The intervals stage of run_forecast: the model's two ensembles forecast the validation tail
// from every origin in it, and their residuals calibrate the prediction intervals
// (forecast/intervals.hpp has the method).
#pragma once

#include <cstddef>
#include <vector>

#include "forecast/model.hpp"

namespace elman::detail {

// Sets model.one_step_intervals (lead 1) and model.multi_step_intervals (leads 1..min(horizon,
// tail)) from the validated members' forecasts of train[n_fit..) made from the origins n_fit..
// train.size() − 1, with the covariates x aligned with train. Throws elman::Error when no
// residual is finite.
void calibrate_model(ForecastModel& model, const std::vector<double>& train, std::size_t n_fit, std::size_t horizon,
                     const Covariates& x = {});

}  // namespace elman::detail
