// `elman forecast` on several series of one file (--id-column, --columns, --all-columns), a shard
// of them (--shard K/N), and `elman merge` of shards' directories. The work is the library's
// (forecast/many_series.hpp, forecast/many_report.hpp); this file parses, prints and writes:
//
//   DIR/<series dir>/   each series' outputs, as `elman forecast` writes one series' (no
//                       directory for a series that failed: summary.csv says why)
//   DIR/summary.csv     one row per series (forecast/many_report.hpp)
//   DIR/metrics.json    the run, every series' metrics, the aggregate
//
// A series that cannot be read or forecast is a warning on stderr and a "failed" row, and the
// others go on; the exit status is 1 only when every series failed (nothing written then).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace elman::cli {

struct ForecastArgs;

struct ManyArgs {
    std::string id_column, shard;
    std::vector<std::string> columns;
    bool all_columns = false, global = false;

    bool many() const { return !id_column.empty() || !columns.empty() || all_columns; }
};

// Adds --id-column, --columns, --all-columns, --global and --shard to `forecast`.
void add_many_options(CLI::App* forecast, ManyArgs& many);

// Runs `elman forecast` on the series of the file (args.many.many() is true); the options are
// checked (finish_options) already. Returns the exit status; throws elman::Error for bad input.
int run_many_command(ForecastArgs& args);

struct MergeArgs {
    std::vector<std::string> dirs;
    std::string out = "forecast";
};

CLI::App* add_merge_command(CLI::App& app, MergeArgs& args);

// Joins the shards' directories into one, as a single run would have written it.
int run_merge_command(const MergeArgs& args);

}  // namespace elman::cli
