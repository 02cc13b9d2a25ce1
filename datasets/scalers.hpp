// Per-feature scalers with scikit-learn's definitions, fitted on the training part only and
// applied unchanged to validation/test data and inverted on forecasts. Data is [n] (one
// feature) or [n, features]. A constant feature gets scale 1 (no division by zero), as sklearn.
// fit() scales before squaring (datasets/stats.hpp), so data near 1e200 fits, and a
// non-finite value is an elman::Error naming the feature.
#pragma once

#include <vector>

#include "core/tensor.hpp"

namespace elman {

// x' = x·scale + min with scale = (hi − lo)/(max − min), min = lo − data_min·scale,
// mapping the training range [data_min, data_max] onto feature_range [lo, hi].
class MinMaxScaler {
public:
    explicit MinMaxScaler(double lo = 0.0, double hi = 1.0);
    MinMaxScaler& fit(const Tensor<double>& x);
    Tensor<double> transform(const Tensor<double>& x) const;
    Tensor<double> inverse_transform(const Tensor<double>& x) const;
    Tensor<double> fit_transform(const Tensor<double>& x) { return fit(x).transform(x); }
    // One feature held in a vector.
    MinMaxScaler& fit(const std::vector<double>& x);
    std::vector<double> transform(const std::vector<double>& x) const;
    std::vector<double> inverse_transform(const std::vector<double>& x) const;

    const std::vector<double>& data_min() const { return data_min_; }
    const std::vector<double>& data_max() const { return data_max_; }
    const std::vector<double>& scale() const { return scale_; }
    const std::vector<double>& min() const { return min_; }

private:
    double lo_, hi_;
    std::vector<double> data_min_, data_max_, scale_, min_;
};

// x' = (x − mean)/scale with scale the population standard deviation (ddof 0), per feature.
class StandardScaler {
public:
    StandardScaler& fit(const Tensor<double>& x);
    Tensor<double> transform(const Tensor<double>& x) const;
    Tensor<double> inverse_transform(const Tensor<double>& x) const;
    Tensor<double> fit_transform(const Tensor<double>& x) { return fit(x).transform(x); }
    StandardScaler& fit(const std::vector<double>& x);
    std::vector<double> transform(const std::vector<double>& x) const;
    std::vector<double> inverse_transform(const std::vector<double>& x) const;

    const std::vector<double>& mean() const { return mean_; }
    const std::vector<double>& scale() const { return scale_; }

private:
    std::vector<double> mean_, scale_;
};

}  // namespace elman
