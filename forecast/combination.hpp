// The combination stage of run_forecast: which models forecast (the best candidates with all
// their seeds, plus their refits on the whole training part) and how their forecasts combine
// (the median; forecast/forecast.hpp, step 3).
#pragma once

#include <vector>

#include "forecast/options.hpp"
#include "forecast/result.hpp"
#include "forecast/run_control.hpp"
#include "forecast/selection.hpp"

namespace elman::detail {

// The median of each column of rows[member][t] over the members' finite values (the mean of
// the middle two for an even count); NaN where no member is finite.
std::vector<double> median_combine(const std::vector<std::vector<double>>& rows);

// Keeps in r.model the models of the o.ensemble best recursive groups by the one-step
// validation score (in_one_step; all groups when none is recursive) and of the o.ensemble best
// groups by the multi-step score (in_multi_step), with their
// refits on the whole of `train` unless o.refit is off or the run was interrupted
// (r.refits_planned, r.refits), with the covariates x aligned with train. The refits come
// first, then the validated models.
void keep_and_refit(std::vector<Group>& groups, const std::vector<double>& train, const ForecastOptions& o,
                    RunControl& run, ForecastResult& r, const Covariates& x = {});

}  // namespace elman::detail
