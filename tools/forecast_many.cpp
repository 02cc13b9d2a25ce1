#include "tools/forecast_many.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "datasets/csv_series.hpp"
#include "forecast/many_report.hpp"
#include "forecast/many_series.hpp"
#include "tools/forecast_command.hpp"
#include "tools/forecast_report.hpp"
#include "tools/output_dir.hpp"

namespace fs = std::filesystem;

namespace elman::cli {

namespace {

SeriesFile load_series(const Input& in, const ManyArgs& m)
{
    if (!in.builtin.empty()) throw Error("--id-column, --columns and --all-columns read a CSV file, not --builtin");
    if (in.file.empty()) throw Error("give a CSV file");
    // --column picks a long file's value column; in a wide file the columns are the series.
    if (!in.column.empty() && m.id_column.empty())
        throw Error("give either --column (one series) or --columns/--all-columns, not both");
    const int ways = !m.id_column.empty() + !m.columns.empty() + m.all_columns;
    if (ways > 1) throw Error("give one of --id-column, --columns and --all-columns");
    if (!fs::exists(in.file)) throw Error(in.file + ": no such file");
    CsvOptions o = csv_options(in);
    if (!m.id_column.empty()) {
        o.id_column = m.id_column;
        return load_csv_long(in.file, o);
    }
    std::set<std::string> seen;
    for (const auto& c : m.columns)
        if (!seen.insert(c).second) throw Error("--columns names '" + c + "' twice");
    return load_csv_columns(in.file, m.columns, o);
}

// The options that change the results, as given (not --shard, --out, --threads, -q, the file's
// path): shards of one run must agree on them, and `elman merge` checks that they do.
std::string result_options(const CLI::App& forecast)
{
    static const std::set<std::string> ignored{"shard", "out", "threads", "quiet", "file"};
    std::istringstream in(forecast.config_to_str(false, false));
    std::string line, out;
    while (std::getline(in, line)) {
        const std::string key = line.substr(0, line.find('='));
        if (line.empty() || ignored.count(key)) continue;
        out += (out.empty() ? "" : " ") + line;
    }
    return out;
}

std::string layout_of(const ManyArgs& m, const SeriesFile& f)
{
    if (!m.id_column.empty()) return "long (--id-column " + m.id_column + ")";
    std::string names;
    for (const auto& s : f.series) names += (names.empty() ? "" : ", ") + s.id;
    return "wide (columns " + names + ")";
}

// A MASE for the table: "n/a" when undefined (no series with a defined MASE), never "nan"; in
// fewer digits when `format` would not fit the table's columns of 12 (a diverged series).
std::string shown(double v, const char* format)
{
    if (!std::isfinite(v)) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, format, v);
    if (std::string(buf).size() > 12) std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

void print_aggregate(const Aggregate& a, bool global)
{
    std::printf("%zu series: %zu forecast, %zu failed\n\n", a.series, a.succeeded, a.failed);
    std::printf("%-16s %8s %12s %12s %12s %12s\n", "MASE", "series", "1-step mean", "1-step med", "multi mean",
                "multi med");
    for (const auto& m : run_methods(global)) {
        const MaseStats &one = a.one_step.at(m), &multi = a.multi_step.at(m);
        std::printf("%-16s %8zu %12s %12s %12s %12s\n", m.c_str(), one.n, shown(one.mean, "%.4f").c_str(),
                    shown(one.median, "%.4f").c_str(), shown(multi.mean, "%.4f").c_str(),
                    shown(multi.median, "%.4f").c_str());
    }
    std::printf("\n");
    for (const auto& [name, c] : a.one_step_vs) {
        const Comparison& multi = a.multi_step_vs.at(name);
        std::printf("%-32s one-step better on %zu of %zu (relative MASE %s), multi-step on %zu of %zu (%s)\n",
                    name.c_str(), c.better, c.n, shown(c.relative_mase, "%.3f").c_str(), multi.better, multi.n,
                    shown(multi.relative_mase, "%.3f").c_str());
    }
}

// Each series' own notes (a value --interpolate filled, rows trimmed), as for one series, up to a
// screenful; every one is also in that series' metrics.json.
void print_series_notes(const SeriesFile& file, const std::string& name)
{
    constexpr std::size_t most = 20;
    std::size_t shown = 0, left = 0;
    for (const auto& r : file.series) {
        if (!r.series) continue;
        for (const auto& n : r.series->notes) {
            if (shown++ < most)
                std::fprintf(stderr, "elman: note: %s:%s: %s\n", name.c_str(), r.id.c_str(), n.c_str());
            else
                ++left;
        }
    }
    if (left) std::fprintf(stderr, "elman: note: %zu more notes of single series, in each series' metrics.json\n", left);
}

}  // namespace

void add_many_options(CLI::App* fc, ManyArgs& m)
{
    fc->add_option("--id-column", m.id_column,
                   "several series in a long file: the column naming each row's series (as Nixtla's unique_id)");
    fc->add_option("--columns", m.columns, "several series: these value columns, comma-separated")->delimiter(',');
    fc->add_flag("--all-columns", m.all_columns, "several series: every numeric column but the periods");
    fc->add_flag("--global", m.global,
                 "several series: also train one model on the windows of every series (scaled per series), "
                 "reported as elman_global next to the per-series models");
    fc->add_option("--shard", m.shard, "only shard K of N of the series (by a hash of their ids), e.g. 2/8; "
                                       "join the shards with elman merge");
}

int run_many_command(ForecastArgs& a)
{
    const Shard shard = a.many.shard.empty() ? Shard{} : Shard::parse(a.many.shard);
    const SeriesFile file = load_series(a.in, a.many);
    const std::string name = fs::path(a.in.file).filename().string();
    for (const auto& n : file.notes) std::fprintf(stderr, "elman: note: %s: %s\n", name.c_str(), n.c_str());
    print_series_notes(file, name);
    ManyOptions mo;
    mo.forecast = a.o;
    mo.shard = shard;
    mo.global = a.many.global;
    if (!a.quiet && isatty(fileno(stderr)))
        mo.forecast.progress = [](const std::string& line) { std::fprintf(stderr, "  %s\n", line.c_str()); };
    RunInfo info;
    info.input = a.in.file;
    info.input_hash = file_hash(a.in.file);
    info.layout = layout_of(a.many, file);
    info.shard = shard;
    info.total = file.series.size();
    info.options = result_options(*a.command);
    info.global = a.many.global;
    ManyResult r;
    write_atomically(a.out, [&](const fs::path& dir) {
        mo.on_series = [&](SeriesOutcome& out) {
            out.global.reset();  // its metrics are in the summary
            if (!out.local) return;
            const fs::path sd = dir / out.summary.dir;
            fs::create_directory(sd);
            write_outputs(sd, *out.series, name + ":" + out.summary.id, *out.local);
            out.local.reset();  // the models are written; a run of many series keeps none in memory
        };
        r = run_many(file.series, mo);
        if (r.aggregate.series > 0 && r.aggregate.succeeded == 0)
            throw Error("every series failed; the first, '" + r.series[0].summary.id + "': " + r.series[0].summary.error);
        std::vector<SeriesSummary> summaries;
        for (const auto& s : r.series) summaries.push_back(s.summary);
        info.interrupted = r.interrupted;
        write_text(dir / "summary.csv", summary_csv(summaries, info.global));
        write_text(dir / "metrics.json", many_metrics_json(info, summaries, r.aggregate));
    });
    for (const auto& s : r.series)
        if (!s.summary.ok())
            std::fprintf(stderr, "elman: warning: series '%s' failed: %s\n", s.summary.id.c_str(), s.summary.error.c_str());
    for (const auto& n : r.notes) std::fprintf(stderr, "elman: note: %s\n", n.c_str());
    for (const auto& s : r.series)
        if (!s.summary.global_error.empty())
            std::fprintf(stderr, "elman: warning: series '%s': %s\n", s.summary.id.c_str(), s.summary.global_error.c_str());
    if (r.aggregate.failed)
        std::fprintf(stderr, "elman: warning: %zu of %zu series failed (summary.csv lists why)\n", r.aggregate.failed,
                     r.aggregate.series);
    if (r.interrupted) {
        std::fprintf(stderr, "elman forecast: interrupted (SIGINT); wrote the series done so far to %s\n", a.out.c_str());
        return exit_interrupted;
    }
    if (!a.quiet) {
        if (!shard.whole())
            std::printf("shard %s: %zu of the file's %zu series\n", shard.str().c_str(), r.series.size(), info.total);
        print_aggregate(r.aggregate, info.global);
        std::printf("\nwrote %s/{summary.csv, metrics.json, <series>/}\n", a.out.c_str());
    }
    return 0;
}

CLI::App* add_merge_command(CLI::App& app, MergeArgs& a)
{
    CLI::App* mc = app.add_subcommand("merge", "join the output directories of elman forecast --shard K/N runs");
    mc->add_option("dirs", a.dirs, "the shards' output directories (every shard 1..N once)")->required();
    mc->add_option("-o,--out", a.out, "output directory")->capture_default_str();
    return mc;
}

int run_merge_command(const MergeArgs& a)
{
    std::vector<RunFile> runs;
    std::vector<std::string> paths;
    for (const auto& d : a.dirs) {
        paths.push_back((fs::path(d) / "metrics.json").string());
        runs.push_back(read_many_metrics(paths.back()));
    }
    const Merged m = merge_runs(runs, paths);
    write_atomically(a.out, [&](const fs::path& dir) {
        for (std::size_t k = 0; k < runs.size(); ++k)
            for (const auto& s : runs[k].series) {
                const fs::path from = fs::path(a.dirs[k]) / s.dir;
                if (s.ok() && !fs::is_directory(from))
                    throw Error("merge: " + from.string() + ": no such directory (series '" + s.id + "')");
                if (s.ok()) fs::copy(from, dir / s.dir, fs::copy_options::recursive);
            }
        write_text(dir / "summary.csv", summary_csv(m.series, m.info.global));
        write_text(dir / "metrics.json", many_metrics_json(m.info, m.series, m.aggregate));
    });
    std::printf("merged %zu shards into %s\n", runs.size(), a.out.c_str());
    print_aggregate(m.aggregate, m.info.global);
    return 0;
}

}  // namespace elman::cli
