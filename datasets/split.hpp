// Chronological splits: train, then validation, then test, never shuffled, so that nothing
// from the future leaks into fitting.
#pragma once

#include <cstddef>
#include <vector>

namespace elman {

struct SplitSizes {
    std::size_t train = 0;
    std::size_t val = 0;
    std::size_t test = 0;
};

// The last n_test points are the test part, the n_val before them validation, the rest training
// (an error unless at least one training point is left).
SplitSizes split_sizes(std::size_t n, std::size_t n_val, std::size_t n_test);

// The same with fractions of n: test = round(test_fraction·n), val = round(val_fraction·n).
SplitSizes split_fractions(std::size_t n, double val_fraction, double test_fraction);

// The test size of ANCHORS.md's protocol: season·round(0.2n/season) for a seasonal series
// (whole seasons, e.g. 12·round(0.2n/12) for monthly data), round(0.2n) when season is 1.
std::size_t default_test_size(std::size_t n, std::size_t season);

// The most values the default test part takes from a long series: 20 horizons (M4's horizon
// for the frequency, datasets/frequency.hpp default_horizon: 48 hourly, 18 monthly...), rounded
// down to whole seasons, at least one season. 20% of 100,000 hourly values would be 20,000
// values (833 days) to forecast and plot for a 48-hour horizon; 20 horizons still give 20
// non-overlapping multi-step forecasts to score. M4 itself scores one horizon per series
// (Makridakis et al. 2020, "The M4 Competition", IJF 36(1)); the factor 20 is elman's choice,
// so that the cap binds only far beyond ANCHORS.md's series (e.g. 120 yearly, 360 monthly).
std::size_t default_test_cap(std::size_t horizon, std::size_t season);

struct Split {
    std::vector<double> train, val, test;
};

// Cuts y into consecutive parts of the given sizes (they must add up to y.size()).
Split split_series(const std::vector<double>& y, const SplitSizes& sizes);

}  // namespace elman
