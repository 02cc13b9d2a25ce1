// The files of a run of many series (`elman forecast --id-column/--columns`, `elman merge`):
// DIR/summary.csv (one row per series) and DIR/metrics.json (the run, every series, the
// aggregate), and the merge of shards' directories into the document of a single run.
//
// metrics.json holds each series' summary with every number written to round-trip exactly
// (nlohmann's shortest representation of a double), so that a merge reads back the very numbers
// a single run aggregates and recomputes the aggregate to the last bit.
#pragma once

#include <string>
#include <vector>

#include "forecast/many_summary.hpp"
#include "forecast/shard.hpp"

namespace elman {

// What identifies a run apart from its series: the input file and its XXH64, the shard, the
// series count over every shard, and the options that change the results (as given).
struct RunInfo {
    std::string input;       // the file as given on the command line
    std::string input_hash;  // file_hash(input) (forecast/shard.hpp)
    std::string layout;      // "long (--id-column ID)" or "wide (columns a, b)"
    Shard shard;
    std::size_t total = 0;   // series in the input, every shard's
    std::string options;     // the forecasting options that matter for the results, one string
    bool global = false;     // the global model ran too (elman_global among the methods)
    bool interrupted = false;
};

// summary.csv: the header
//   id,dir,status,error,[global_error,]n,n_train,n_test,frequency,season,horizon,model,
//   one_step_mase_<method>...,multi_step_mase_<method>...
// and one row per summary, in the order given (methods: run_methods(global)); numbers with 10
// significant digits, an undefined MASE an empty cell; text cells quoted when they hold a comma,
// quote or line break (RFC 4180).
std::string summary_csv(const std::vector<SeriesSummary>& summaries, bool global = false);

// metrics.json's text for a run: {"run": RunInfo, "aggregate": ..., "series": [...]}.
std::string many_metrics_json(const RunInfo& info, const std::vector<SeriesSummary>& summaries,
                              const Aggregate& aggregate);

// A run read back from its metrics.json (many_metrics_json's document). Throws elman::Error
// naming the file for a file that is not one (no "run", a bad field).
struct RunFile {
    RunInfo info;
    std::vector<SeriesSummary> series;
};
RunFile read_many_metrics(const std::string& path);

// The runs of shards 1..N of one input (each RunFile as read from a shard's metrics.json), as the
// single run over all of them: series by input index, the aggregate recomputed. Throws
// elman::Error when the runs are not the N shards of one input with the same options: a shard
// missing or given twice, another input hash, other options, another N; `paths` name the runs
// in messages.
struct Merged {
    RunInfo info;
    std::vector<SeriesSummary> series;
    Aggregate aggregate;
};
Merged merge_runs(const std::vector<RunFile>& runs, const std::vector<std::string>& paths);

}  // namespace elman
