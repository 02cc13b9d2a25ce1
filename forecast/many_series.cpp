// run_many: the series of a shard, each through run_forecast in parallel, the global model
// before them when asked, and the aggregate (forecast/many_series.hpp).
#include "forecast/many_series.hpp"

#include <chrono>
#include <mutex>
#include <optional>

#include "core/blas.hpp"
#include "core/error.hpp"
#include "forecast/forecast.hpp"
#include "forecast/global.hpp"
#include "forecast/run_control.hpp"
#include "forecast/util.hpp"

namespace elman {

namespace {

using Clock = std::chrono::steady_clock;

// The options of one series' pipeline: its progress lines prefixed with its id.
ForecastOptions series_options(const ForecastOptions& o, const std::string& id, std::size_t threads)
{
    ForecastOptions so = o;
    so.threads = threads;
    if (o.progress) so.progress = [p = o.progress, id](const std::string& line) { p(id + ": " + line); };
    return so;
}

// Runs one series' pipeline; its error, if any, in the summary.
void run_local(SeriesOutcome& out, const ForecastOptions& o)
{
    try {
        out.local = run_forecast(*out.series, o);
    } catch (const ForecastInterrupted&) {
        out.summary.error = "interrupted before a model finished an epoch";
    } catch (const Error& e) {
        out.summary.error = e.what();
    }
}

// The global model's results, one per outcome with a series (before the series run on their own).
void run_global_part(std::vector<SeriesOutcome>& outs, const ManyOptions& o, ManyResult& r)
{
    std::vector<const Series*> series;
    std::vector<std::size_t> where;
    for (std::size_t i = 0; i < outs.size(); ++i)
        if (outs[i].series) {
            series.push_back(outs[i].series);
            where.push_back(i);
        }
    if (series.empty()) return;
    GlobalResult g = run_global(series, o.forecast);
    for (std::size_t k = 0; k < where.size(); ++k) {
        SeriesOutcome& out = outs[where[k]];
        if (g.results[k])
            out.global = std::move(*g.results[k]);
        else
            out.summary.global_error = g.errors[k];
    }
    r.notes.insert(r.notes.end(), g.notes.begin(), g.notes.end());
}

}  // namespace

ManyResult run_many(const std::vector<SeriesRead>& inputs, const ManyOptions& o)
{
    validate_forecast_options(o.forecast);
    if (o.global && !o.shard.whole())
        throw Error("--global trains one model on every series; it does not split into shards (--shard)");
    ManyResult r;
    r.total = inputs.size();
    std::vector<std::string> ids;
    for (const auto& in : inputs) ids.push_back(in.id);
    const std::vector<std::string> dirs = series_dirs(ids);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!o.shard.contains(inputs[i].id)) continue;
        SeriesOutcome out;
        out.summary.id = inputs[i].id;
        out.summary.dir = dirs[i];
        out.summary.index = i;
        if (inputs[i].series)
            out.series = &*inputs[i].series;
        else
            out.summary.error = inputs[i].error;
        r.series.push_back(std::move(out));
    }
    if (o.global) run_global_part(r.series, o, r);

    const std::size_t n = r.series.size();
    const std::size_t outer = std::max<std::size_t>(1, std::min(o.forecast.threads, n));
    // Several series at once: each on one thread, and BLAS on one thread for all of them
    // (core/blas.hpp); one series: its models on every thread, as run_forecast does.
    const std::size_t inner = outer > 1 ? 1 : o.forecast.threads;
    const std::optional<BlasThreadsScope> one_blas_thread =
        outer > 1 ? std::make_optional<BlasThreadsScope>(1) : std::nullopt;
    std::mutex done_mutex;
    std::size_t done = 0;
    detail::parallel_for(n, outer, [&](std::size_t i) {
        SeriesOutcome& out = r.series[i];
        const auto t0 = Clock::now();
        if (out.series && o.forecast.should_stop && o.forecast.should_stop()) {
            out.summary.error = "interrupted before it ran";
            out.series = nullptr;
        }
        if (out.series) run_local(out, series_options(o.forecast, out.summary.id, inner));
        const std::size_t length = out.series ? out.series->values.size() : 0;
        SeriesSummary s = summarize(out.summary.id, out.summary.dir, out.summary.index, length,
                                    out.local ? &*out.local : nullptr, out.global ? &*out.global : nullptr);
        s.error = out.summary.error;
        s.global_error = out.summary.global_error;
        out.summary = std::move(s);
        std::lock_guard<std::mutex> lock(done_mutex);
        ++done;
        if (o.forecast.progress) {
            const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
            o.forecast.progress("series " + std::to_string(done) + "/" + std::to_string(n) + " '" + out.summary.id +
                                "' " + (out.summary.ok() ? "done" : "failed: " + out.summary.error) + " (" +
                                detail::fmt(secs, "%.2f") + " s)");
        }
        if (o.on_series) o.on_series(out);
    });
    for (const auto& out : r.series)
        if (out.summary.error == "interrupted before it ran" ||
            (out.local && out.local->interrupted))
            r.interrupted = true;
    std::vector<SeriesSummary> summaries;
    for (const auto& out : r.series) summaries.push_back(out.summary);
    r.aggregate = aggregate(summaries, o.global);
    return r;
}

}  // namespace elman
