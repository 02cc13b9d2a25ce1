// The training stage of the global model (forecast/global.hpp, step 3): one candidate fitted on
// the windows of every series, each series scaled on its own.
#pragma once

#include <cstddef>
#include <vector>

#include "forecast/candidates.hpp"
#include "forecast/member.hpp"
#include "forecast/options.hpp"

namespace elman::detail {

// One series as the global model sees it: its training part and the values before its
// validation tail.
struct GlobalSeries {
    std::vector<double> train;
    std::size_t n_fit = 0;
};

// A network trained on every series, with each series' scaler of its differenced series.
struct GlobalMember {
    ForecastMember shared;            // the candidate, the model, its history (mean/scale unused)
    std::vector<double> mean, scale;  // per series
    std::vector<bool> constant;       // per series: its differenced fitted part is constant
    double val_score = 0;             // global_score

    // The member forecasting series i: the candidate, series i's scaler, and a copy of the
    // weights of its own.
    ForecastMember for_series(std::size_t i, std::size_t units);
};

// Values a candidate needs in a fitted part: Σlags + lookback + 8 windows.
std::size_t global_values_needed(const Candidate& c);

// Trains candidate c on every series' train[0..n_fit), early stopping on the windows of the
// validation tails. Throws NotFinite (forecast/training.hpp) when a series' transformed values
// are not finite, TrainingDiverged from fit, elman::Error when every series is constant.
GlobalMember train_global(const Candidate& c, const std::vector<GlobalSeries>& series, const ForecastOptions& o);

// The mean over the series of the one-step MAE of g on its validation tail train[n_fit..)
// divided by its in-sample naive MAE (mean |y_t − y_{t−1}| over train[0..n_fit)), so that the
// candidates compare on the data's own scale (as run_forecast's validation MAE) and no series
// weighs by its scale; series with a constant fitted part are left out. NaN when none is left.
double global_score(GlobalMember& g, const std::vector<GlobalSeries>& series, std::size_t units);

}  // namespace elman::detail
