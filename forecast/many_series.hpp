// Forecasting many series in one run: each series gets the pipeline of run_forecast
// (forecast/forecast.hpp) on its own, the series in parallel; with `global`, one model is also
// trained on the windows of all of them (forecast/global.hpp) and reported next to it. A
// series that cannot be read or forecast is reported with its error and leaves the others
// whole. With a shard, only the series of that shard run (forecast/shard.hpp).
//
//   SeriesFile f = load_csv_long("sales.csv", {.id_column = "store"});   // datasets/csv_series.hpp
//   ManyOptions o;  o.forecast.seeds = 2;  o.global = true;
//   ManyResult r = run_many(f.series, o);
//   r.aggregate.one_step["elman"].median;  r.series[0].local->model.save("m");
//
// Results do not depend on the thread count nor on the shard a series ran in: each series'
// pipeline is seeded by the options alone (its models exactly as run_forecast would train them).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "datasets/csv_series.hpp"
#include "forecast/many_summary.hpp"
#include "forecast/options.hpp"
#include "forecast/result.hpp"
#include "forecast/shard.hpp"

namespace elman {

struct SeriesOutcome {
    SeriesSummary summary;                 // id, dir, index, errors, sizes, metrics
    const Series* series = nullptr;        // the input series (null when it could not be read)
    std::optional<ForecastResult> local;   // the default: its own models (empty on error)
    std::optional<ForecastResult> global;  // the global model's result for it (with `global`)
};

struct ManyOptions {
    // Each series' pipeline (every option as run_forecast takes it). forecast.threads: series
    // run in parallel on that many threads (each series' models on one), or one series' models
    // on all of them when there is one series. forecast.progress gets lines prefixed "ID: ",
    // and one line per series done.
    ForecastOptions forecast;
    // Also train one model on the windows of every series of the shard (forecast/global.hpp).
    bool global = false;
    // Only the series of this shard.
    Shard shard;
    // Called once per series when its results are complete, one call at a time, on a worker
    // thread; it may move the models out of the outcome (e.g. after saving them), which then
    // stays in ManyResult as it leaves it. Series that fail are passed too.
    std::function<void(SeriesOutcome&)> on_series;
};

struct ManyResult {
    std::size_t total = 0;                 // series in the input, every shard's
    std::vector<SeriesOutcome> series;     // this shard's, in input order
    Aggregate aggregate;                   // over them (`global` adds elman_global)
    bool interrupted = false;              // should_stop cut the run short: series not run
                                           // carry the error "interrupted before it ran"
    std::vector<std::string> notes;        // global candidates dropped and why
};

// Runs every series of `inputs` in the shard. Throws elman::Error for bad options (named as
// the CLI option) and for ids that would share an output directory; a series' own problems
// are its SeriesOutcome's error. `inputs` must outlive the result (SeriesOutcome::series).
ManyResult run_many(const std::vector<SeriesRead>& inputs, const ManyOptions& options);

}  // namespace elman
