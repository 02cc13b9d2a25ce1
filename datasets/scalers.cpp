#include "datasets/scalers.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "datasets/stats.hpp"

namespace elman {

namespace {

// Number of features of x: 1 for [n], F for [n, F].
std::size_t features(const Tensor<double>& x, const char* fn)
{
    if (x.dimension() == 1) return 1;
    if (x.dimension() == 2) return x.shape()[1];
    throw Error(std::string(fn) + ": expects [n] or [n, features], got " + shape_str(x.shape()));
}

std::size_t rows(const Tensor<double>& x) { return x.shape()[0]; }

void check_fitted(const std::vector<double>& params, const Tensor<double>& x, const char* fn)
{
    if (params.empty()) throw Error(std::string(fn) + ": the scaler is not fitted");
    const std::size_t f = features(x, fn);
    if (f != params.size())
        throw Error(std::string(fn) + ": fitted on " + std::to_string(params.size()) +
                    " features, got " + shape_str(x.shape()));
}

// y[t, f] = x[t, f]·a[f] + b[f] over row-major [n, F] (or [n] with F = 1).
Tensor<double> affine(const Tensor<double>& x, const std::vector<double>& a,
                      const std::vector<double>& b)
{
    Tensor<double> y = Tensor<double>::from_shape(x.shape());
    const std::size_t F = a.size(), n = rows(x);
    for (std::size_t t = 0; t < n; ++t)
        for (std::size_t f = 0; f < F; ++f) y.data()[t * F + f] = x.data()[t * F + f] * a[f] + b[f];
    return y;
}

Tensor<double> as_tensor(const std::vector<double>& v)
{
    Tensor<double> t = Tensor<double>::from_shape({v.size()});
    std::copy(v.begin(), v.end(), t.data());
    return t;
}

std::vector<double> as_vector(const Tensor<double>& t)
{
    return std::vector<double>(t.data(), t.data() + t.size());
}

}  // namespace

MinMaxScaler::MinMaxScaler(double lo, double hi) : lo_(lo), hi_(hi)
{
    if (!(lo < hi))
        throw Error("MinMaxScaler: feature_range minimum must be smaller than maximum, got (" +
                    std::to_string(lo) + ", " + std::to_string(hi) + ")");
}

MinMaxScaler& MinMaxScaler::fit(const Tensor<double>& x)
{
    const std::size_t F = features(x, "MinMaxScaler::fit"), n = rows(x);
    if (n == 0) throw Error("MinMaxScaler::fit: no rows in " + shape_str(x.shape()));
    data_min_.assign(F, 0.0);
    data_max_.assign(F, 0.0);
    scale_.assign(F, 1.0);
    min_.assign(F, 0.0);
    for (std::size_t f = 0; f < F; ++f) {
        double lo = x.data()[f], hi = lo;
        for (std::size_t t = 0; t < n; ++t) {
            const double v = x.data()[t * F + f];
            if (!std::isfinite(v))
                throw Error("MinMaxScaler::fit: feature " + std::to_string(f) + " holds " + std::to_string(v) +
                            " at row " + std::to_string(t));
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        data_min_[f] = lo;
        data_max_[f] = hi;
        // hi − lo overflows for ranges beyond the largest double: halve both sides then.
        const double range = hi - lo;
        scale_[f] = std::isfinite(range) ? (hi_ - lo_) / (range == 0.0 ? 1.0 : range)
                                         : ((hi_ - lo_) / 2) / (hi / 2 - lo / 2);
        min_[f] = lo_ - lo * scale_[f];
    }
    return *this;
}

Tensor<double> MinMaxScaler::transform(const Tensor<double>& x) const
{
    check_fitted(scale_, x, "MinMaxScaler::transform");
    return affine(x, scale_, min_);
}

Tensor<double> MinMaxScaler::inverse_transform(const Tensor<double>& x) const
{
    check_fitted(scale_, x, "MinMaxScaler::inverse_transform");
    // x = (x' − min)/scale
    Tensor<double> y = Tensor<double>::from_shape(x.shape());
    const std::size_t F = scale_.size(), n = rows(x);
    for (std::size_t t = 0; t < n; ++t)
        for (std::size_t f = 0; f < F; ++f)
            y.data()[t * F + f] = (x.data()[t * F + f] - min_[f]) / scale_[f];
    return y;
}

MinMaxScaler& MinMaxScaler::fit(const std::vector<double>& x) { return fit(as_tensor(x)); }
std::vector<double> MinMaxScaler::transform(const std::vector<double>& x) const
{
    return as_vector(transform(as_tensor(x)));
}
std::vector<double> MinMaxScaler::inverse_transform(const std::vector<double>& x) const
{
    return as_vector(inverse_transform(as_tensor(x)));
}

StandardScaler& StandardScaler::fit(const Tensor<double>& x)
{
    const std::size_t F = features(x, "StandardScaler::fit"), n = rows(x);
    if (n == 0) throw Error("StandardScaler::fit: no rows in " + shape_str(x.shape()));
    mean_.assign(F, 0.0);
    scale_.assign(F, 1.0);
    // mean = Σx/n, var = Σ(x − mean)²/n (two passes: no cancellation), scaled before
    // summing and squaring so that values near 1e200 do not overflow (datasets/stats.hpp).
    for (std::size_t f = 0; f < F; ++f) {
        const double mean = mean_of(x.data() + f, n, F);
        const double sd = population_sd(x.data() + f, n, mean, F);
        if (!std::isfinite(sd))
            throw Error("StandardScaler::fit: feature " + std::to_string(f) + " holds a non-finite value");
        mean_[f] = mean;
        scale_[f] = sd == 0.0 ? 1.0 : sd;
    }
    return *this;
}

Tensor<double> StandardScaler::transform(const Tensor<double>& x) const
{
    check_fitted(scale_, x, "StandardScaler::transform");
    Tensor<double> y = Tensor<double>::from_shape(x.shape());
    const std::size_t F = scale_.size(), n = rows(x);
    for (std::size_t t = 0; t < n; ++t)
        for (std::size_t f = 0; f < F; ++f)
            y.data()[t * F + f] = (x.data()[t * F + f] - mean_[f]) / scale_[f];
    return y;
}

Tensor<double> StandardScaler::inverse_transform(const Tensor<double>& x) const
{
    check_fitted(scale_, x, "StandardScaler::inverse_transform");
    return affine(x, scale_, mean_);
}

StandardScaler& StandardScaler::fit(const std::vector<double>& x) { return fit(as_tensor(x)); }
std::vector<double> StandardScaler::transform(const std::vector<double>& x) const
{
    return as_vector(transform(as_tensor(x)));
}
std::vector<double> StandardScaler::inverse_transform(const std::vector<double>& x) const
{
    return as_vector(inverse_transform(as_tensor(x)));
}

}  // namespace elman
