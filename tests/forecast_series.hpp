// The small forecasting inputs the forecast tests share: settings that train in well under a
// second, and a synthetic monthly series with a season and a trend.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <vector>

#include "datasets/period.hpp"
#include "datasets/series.hpp"
#include "forecast/options.hpp"

namespace elman::test {

// Few epochs, steps and seeds: enough for the pipeline's every stage to run, not to be accurate.
inline ForecastOptions fast()
{
    ForecastOptions o;
    o.epochs = 8;
    o.seeds = 1;
    o.ensemble = 2;
    o.max_steps = 150;
    o.threads = 2;
    return o;
}

// A monthly series of n values: level + amplitude·(seasonal wave) + a slow trend.
inline Series monthly(std::size_t n, double level, double amplitude)
{
    Series s;
    s.name = "value";
    s.time.calendar = parse_frequency("monthly");
    s.time.calendar.resolution = Resolution::month;
    s.time.frequency_source = Source::inferred;
    for (std::size_t t = 0; t < n; ++t) {
        const int y = 2000 + static_cast<int>(t / 12);
        const unsigned m = static_cast<unsigned>(t % 12) + 1;
        s.time.instants.push_back(make_instant(y, m, 1));
        s.periods.push_back(format_instant(s.time.instants.back(), Resolution::month));
        s.values.push_back(level + amplitude * (std::sin(0.5236 * static_cast<double>(t)) + 0.01 * static_cast<double>(t)));
    }
    s.frequency = Frequency::monthly;
    s.season = 12;
    return s;
}

// Every value finite (a forecast, an interval bound).
inline void require_finite(const std::vector<double>& v)
{
    for (double x : v) REQUIRE(std::isfinite(x));
}

}  // namespace elman::test
