// What run_forecast returns (forecast/forecast.hpp): the sizes it chose, every candidate tried,
// the fitted model, elman's and the baselines' forecasts and metrics, the plausibility flags,
// the forecast after the series, and what was dropped or cut short.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "datasets/frequency.hpp"
#include "datasets/metrics.hpp"
#include "forecast/band.hpp"
#include "forecast/intervals.hpp"
#include "forecast/model.hpp"

namespace elman {

// Method name -> forecasts of the test part; methods: elman, naive, seasonal_naive, drift.
using MethodForecasts = std::map<std::string, std::vector<double>>;
using MethodMetrics = std::map<std::string, Metrics>;

// The method names in display order: elman, naive, seasonal_naive, drift.
const std::vector<std::string>& forecast_methods();

struct ForecastResult {
    std::size_t n_train = 0, n_test = 0, season = 1, horizon = 0;
    Source season_source = Source::by_default, horizon_source = Source::by_default;
    std::vector<ForecastMember> screened;  // every candidate tried, best first (without models)
    ForecastModel model;
    // one_step and multi_step (rolling origins) over the test part; empty with no test part.
    MethodForecasts one_step, multi_step;
    MethodMetrics one_step_metrics, multi_step_metrics;
    // elman's 80% and 95% intervals around one_step["elman"] and multi_step["elman"] (each
    // multi-step forecast at its lead), and how they did on the test part.
    IntervalBounds one_step_intervals, multi_step_intervals;
    IntervalScores one_step_interval_scores, multi_step_interval_scores;
    PlausibleBand band;                                  // of the training part
    std::map<std::string, std::size_t> outside_band;     // multi-step forecasts outside it
    // The `horizon` values after the series, from its end (with no test part: the forecast),
    // and elman's intervals around them.
    MethodForecasts future;
    IntervalBounds future_intervals;
    std::vector<std::string> future_periods;  // in the series' label form (datasets/series.hpp future_labels)
    // Candidates or models dropped and why (non-finite scores, divergence), and test values left
    // out of the metrics (filled by --interpolate), one line each.
    std::vector<std::string> notes;
    // should_stop cut the run short: the model holds the members trained so far.
    bool interrupted = false;
    std::size_t candidates = 0;        // candidates to screen (screened.size() of them were)
    std::size_t refits_planned = 0;    // refits to run once screening finished (0: none)
    std::size_t refits = 0;            // refits completed
};

}  // namespace elman
