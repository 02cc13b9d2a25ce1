#include "datasets/transforms.hpp"

#include <cmath>
#include <sstream>
#include <string>

#include "core/error.hpp"

namespace elman {

std::vector<double> log_transform(const std::vector<double>& y)
{
    std::vector<double> z(y.size());
    for (std::size_t t = 0; t < y.size(); ++t) {
        if (!(y[t] > 0.0)) {
            std::ostringstream msg;
            msg.precision(17);
            msg << "log_transform: value " << y[t] << " at index " << t
                << " is not positive (log needs every value > 0)";
            throw Error(msg.str());
        }
        z[t] = std::log(y[t]);
    }
    return z;
}

std::vector<double> exp_transform(const std::vector<double>& z)
{
    std::vector<double> y(z.size());
    for (std::size_t t = 0; t < z.size(); ++t) y[t] = std::exp(z[t]);
    return y;
}

std::vector<double> difference(const std::vector<double>& y, std::size_t lag)
{
    if (lag < 1) throw Error("difference: lag must be >= 1");
    if (y.size() <= lag)
        throw Error("difference: a series of length " + std::to_string(y.size()) +
                    " has no lag-" + std::to_string(lag) + " differences");
    std::vector<double> d(y.size() - lag);
    for (std::size_t t = 0; t < d.size(); ++t) d[t] = y[t + lag] - y[t];
    return d;
}

std::vector<double> undifference(const std::vector<double>& history_tail,
                                 const std::vector<double>& diffs, std::size_t lag)
{
    if (lag < 1) throw Error("undifference: lag must be >= 1");
    if (history_tail.size() < lag)
        throw Error("undifference: lag " + std::to_string(lag) + " needs the last " +
                    std::to_string(lag) + " values of the history, got " +
                    std::to_string(history_tail.size()));
    const std::size_t h0 = history_tail.size() - lag;
    std::vector<double> y(diffs.size());
    for (std::size_t k = 0; k < diffs.size(); ++k)
        y[k] = (k < lag ? history_tail[h0 + k] : y[k - lag]) + diffs[k];
    return y;
}

void interpolate_missing(std::vector<double>& v)
{
    const std::size_t n = v.size();
    for (std::size_t t = 0; t < n;) {
        if (!std::isnan(v[t])) {
            ++t;
            continue;
        }
        std::size_t end = t;
        while (end < n && std::isnan(v[end])) ++end;
        if (t == 0 || end == n)
            throw Error("interpolate_missing: missing value at index " + std::to_string(t == 0 ? 0 : n - 1) +
                        ", at an end of the series (nothing to interpolate from)");
        // Written as a weighted mean, not v[a] + w·(v[b] − v[a]): the difference of two finite
        // values near ±1e308 overflows to inf (found by fuzz_csv).
        const double a = v[t - 1], b = v[end];
        const double span = static_cast<double>(end - (t - 1));
        for (std::size_t k = t; k < end; ++k) {
            const double w = static_cast<double>(k - (t - 1)) / span;
            v[k] = (1.0 - w) * a + w * b;
        }
        t = end;
    }
}

Differencing::Differencing(std::vector<std::size_t> lags) : lags_(std::move(lags))
{
    for (std::size_t lag : lags_)
        if (lag < 1) throw Error("Differencing: every lag must be >= 1");
}

std::size_t Differencing::order() const
{
    std::size_t s = 0;
    for (std::size_t lag : lags_) s += lag;
    return s;
}

std::vector<double> Differencing::apply(const std::vector<double>& y) const
{
    std::vector<double> d = y;
    for (std::size_t lag : lags_) d = difference(d, lag);
    return d;
}

std::vector<double> Differencing::invert(const std::vector<double>& history,
                                         const std::vector<double>& diffs) const
{
    if (history.size() < order())
        throw Error("Differencing::invert: needs at least " + std::to_string(order()) +
                    " history values, got " + std::to_string(history.size()));
    // stages[i] = history differenced by the first i lags; stage i's tail undoes lag i.
    std::vector<std::vector<double>> stages{history};
    for (std::size_t i = 0; i + 1 < lags_.size(); ++i)
        stages.push_back(difference(stages.back(), lags_[i]));
    std::vector<double> y = diffs;
    for (std::size_t i = lags_.size(); i-- > 0;) y = undifference(stages[i], y, lags_[i]);
    return y;
}

}  // namespace elman
