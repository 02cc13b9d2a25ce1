#include "datasets/split.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hpp"

namespace elman {

SplitSizes split_sizes(std::size_t n, std::size_t n_val, std::size_t n_test)
{
    if (n_val + n_test >= n)
        throw Error("split_sizes: validation " + std::to_string(n_val) + " + test " +
                    std::to_string(n_test) + " leave no training point out of " +
                    std::to_string(n));
    return {n - n_val - n_test, n_val, n_test};
}

SplitSizes split_fractions(std::size_t n, double val_fraction, double test_fraction)
{
    if (!(val_fraction >= 0.0 && test_fraction >= 0.0 && val_fraction + test_fraction < 1.0))
        throw Error("split_fractions: fractions must be >= 0 with val + test < 1, got val " +
                    std::to_string(val_fraction) + ", test " + std::to_string(test_fraction));
    const double dn = static_cast<double>(n);
    return split_sizes(n, static_cast<std::size_t>(std::round(val_fraction * dn)),
                       static_cast<std::size_t>(std::round(test_fraction * dn)));
}

std::size_t default_test_size(std::size_t n, std::size_t season)
{
    const double m = static_cast<double>(season < 1 ? 1 : season);
    return static_cast<std::size_t>(m * std::round(0.2 * static_cast<double>(n) / m));
}

std::size_t default_test_cap(std::size_t horizon, std::size_t season)
{
    constexpr std::size_t horizons = 20;
    const std::size_t m = season < 1 ? 1 : season;
    return std::max(m, horizons * std::max<std::size_t>(horizon, 1) / m * m);
}

Split split_series(const std::vector<double>& y, const SplitSizes& s)
{
    if (s.train + s.val + s.test != y.size())
        throw Error("split_series: sizes " + std::to_string(s.train) + " + " +
                    std::to_string(s.val) + " + " + std::to_string(s.test) +
                    " do not add up to the series length " + std::to_string(y.size()));
    const auto a = y.begin(), b = a + static_cast<std::ptrdiff_t>(s.train),
               c = b + static_cast<std::ptrdiff_t>(s.val);
    return {std::vector<double>(a, b), std::vector<double>(b, c), std::vector<double>(c, y.end())};
}

}  // namespace elman
