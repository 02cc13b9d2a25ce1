// The classical baselines of ANCHORS.md, in its two protocols. y is the whole series and its
// first n_train values the training part; forecasts are returned for y[n_train..n).
//   naive           ŷ_t = y_{t−1}
//   seasonal naive  ŷ_t = y_{t−m}
//   drift           ŷ = y_T + h·(y_T − y_1)/(T − 1), from the last observed y_T, h steps ahead
// One-step: each point forecast from the true history before it (h = 1, T = t − 1, so drift's
// slope uses every value up to t − 1). Multi-step: one origin at the end of training, h = 1..H.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace elman {

enum class Baseline { naive, seasonal_naive, drift };

// "naive", "seasonal_naive", "drift" (the keys of metrics.json).
std::string to_string(Baseline b);

// Forecasts of y[n_train..n), each from the true values before it.
std::vector<double> baseline_one_step(Baseline b, const std::vector<double>& y,
                                      std::size_t n_train, std::size_t season = 1);

// Forecasts of the `horizon` values after train, all from the origin at train's end.
std::vector<double> baseline_multi_step(Baseline b, const std::vector<double>& train,
                                        std::size_t horizon, std::size_t season = 1);

}  // namespace elman
