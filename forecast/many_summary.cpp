// Per-series summaries and their aggregate (forecast/many_summary.hpp).
#include "forecast/many_summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace elman {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

MaseStats stats(std::vector<double> v)
{
    MaseStats s;
    s.n = v.size();
    if (v.empty()) {
        s.mean = s.median = nan;
        return s;
    }
    double sum = 0;
    for (double x : v) sum += x;
    s.mean = sum / static_cast<double>(v.size());
    std::sort(v.begin(), v.end());
    const std::size_t k = v.size() / 2;
    s.median = v.size() % 2 ? v[k] : 0.5 * v[k - 1] + 0.5 * v[k];
    return s;
}

Comparison compare(const std::vector<SeriesSummary>& summaries, const MethodMetrics SeriesSummary::*part,
                   const std::string& a, const std::string& b)
{
    Comparison c;
    double sum_a = 0, sum_b = 0;
    for (const auto& s : summaries) {
        const double x = mase_of(s.*part, a), y = mase_of(s.*part, b);
        if (!std::isfinite(x) || !std::isfinite(y)) continue;
        ++c.n;
        c.better += x < y;
        c.worse += x > y;
        c.ties += x == y;
        sum_a += x;
        sum_b += y;
    }
    c.relative_mase = c.n && sum_b > 0 ? sum_a / sum_b : nan;
    return c;
}

void aggregate_part(const std::vector<SeriesSummary>& summaries, const MethodMetrics SeriesSummary::*part,
                    const std::vector<std::string>& methods, bool global, std::map<std::string, MaseStats>& out,
                    std::map<std::string, Comparison>& vs)
{
    for (const auto& method : methods) {
        std::vector<double> v;
        for (const auto& s : summaries)
            if (const double x = mase_of(s.*part, method); std::isfinite(x)) v.push_back(x);
        out[method] = stats(std::move(v));
    }
    std::vector<std::string> models{"elman"};
    if (global) models.push_back(global_method());
    for (const auto& model : models)
        for (const auto& base : forecast_methods())
            if (base != "elman") vs[model + " vs " + base] = compare(summaries, part, model, base);
    if (global) vs["elman vs " + global_method()] = compare(summaries, part, "elman", global_method());
}

}  // namespace

double mase_of(const MethodMetrics& m, const std::string& method)
{
    const auto it = m.find(method);
    return it == m.end() ? std::numeric_limits<double>::quiet_NaN() : it->second.mase;
}

const std::string& global_method()
{
    static const std::string name = "elman_global";
    return name;
}

std::vector<std::string> run_methods(bool global)
{
    std::vector<std::string> m = forecast_methods();
    if (global) m.insert(m.begin() + 1, global_method());
    return m;
}

SeriesSummary summarize(const std::string& id, const std::string& dir, std::size_t index, std::size_t n,
                        const ForecastResult* local, const ForecastResult* global)
{
    SeriesSummary s;
    s.id = id;
    s.dir = dir;
    s.index = index;
    s.n = n;
    const ForecastResult* any = local ? local : global;
    if (!any) return s;
    s.n_train = any->n_train;
    s.n_test = any->n_test;
    s.season = any->season;
    s.horizon = any->horizon;
    s.frequency = frequency_name(any->model.series.calendar);
    if (local) {
        s.model = local->model.describe();
        s.one_step = local->one_step_metrics;
        s.multi_step = local->multi_step_metrics;
    }
    if (global && global->n_test > 0) {
        s.one_step[global_method()] = global->one_step_metrics.at("elman");
        s.multi_step[global_method()] = global->multi_step_metrics.at("elman");
        // Without a local result the baselines come from the global run (the same forecasts).
        for (const auto& m : forecast_methods())
            if (m != "elman" && !local) {
                s.one_step[m] = global->one_step_metrics.at(m);
                s.multi_step[m] = global->multi_step_metrics.at(m);
            }
    }
    return s;
}

Aggregate aggregate(const std::vector<SeriesSummary>& summaries, bool global)
{
    Aggregate a;
    a.series = summaries.size();
    for (const auto& s : summaries) (s.ok() ? a.succeeded : a.failed) += 1;
    const std::vector<std::string> methods = run_methods(global);
    aggregate_part(summaries, &SeriesSummary::one_step, methods, global, a.one_step, a.one_step_vs);
    aggregate_part(summaries, &SeriesSummary::multi_step, methods, global, a.multi_step, a.multi_step_vs);
    return a;
}

}  // namespace elman
