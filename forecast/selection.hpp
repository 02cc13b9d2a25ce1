// The selection stage of run_forecast: every feasible candidate trained with o.seeds seeds in
// parallel and scored on the validation tail (forecast/forecast.hpp, step 2).
#pragma once

#include <cstddef>
#include <vector>

#include "forecast/member.hpp"
#include "forecast/options.hpp"
#include "forecast/result.hpp"
#include "forecast/run_control.hpp"

namespace elman::detail {

// A candidate's models (one per seed) and the validation scores of their median.
struct Group {
    std::vector<ForecastMember> members;
    double val_mae = 0;        // one-step MAE over the validation tail
    double val_multi_mae = 0;  // multi-step MAE over the validation tail, from every origin in it,
                               // the mean over leads 1..min(horizon, tail)
};

// Trains o.seeds models per candidate (forecast/candidates.hpp, for this horizon) on
// train[0..n_fit) with the covariates x (aligned with train), early stopping on the rest, and
// returns the candidates whose validation scores are finite, best one-step score first
// (r.candidates, r.notes).
std::vector<Group> screen(const std::vector<double>& train, std::size_t n_fit, std::size_t season,
                          std::size_t horizon, const ForecastOptions& o, RunControl& run, ForecastResult& r,
                          const Covariates& x = {});

// One entry per group for ForecastResult::screened: the candidate, its group scores, the first
// seed's epochs and seed; no model.
std::vector<ForecastMember> screened_candidates(const std::vector<Group>& groups);

}  // namespace elman::detail
