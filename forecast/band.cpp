// The plausible band of a recursive forecast (forecast/band.hpp).
#include "forecast/band.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace elman {

std::size_t PlausibleBand::outside(const std::vector<double>& forecasts) const
{
    return static_cast<std::size_t>(
        std::count_if(forecasts.begin(), forecasts.end(), [&](double v) { return !contains(v); }));
}

PlausibleBand PlausibleBand::of(const std::vector<double>& train)
{
    if (train.empty()) throw Error("PlausibleBand::of: no training values");
    const auto [lo, hi] = std::minmax_element(train.begin(), train.end());
    double r = *hi - *lo;
    if (!std::isfinite(r)) r = std::numeric_limits<double>::max();
    if (r == 0.0) r = *hi != 0.0 ? std::abs(*hi) : 1.0;
    return {*lo - r, *hi + r};
}

const char* PlausibleBand::rule()
{
    return "[min - R, max + R] of the training part, R = max - min (|max|, or 1, for a constant part)";
}

}  // namespace elman
