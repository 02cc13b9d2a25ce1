// The split stage: the values checked, then the season, test part, training part, validation
// tail and horizon (forecast/split.hpp).
#include "forecast/split.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "datasets/split.hpp"
#include "forecast/util.hpp"

namespace elman::detail {

namespace {

// Beyond this magnitude differences of differences (lags 1 and m) could overflow a double.
constexpr double largest_value = 1e300;

}  // namespace

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
    r.horizon_source = o.horizon ? Source::given : Source::by_default;
    r.horizon = o.horizon ? o.horizon : default_horizon(s.time.calendar);
    r.n_test = o.test ? *o.test : default_test_size(n, m);
    // Fewer values than 2.5 seasons round to no whole season: 20% of the values then.
    if (!o.test && r.n_test < 1) r.n_test = std::max<std::size_t>(default_test_size(n, 1), 1);
    if (const std::size_t cap = default_test_cap(r.horizon, m); !o.test && r.n_test > cap) {
        r.notes.push_back("the test part is the last " + std::to_string(cap) + " values (20 horizons of " +
                          std::to_string(r.horizon) + ", in whole seasons of " + std::to_string(m) + "), not 20% of " +
                          std::to_string(n) + " (" + std::to_string(r.n_test) + "); give --test to change it");
        r.n_test = cap;
    }
    if (r.n_test >= n)
        throw Error("--test " + std::to_string(r.n_test) + " leaves no training values out of " + std::to_string(n));
    r.n_train = n - r.n_test;
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

std::size_t fitted_size(std::size_t n_train, std::size_t season, std::size_t horizon)
{
    std::size_t n_val = std::max<std::size_t>(default_test_size(n_train, season), 1);
    if (horizon > 0) n_val = std::min(n_val, default_test_cap(horizon, season));
    return n_train - std::min(n_val, n_train - 1);
}

}  // namespace elman::detail
