// The plausible band of a recursive forecast (issue 12): the range multi-step forecasts are
// expected to stay in, so that a forecast drifting away is flagged, never shown as if fine.
#pragma once

#include <cstddef>
#include <vector>

namespace elman {

// [min − R, max + R] of the training part, R = max − min (for a constant part R = |max|, or 1
// when that is 0; R = the largest double when max − min overflows).
struct PlausibleBand {
    double low = 0, high = 0;
    bool contains(double v) const { return v >= low && v <= high; }
    // How many of the forecasts lie outside (a non-finite one counts as outside).
    std::size_t outside(const std::vector<double>& forecasts) const;
    // Throws elman::Error for an empty training part.
    static PlausibleBand of(const std::vector<double>& train);
    static const char* rule();  // the rule above, for metrics.json and messages
};

}  // namespace elman
