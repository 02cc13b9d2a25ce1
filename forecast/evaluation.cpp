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

// `v` (values at test positions n_train, n_train + 1, ...) without the positions in `skip`.
std::vector<double> without(const std::vector<double>& v, std::size_t n_train, const std::vector<std::size_t>& skip)
{
    std::vector<double> out;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!std::binary_search(skip.begin(), skip.end(), n_train + i)) out.push_back(v[i]);
    return out;
}

// The test positions whose value --interpolate made up: left out of every method's metrics,
// with a note naming them; an error when nothing would be left to score.
std::vector<std::size_t> unscored_test_values(ForecastResult& r, const Series& s)
{
    std::vector<std::size_t> skip;
    for (std::size_t i : s.filled)
        if (i >= r.n_train) skip.push_back(i);
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
                      "): every method's metrics leave them out, scoring the other " +
                      std::to_string(r.n_test - skip.size()));
    return skip;
}

void evaluate_test(ForecastResult& r, const std::vector<double>& y, const std::vector<std::size_t>& skip)
{
    const std::vector<double> train = slice(y, 0, r.n_train), test = without(slice(y, r.n_train, y.size()), r.n_train, skip);
    const std::size_t m = r.season;
    r.one_step["elman"] = r.model.one_step(y, r.n_train);
    require_finite(r.one_step["elman"], "one-step", 1);
    r.multi_step["elman"] = r.model.rolling(y, r.n_train, r.horizon);
    require_finite(r.multi_step["elman"], "multi-step", r.horizon);
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

void forecast_future(ForecastResult& r, const Series& s)
{
    const std::vector<double>& y = s.values;
    r.future["elman"] = r.model.multi_step(y, r.horizon);
    require_finite(r.future["elman"], "multi-step", r.horizon);
    for (Baseline b : baselines()) r.future[to_string(b)] = baseline_multi_step(b, y, r.horizon, r.season);
    for (const auto& name : forecast_methods()) r.outside_band[name] = r.band.outside(r.future[name]);
    r.future_periods = future_periods(s, r.horizon);
}

}  // namespace

void evaluate_forecasts(ForecastResult& r, const Series& s)
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
        evaluate_test(r, y, unscored_test_values(r, s));
    else
        forecast_future(r, s);
}

}  // namespace elman::detail
