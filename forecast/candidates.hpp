// The candidates stage of run_forecast: each candidate is a way to make the series tame for a
// small RNN, log or not × differencing lags × lookback (forecast/forecast.hpp, step 1).
#pragma once

#include <cstddef>
#include <vector>

#include "forecast/options.hpp"

namespace elman::detail {

struct Candidate {
    bool log = false;
    std::vector<std::size_t> lags;
    std::size_t lookback = 0;
    std::size_t outputs = 1;  // 1: recursive; the horizon H: MIMO (forecast/member.hpp)
};

// log or not (only for a positive training part that is not constant) × lags ({}, {1}, and for
// season m > 1 also {m}, {1, m}) × lookbacks ({m, 2m} at least {4, 8}, or {4, 8, 12, 16} for
// m = 1), or the ones the options fix; each recursive, then (for horizon > 1) each MIMO with
// `horizon` outputs, as o.strategy allows.
std::vector<Candidate> candidates(const std::vector<double>& train, std::size_t season, std::size_t horizon,
                                  const ForecastOptions& o);

// Values a candidate needs to train: Σlags + lookback + (outputs − 1) + 8 windows.
std::size_t values_needed(const Candidate& c);

// The indices of the candidates with enough windows (8) to train on in n_fit values, or an
// elman::Error naming the options that would help (--test, --lookback, --season).
std::vector<std::size_t> feasible_candidates(const std::vector<Candidate>& cands, std::size_t n_fit,
                                             std::size_t n_train, std::size_t season, const ForecastOptions& o);

}  // namespace elman::detail
