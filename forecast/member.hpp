// One fitted candidate of the forecasting pipeline (forecast/forecast.hpp): its transforms, the
// scaler of its differenced series and the RNN that forecasts it, with the ways it forecasts
// (one-step, multi-step from one origin, from rolling origins, and from any origins).
//
// Two strategies (Ben Taieb et al. 2012, "A review and comparison of strategies for multi-step
// ahead time series forecasting", Expert Systems with Applications 39(8)):
//   recursive (outputs = 1): SimpleRNN -> Dense(1) predicts the next value; a multi-step
//     forecast feeds each prediction back as the newest input;
//   MIMO, direct multi-output (outputs = H > 1): SimpleRNN -> Dense(H) predicts the next H
//     values at once from the same window; beyond H its predictions are fed back H at a time.
// Either way the predictions are of the scaled differences s = (d − mean)/scale, inverted
// exactly to the original scale (datasets/transforms.hpp: Differencing::invert, then exp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "forecast/covariates.hpp"
#include "layers/fit.hpp"
#include "layers/sequential.hpp"

namespace elman {

struct ForecastMember {
    bool log = false;
    std::vector<std::size_t> lags;
    std::size_t lookback = 0;
    std::size_t outputs = 1;      // 1: recursive; H > 1: MIMO, the next H values at once
    double mean = 0, scale = 1;   // of the differenced (log) series on the data it was fitted on
    // Its covariates' scaler (forecast/covariates.hpp), past ones first: one entry per covariate,
    // the first `past_covariates` of them past-only, the others known-future. Empty: none.
    std::vector<double> covariate_mean, covariate_scale;
    std::size_t past_covariates = 0;
    // The differenced series it was fitted on was constant: it forecasts `mean` exactly and
    // its model was not trained.
    bool constant = false;
    // Refitted on the whole training part (no validation tail, no validation forecasts).
    bool refit = false;
    // Which of the model's ensembles it belongs to: one-step forecasts, multi-step forecasts
    // (each chosen on its own validation score; a member can be in both).
    bool in_one_step = true, in_multi_step = true;
    double val_mae = 0;           // one-step MAE over the validation tail (of its candidate's seeds)
    double val_multi_mae = 0;     // multi-step MAE over the validation tail, mean over leads
    std::size_t epochs = 0;       // epochs trained (the refit uses the early-stopping count)
    std::uint64_t seed = 0;       // of its weights and shuffling
    History<float> history;       // the screening run (train and validation loss)
    Sequential<float> model;

    // "log, diff 1,12, lookback 24" (recursive), "MIMO 18, log, diff 1,12, lookback 24"
    std::string describe() const;
    // The candidate alone, without the strategy: "log, diff 1,12, lookback 24".
    std::string describe_transforms() const;
    // Values needed before the first forecast: Σlags + lookback.
    std::size_t warmup() const;
    // Features per window step: 1 + the number of covariates (the recurrent layer's input_dim).
    std::size_t inputs() const { return 1 + covariate_mean.size(); }
    // Forecast paths: out[i][k] is the forecast of the value at origins[i] + k made from
    // y[0..origins[i]) alone (and the covariates x aligned with y, forecast/covariates.hpp),
    // k < horizon. An origin may be y.size() (the values after y). Throws elman::Error for an
    // origin below warmup() or past y.size(), horizon 0, covariates x that are not the ones
    // the member was fitted with (their count) or too short (a known-future one must reach the
    // last period forecast), or, with past-only covariates, a horizon beyond `outputs` (their
    // values after the origin are unknown).
    std::vector<std::vector<double>> paths(const std::vector<double>& y, const std::vector<std::size_t>& origins,
                                           std::size_t horizon, const Covariates& x = {});
    // One-step forecasts of y[from..y.size()), each from the true y[0..t).
    std::vector<double> one_step(const std::vector<double>& y, std::size_t from, const Covariates& x = {});
    // Forecasts of the `horizon` values after `history`.
    std::vector<double> multi_step(const std::vector<double>& history, std::size_t horizon, const Covariates& x = {});
    // Forecasts of y[from..y.size()) in blocks of `horizon` from rolling origins: block b
    // forecasts y[from + b·horizon ..) from the true y before it. A known-future covariate
    // needs values up to y.size() − 1 only: the steps of the last block past the end of y are
    // computed without them and cut.
    std::vector<double> rolling(const std::vector<double>& y, std::size_t from, std::size_t horizon,
                                const Covariates& x = {});
};

// The origins of rolling(): from, from + horizon, ... below n.
std::vector<std::size_t> rolling_origins(std::size_t from, std::size_t n, std::size_t horizon);

// The rolling forecasts of y[from..n) from paths(y, rolling_origins(from, n, horizon), horizon),
// each block cut at n.
std::vector<double> join_rolling(const std::vector<std::vector<double>>& paths, std::size_t from, std::size_t n,
                                 std::size_t horizon);

}  // namespace elman
