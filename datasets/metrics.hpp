// Forecast accuracy on the original scale, as defined in ANCHORS.md:
//   RMSE = sqrt(mean (y − ŷ)²)      MAE = mean |y − ŷ|      MAPE = 100·mean |(y − ŷ)/y|  (%)
//   MASE = MAE / scale, scale = in-sample seasonal-naive MAE of the training part
//        = mean_{t=m..T−1} |y_t − y_{t−m}|  (m = 12 monthly, 4 quarterly, 1 yearly).
// Undefined metrics are NaN, for every method alike: MAPE when an actual value is 0, MASE when
// the scale is 0 (a training part that repeats itself exactly, e.g. a constant series).
// metrics.json writes them as null and the CLI's table as n/a (is_defined tells them apart).
// Sums are scaled before squaring (datasets/stats.hpp): a series near 1e200 gives finite
// metrics; a non-finite forecast or actual gives NaN.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

namespace elman {

double rmse(const std::vector<double>& actual, const std::vector<double>& forecast);
double mae(const std::vector<double>& actual, const std::vector<double>& forecast);
double mape(const std::vector<double>& actual, const std::vector<double>& forecast);
// The MASE denominator; train needs more than m values.
double mase_scale(const std::vector<double>& train, std::size_t season);
double mase(const std::vector<double>& actual, const std::vector<double>& forecast,
            const std::vector<double>& train, std::size_t season);

// A metric that is defined (not NaN for undefined, finite).
inline bool is_defined(double metric) { return std::isfinite(metric); }

struct Metrics {
    double rmse = 0, mae = 0, mape = 0, mase = 0;
};

// All four at once.
Metrics evaluate(const std::vector<double>& actual, const std::vector<double>& forecast,
                 const std::vector<double>& train, std::size_t season);

}  // namespace elman
