#include "datasets/metrics.hpp"

#include <limits>
#include <string>

#include "core/error.hpp"
#include "datasets/stats.hpp"

namespace elman {

namespace {

void check(const std::vector<double>& a, const std::vector<double>& f, const char* fn)
{
    if (a.size() != f.size())
        throw Error(std::string(fn) + ": " + std::to_string(a.size()) + " actual values but " +
                    std::to_string(f.size()) + " forecasts");
    if (a.empty()) throw Error(std::string(fn) + ": no values");
}

constexpr double undefined = std::numeric_limits<double>::quiet_NaN();

double abs_error(double a, double f) { return std::abs(a - f); }

std::vector<double> abs_errors(const std::vector<double>& a, const std::vector<double>& f)
{
    std::vector<double> e(a.size());
    for (std::size_t t = 0; t < a.size(); ++t) e[t] = abs_error(a[t], f[t]);
    return e;
}

}  // namespace

double rmse(const std::vector<double>& a, const std::vector<double>& f)
{
    check(a, f, "rmse");
    return root_mean_square(abs_errors(a, f));
}

double mae(const std::vector<double>& a, const std::vector<double>& f)
{
    check(a, f, "mae");
    return mean_of(abs_errors(a, f));
}

double mape(const std::vector<double>& a, const std::vector<double>& f)
{
    check(a, f, "mape");
    std::vector<double> r(a.size());
    for (std::size_t t = 0; t < a.size(); ++t) {
        if (a[t] == 0.0) return undefined;
        r[t] = abs_error(a[t], f[t]) / std::abs(a[t]);
    }
    return 100.0 * mean_of(r);
}

double mase_scale(const std::vector<double>& train, std::size_t m)
{
    if (m < 1) throw Error("mase_scale: season must be >= 1");
    if (train.size() <= m)
        throw Error("mase_scale: the training part has " + std::to_string(train.size()) +
                    " values, a season of " + std::to_string(m) + " needs more");
    std::vector<double> d(train.size() - m);
    for (std::size_t t = m; t < train.size(); ++t) d[t - m] = abs_error(train[t], train[t - m]);
    return mean_of(d);
}

double mase(const std::vector<double>& a, const std::vector<double>& f,
            const std::vector<double>& train, std::size_t m)
{
    const double scale = mase_scale(train, m);
    if (!(scale > 0.0)) return undefined;
    return mae(a, f) / scale;
}

Metrics evaluate(const std::vector<double>& a, const std::vector<double>& f,
                 const std::vector<double>& train, std::size_t m)
{
    return {rmse(a, f), mae(a, f), mape(a, f), mase(a, f, train, m)};
}

}  // namespace elman
