#include "tools/forecast.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

#include "core/error.hpp"
#include "datasets/split.hpp"
#include "tools/forecast_stages.hpp"
#include "tools/forecast_util.hpp"

namespace elman {

namespace {

// Beyond this magnitude differences of differences (lags 1 and m) could overflow a double.
constexpr double largest_value = 1e300;

void check_values(const Series& s, const ForecastOptions& o)
{
    const std::vector<double>& y = s.values;
    if (y.empty()) throw Error("forecast: the series has no values");
    if (s.periods.size() != y.size())
        throw Error("forecast: " + std::to_string(s.periods.size()) + " periods for " + std::to_string(y.size()) +
                    " values");
    for (std::size_t t = 0; t < y.size(); ++t) {
        if (!std::isfinite(y[t]))
            throw Error("forecast: value " + std::to_string(t + 1) + " (" + s.periods[t] + ") is " +
                        detail::fmt(y[t], "%g") + "; fill missing values first (--interpolate)");
        if (std::abs(y[t]) > largest_value)
            throw Error("forecast: value " + std::to_string(t + 1) + " (" + s.periods[t] + ") is " +
                        detail::fmt(y[t], "%g") + ": values beyond ±1e300 overflow when differenced; divide the "
                        "series by a power of ten");
        if (o.log && *o.log && !(y[t] > 0.0))
            throw Error("--log needs positive values, but value " + std::to_string(t + 1) + " (" + s.periods[t] +
                        ") is " + detail::fmt(y[t], "%g"));
    }
}

// Season, test size, training size and horizon, each with where it came from.
void plan_sizes(ForecastResult& r, const Series& s, const ForecastOptions& o)
{
    const std::size_t n = s.values.size();
    r.season = o.season ? *o.season : std::max<std::size_t>(s.season, 1);
    r.season_source = o.season ? Source::given : s.time.season_source;
    const std::size_t m = r.season;
    // The fewest training values a candidate can use: its lookback, 8 windows, 1 to validate.
    const std::size_t fewest = std::max<std::size_t>(o.lookback.value_or(m > 1 ? std::max<std::size_t>(m, 4) : 4), 1) + 9;
    if (n <= fewest)
        throw Error("series of " + std::to_string(n) + " values is too short: a lookback of " +
                    std::to_string(fewest - 9) + " needs more than " + std::to_string(fewest) + " training values" +
                    (m > 1 && !o.lookback ? " (a smaller --season needs fewer)" : ""));
    r.n_test = o.test ? *o.test : default_test_size(n, m);
    // Fewer values than 2.5 seasons round to no whole season: 20% of the values then.
    if (!o.test && r.n_test < 1) r.n_test = std::max<std::size_t>(default_test_size(n, 1), 1);
    if (r.n_test >= n)
        throw Error("--test " + std::to_string(r.n_test) + " leaves no training values out of " + std::to_string(n));
    r.n_train = n - r.n_test;
    r.horizon_source = o.horizon ? Source::given : Source::by_default;
    r.horizon = o.horizon ? o.horizon : default_horizon(s.time.calendar);
    if (r.n_test > 0 && r.horizon > r.n_test) {
        if (o.horizon)
            throw Error("--horizon " + std::to_string(r.horizon) + " exceeds the test part (" + std::to_string(r.n_test) +
                        " values)");
        r.horizon = r.n_test;
    }
    if (r.n_train <= m) {
        std::string hint = r.n_test > 0 ? "; try a smaller --test" : "";
        if (m > 1) hint += hint.empty() ? "; try a smaller --season" : " or --season";
        throw Error("series too short: the training part (" + std::to_string(r.n_train) +
                    " values) must be longer than the season (" + std::to_string(m) + ")" + hint);
    }
}

}  // namespace

std::size_t default_threads() { return std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8); }

const std::vector<std::string>& forecast_methods()
{
    static const std::vector<std::string> m{"elman", "naive", "seasonal_naive", "drift"};
    return m;
}

void validate_forecast_options(const ForecastOptions& o)
{
    if (o.units < 1) throw Error("--units must be >= 1");
    if (o.epochs < 1) throw Error("--epochs must be >= 1");
    if (o.batch_size < 1) throw Error("--batch-size must be >= 1");
    if (o.ensemble < 1) throw Error("--ensemble must be >= 1");
    if (o.seeds < 1) throw Error("--seeds must be >= 1");
    if (o.threads < 1) throw Error("--threads must be >= 1");
    if (o.max_steps < 1) throw Error("--max-steps must be >= 1");
    if (!(o.lr > 0.0) || !std::isfinite(o.lr)) throw Error("--lr must be a finite number > 0");
    if (o.lookback && *o.lookback < 1) throw Error("--lookback must be >= 1");
    if (o.season && *o.season < 1) throw Error("--season must be >= 1");
    if (o.lags)
        for (std::size_t l : *o.lags)
            if (l < 1) throw Error("--diff lags must be >= 1");
}

ForecastResult run_forecast(const Series& series, const ForecastOptions& o)
{
    validate_forecast_options(o);
    check_values(series, o);
    ForecastResult r;
    plan_sizes(r, series, o);
    const std::vector<double> train = detail::slice(series.values, 0, r.n_train);
    // The validation tail inside the training part, by the same rule as the test part.
    const std::size_t n_val = std::max<std::size_t>(default_test_size(r.n_train, r.season), 1);
    const std::size_t n_fit = r.n_train - std::min(n_val, r.n_train - 1);
    // Positivity is checked on the whole series: one-step forecasts take logs of the test history.
    ForecastOptions co = o;
    const auto& y = series.values;
    if (!o.log && !std::all_of(y.begin(), y.end(), [](double v) { return v > 0.0; })) co.log = false;

    detail::RunControl run(o);
    std::vector<detail::Group> groups = detail::screen(train, n_fit, r.season, co, run, r);
    if (groups.empty() && run.interrupted())
        throw ForecastInterrupted("forecast: interrupted before any model finished an epoch");
    if (groups.empty())
        throw Error(r.notes.empty() ? "no candidate could be trained"
                                    : "no candidate gave a finite forecast on the validation tail (" + r.notes.back() +
                                          "); try a smaller --lr, or rescale the series");
    for (const detail::Group& g : groups) {
        const ForecastMember& f = g.members.front();
        ForecastMember c;
        c.log = f.log;
        c.lags = f.lags;
        c.lookback = f.lookback;
        c.val_mae = g.val_mae;
        c.epochs = f.epochs;
        c.seed = f.seed;
        r.screened.push_back(std::move(c));
    }
    r.model.season = r.season;
    detail::keep_and_refit(groups, train, o, run, r);
    r.interrupted = run.interrupted();
    r.model.interrupted = r.interrupted;
    detail::evaluate_forecasts(r, series);
    return r;
}

}  // namespace elman
