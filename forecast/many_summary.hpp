// What a run of many series reports per series (one row of summary.csv, one entry of
// metrics.json) and over all of them: the mean and median MASE of elman and of each baseline,
// and how often elman beats each baseline. A merge of shards recomputes the aggregate from the
// same per-series numbers in the same order (by input index), so it is exactly a single run's.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "datasets/metrics.hpp"
#include "forecast/result.hpp"

namespace elman {

// One series of a many-series run, without its forecasts and models.
struct SeriesSummary {
    std::string id;                 // the series id (id column value, or column name)
    std::string dir;                // its output directory under DIR (forecast/shard.hpp)
    std::size_t index = 0;          // its position among the input's series (all shards)
    std::string error;              // why it has no forecast; empty: it has one
    std::string global_error;       // why the global model has none for it (with --global)
    std::size_t n = 0, n_train = 0, n_test = 0, season = 1, horizon = 0;
    std::string frequency;          // frequency_name of its calendar
    std::string model;              // the kept candidates (ForecastModel::describe)
    // Metrics of each method on its test part: elman, elman_global (with --global) and the
    // baselines (forecast_methods()); empty without a test part or a forecast.
    MethodMetrics one_step, multi_step;

    bool ok() const { return error.empty(); }
};

// The name of the global model's forecasts among the methods: "elman_global".
const std::string& global_method();

// The MASE of `method` in `m`, NaN when m has none for it (no test part, no forecast).
double mase_of(const MethodMetrics& m, const std::string& method);

// The methods of a run, in display order: elman, [elman_global,] naive, seasonal_naive, drift.
std::vector<std::string> run_methods(bool global);

// A series' summary from its outcome: `local` the default run's result (null when it failed),
// `global` the global model's (null without --global or when it failed for this series).
SeriesSummary summarize(const std::string& id, const std::string& dir, std::size_t index, std::size_t n,
                        const ForecastResult* local, const ForecastResult* global);

// The MASE of one method over the series where it is defined (a finite number).
struct MaseStats {
    std::size_t n = 0;      // series counted
    double mean = 0, median = 0;  // NaN when n = 0
};

// elman (or elman_global) against one baseline, over the series where both MASEs are defined.
struct Comparison {
    std::size_t n = 0, better = 0, worse = 0, ties = 0;  // elman's MASE below, above, equal
    // mean elman MASE / mean baseline MASE over those series (M4's relative MASE); NaN if n = 0
    double relative_mase = 0;
};

struct Aggregate {
    std::size_t series = 0, succeeded = 0, failed = 0;
    // one_step / multi_step -> method -> its MASE over the series
    std::map<std::string, MaseStats> one_step, multi_step;
    // "elman vs naive", "elman_global vs seasonal_naive", "elman vs elman_global", ...
    std::map<std::string, Comparison> one_step_vs, multi_step_vs;
};

// The aggregate of summaries (taken in the order given: sort them by index first, as a
// single run lists them, for results that a merge reproduces to the last bit).
Aggregate aggregate(const std::vector<SeriesSummary>& summaries, bool global);

}  // namespace elman
