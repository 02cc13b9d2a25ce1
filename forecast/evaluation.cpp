// The evaluation stage: elman's and the baselines' forecasts of the test part (one-step, and
// multi-step from rolling origins), their metrics and plausibility, and with no test part the
// forecast of the values after the series (forecast/evaluation.hpp).
#include "forecast/evaluation.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "datasets/baselines.hpp"
#include "forecast/util.hpp"

namespace elman::detail {

namespace {

// Baseline forecasts of y[from..n) from rolling origins every `horizon` values, each block
// from the true history before it (the protocol elman's multi-step forecasts follow).
std::vector<double> baseline_rolling(Baseline b, const std::vector<double>& y, std::size_t from,
                                     std::size_t horizon, std::size_t season)
{
    std::vector<double> out;
    for (std::size_t t = from; t < y.size(); t += horizon) {
        const std::vector<double> f = baseline_multi_step(b, slice(y, 0, t), std::min(horizon, y.size() - t), season);
        out.insert(out.end(), f.begin(), f.end());
    }
    return out;
}

// Elman's forecasts must be finite; a non-finite one is an error saying where and why.
void require_finite(const std::vector<double>& f, const char* what, std::size_t horizon)
{
    std::size_t bad = 0;
    for (double v : f) bad += !std::isfinite(v);
    if (bad == 0) return;
    throw Error(std::string("forecast: elman's ") + what + " forecasts are not finite at " + std::to_string(bad) +
                " of " + std::to_string(f.size()) + " points (every model's forecast overflowed there" +
                (horizon > 1 ? "; a smaller --horizon feeds back fewer predictions)" : ")"));
}

const std::vector<Baseline>& baselines()
{
    static const std::vector<Baseline> b{Baseline::naive, Baseline::seasonal_naive, Baseline::drift};
    return b;
}

// The lead of each rolling forecast: 1..horizon in every block.
std::vector<std::size_t> rolling_leads(std::size_t count, std::size_t horizon)
{
    std::vector<std::size_t> leads(count);
    for (std::size_t i = 0; i < count; ++i) leads[i] = i % horizon + 1;
    return leads;
}

// elman's forecasts of the test part and their intervals (when the model is calibrated).
void forecast_test(ForecastResult& r, const std::vector<double>& y, const Covariates& x)
{
    ForecastModel& model = r.model;
    const EnsembleForecast one =
        model.combine(Ensemble::one_step, [&](ForecastMember& m) { return m.one_step(y, r.n_train, x); });
    require_finite(one.point, "one-step", 1);
    const EnsembleForecast multi =
        model.combine(Ensemble::multi_step, [&](ForecastMember& m) { return m.rolling(y, r.n_train, r.horizon, x); });
    require_finite(multi.point, "multi-step", r.horizon);
    r.one_step["elman"] = one.point;
    r.multi_step["elman"] = multi.point;
    if (!model.one_step_intervals.calibrated() || !model.multi_step_intervals.calibrated()) return;
    r.one_step_intervals =
        interval_bounds(model.one_step_intervals, one.point, one.validated, std::vector<std::size_t>(r.n_test, 1));
    r.multi_step_intervals =
        interval_bounds(model.multi_step_intervals, multi.point, multi.validated, rolling_leads(r.n_test, r.horizon));
}

// `v` (values at test positions n_train, n_train + 1, ...) without the positions in `skip`.
std::vector<double> without(const std::vector<double>& v, std::size_t n_train, const std::vector<std::size_t>& skip)
{
    std::vector<double> out;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!std::binary_search(skip.begin(), skip.end(), n_train + i)) out.push_back(v[i]);
    return out;
}

IntervalBounds without(const IntervalBounds& b, std::size_t n_train, const std::vector<std::size_t>& skip)
{
    return {without(b.lo80, n_train, skip), without(b.hi80, n_train, skip), without(b.lo95, n_train, skip),
            without(b.hi95, n_train, skip)};
}

// The test positions whose value --interpolate made up: left out of every method's metrics and
// interval scores, with a note naming them; an error when nothing would be left to score.
std::vector<std::size_t> unscored_test_values(ForecastResult& r, const Series& s)
{
    std::vector<std::size_t> skip;
    for (std::size_t i : s.filled)
        if (i >= r.n_train && i < s.values.size()) skip.push_back(i);
    if (skip.empty()) return skip;
    std::string list;
    for (std::size_t k = 0; k < skip.size() && k < 5; ++k) list += (k ? ", '" : "'") + s.periods[skip[k]] + "'";
    if (skip.size() > 5) list += ", ...";
    if (skip.size() == r.n_test)
        throw Error("forecast: every value of the test part (" + std::to_string(r.n_test) +
                    ") was filled by --interpolate, so there is no actual to score; give a larger --test or fill "
                    "the file's missing values yourself");
    r.notes.push_back(std::to_string(skip.size()) + " of the " + std::to_string(r.n_test) +
                      " test values were filled by --interpolate (" + list +
                      "): every method's metrics and interval scores leave them out, scoring the other " +
                      std::to_string(r.n_test - skip.size()));
    return skip;
}

void evaluate_test(ForecastResult& r, const std::vector<double>& y, const std::vector<std::size_t>& skip,
                   const Covariates& x)
{
    const std::vector<double> train = slice(y, 0, r.n_train), test = without(slice(y, r.n_train, y.size()), r.n_train, skip);
    const std::size_t m = r.season;
    forecast_test(r, y, x);
    if (!r.one_step_intervals.empty()) {
        r.one_step_interval_scores = score_intervals(test, without(r.one_step_intervals, r.n_train, skip), train, m);
        r.multi_step_interval_scores = score_intervals(test, without(r.multi_step_intervals, r.n_train, skip), train, m);
    }
    for (Baseline b : baselines()) {
        r.one_step[to_string(b)] = baseline_one_step(b, y, r.n_train, m);
        r.multi_step[to_string(b)] = baseline_rolling(b, y, r.n_train, r.horizon, m);
    }
    for (const auto& name : forecast_methods()) {
        r.one_step_metrics[name] = evaluate(test, without(r.one_step[name], r.n_train, skip), train, m);
        r.multi_step_metrics[name] = evaluate(test, without(r.multi_step[name], r.n_train, skip), train, m);
        r.outside_band[name] = r.band.outside(r.multi_step[name]);
    }
}

void forecast_future(ForecastResult& r, const Series& s, const Covariates& x)
{
    const std::vector<double>& y = s.values;
    for (std::size_t c = 0; c < x.future.size(); ++c)
        if (x.future[c].size() < y.size() + r.horizon)
            throw Error("forecast: with no test part (--test 0) the forecast of the next " + std::to_string(r.horizon) +
                        " periods needs the known-future covariates' values for them; covariate '" +
                        r.model.future_covariates.at(c) + "' has " + std::to_string(x.future[c].size() - y.size()) +
                        " (give a CSV of the future periods with --future)");
    const EnsembleForecast f =
        r.model.combine(Ensemble::multi_step, [&](ForecastMember& m) { return m.multi_step(y, r.horizon, x); });
    r.future["elman"] = f.point;
    require_finite(r.future["elman"], "multi-step", r.horizon);
    if (r.model.multi_step_intervals.calibrated())
        r.future_intervals = interval_bounds(r.model.multi_step_intervals, f.point, f.validated, rolling_leads(r.horizon, r.horizon));
    for (Baseline b : baselines()) r.future[to_string(b)] = baseline_multi_step(b, y, r.horizon, r.season);
    for (const auto& name : forecast_methods()) r.outside_band[name] = r.band.outside(r.future[name]);
    r.future_periods = future_labels(s, r.horizon);
}

}  // namespace

void evaluate_forecasts(ForecastResult& r, const Series& s, const Covariates& x)
{
    const std::vector<double>& y = s.values;
    const std::vector<double> train = slice(y, 0, r.n_train);
    r.band = PlausibleBand::of(train);
    SeriesInfo& info = r.model.series;
    info.column = s.name;
    info.calendar = s.time.calendar;
    info.frequency_source = s.time.frequency_source;
    info.season = r.season;
    info.season_source = r.season_source;
    const auto [lo, hi] = std::minmax_element(train.begin(), train.end());
    info.min = *lo;
    info.max = *hi;
    info.n = r.n_train;
    info.last_period = s.periods[r.n_train - 1];
    info.last_value = y[r.n_train - 1];
    if (s.time.instants.size() == y.size()) info.last_instant = s.time.instants[r.n_train - 1];
    if (r.n_test > 0)
        evaluate_test(r, y, unscored_test_values(r, s), x);
    else
        forecast_future(r, s, x);
}

}  // namespace elman::detail
