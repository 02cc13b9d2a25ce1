// The split stage of run_forecast: the values are checked, then the season, the test part, the
// training part, its validation tail and the multi-step horizon are decided, each with where it
// came from.
#pragma once

#include <cstddef>

#include "datasets/series.hpp"
#include "forecast/options.hpp"
#include "forecast/result.hpp"

namespace elman::detail {

// Throws elman::Error naming the value (number and period) that is not finite, beyond ±1e300
// (differences would overflow), or not positive under --log; or a periods/values mismatch.
void check_values(const Series& s, const ForecastOptions& o);

// Sets r.season, r.n_test, r.n_train, r.horizon and their sources (a default test part capped by
// default_test_cap gets a note in r.notes); throws elman::Error naming
// the option that would help when the series is too short for them.
void plan_sizes(ForecastResult& r, const Series& s, const ForecastOptions& o);

// The values of the training part before its validation tail: the tail has the test part's
// size by the same rule (default_test_size(n_train, season), at most default_test_cap(horizon,
// season) when horizon > 0, at least 1, at most n_train − 1).
std::size_t fitted_size(std::size_t n_train, std::size_t season, std::size_t horizon = 0);

}  // namespace elman::detail
