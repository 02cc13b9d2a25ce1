// One fitted candidate of the forecasting pipeline (forecast/forecast.hpp): its transforms, the
// scaler of its differenced series and the RNN that forecasts it, with the three ways it
// forecasts (one-step, multi-step from one origin, multi-step from rolling origins).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "layers/fit.hpp"
#include "layers/sequential.hpp"

namespace elman {

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
    // One-step forecasts of y[from..y.size()), each from the true y[0..t). Throws elman::Error
    // when from < warmup().
    std::vector<double> one_step(const std::vector<double>& y, std::size_t from);
    // Forecasts of the `horizon` values after `history`, feeding predictions back.
    std::vector<double> multi_step(const std::vector<double>& history, std::size_t horizon);
    // Forecasts of y[from..y.size()) in blocks of `horizon` from rolling origins: block b
    // forecasts y[from + b·horizon ..) from the true y before it, feeding predictions back.
    std::vector<double> rolling(const std::vector<double>& y, std::size_t from, std::size_t horizon);
};

}  // namespace elman
