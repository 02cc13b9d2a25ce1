#include "datasets/metrics.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "core/error.hpp"

namespace elman {

namespace {

void check(const std::vector<double>& a, const std::vector<double>& f, const char* fn)
{
    if (a.size() != f.size())
        throw Error(std::string(fn) + ": " + std::to_string(a.size()) + " actual values but " +
                    std::to_string(f.size()) + " forecasts");
    if (a.empty()) throw Error(std::string(fn) + ": no values");
}

constexpr double inf = std::numeric_limits<double>::infinity();

}  // namespace

double rmse(const std::vector<double>& a, const std::vector<double>& f)
{
    check(a, f, "rmse");
    double s = 0.0;
    for (std::size_t t = 0; t < a.size(); ++t) s += (a[t] - f[t]) * (a[t] - f[t]);
    return std::sqrt(s / static_cast<double>(a.size()));
}

double mae(const std::vector<double>& a, const std::vector<double>& f)
{
    check(a, f, "mae");
    double s = 0.0;
    for (std::size_t t = 0; t < a.size(); ++t) s += std::abs(a[t] - f[t]);
    return s / static_cast<double>(a.size());
}

double mape(const std::vector<double>& a, const std::vector<double>& f)
{
    check(a, f, "mape");
    double s = 0.0;
    for (std::size_t t = 0; t < a.size(); ++t) {
        if (a[t] == 0.0) return inf;
        s += std::abs((a[t] - f[t]) / a[t]);
    }
    return 100.0 * s / static_cast<double>(a.size());
}

double mase_scale(const std::vector<double>& train, std::size_t m)
{
    if (m < 1) throw Error("mase_scale: season must be >= 1");
    if (train.size() <= m)
        throw Error("mase_scale: the training part has " + std::to_string(train.size()) +
                    " values, a season of " + std::to_string(m) + " needs more");
    double s = 0.0;
    for (std::size_t t = m; t < train.size(); ++t) s += std::abs(train[t] - train[t - m]);
    return s / static_cast<double>(train.size() - m);
}

double mase(const std::vector<double>& a, const std::vector<double>& f,
            const std::vector<double>& train, std::size_t m)
{
    const double scale = mase_scale(train, m);
    const double e = mae(a, f);
    if (scale == 0.0) return e == 0.0 ? 0.0 : inf;
    return e / scale;
}

Metrics evaluate(const std::vector<double>& a, const std::vector<double>& f,
                 const std::vector<double>& train, std::size_t m)
{
    return {rmse(a, f), mae(a, f), mape(a, f), mase(a, f, train, m)};
}

}  // namespace elman
