#include "datasets/stats.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "core/error.hpp"

namespace elman {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

void check_size(std::size_t n, const char* fn)
{
    if (n == 0) throw Error(std::string(fn) + ": no values");
}

// max |x_i − c|, computed as 2·max |x_i/2 − c/2| so that it stays finite for any finite
// x and c; NaN when some x_i is not finite.
double largest_deviation(const double* x, std::size_t n, std::size_t stride, double c)
{
    double m = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double v = x[i * stride];
        if (!std::isfinite(v)) return nan;
        m = std::max(m, std::abs(v / 2 - c / 2));
    }
    return m;
}

}  // namespace

// The power of two 2^e at or above m, as the exponent e: dividing by it is exact, so the
// scaled sums round exactly as the plain ones would where those do not overflow.
int scale_exponent(double m)
{
    int e = 0;
    std::frexp(m, &e);
    return e;
}

double mean_of(const double* x, std::size_t n, std::size_t stride)
{
    check_size(n, "mean_of");
    const double m = largest_deviation(x, n, stride, 0.0);
    if (!(m > 0.0)) return m;  // 0: all zero; NaN: a non-finite value
    const int e = scale_exponent(m) + 1;
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += std::ldexp(x[i * stride], -e);
    return std::ldexp(s / static_cast<double>(n), e);
}

double population_sd(const double* x, std::size_t n, double mean, std::size_t stride)
{
    check_size(n, "population_sd");
    if (!std::isfinite(mean)) return nan;
    const double d = largest_deviation(x, n, stride, mean);
    if (!(d > 0.0)) return d;
    const int e = scale_exponent(d) + 1;
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double r = std::ldexp(x[i * stride], -e) - std::ldexp(mean, -e);
        s += r * r;
    }
    return std::ldexp(std::sqrt(s / static_cast<double>(n)), e);
}

double root_mean_square(const double* x, std::size_t n, std::size_t stride)
{
    check_size(n, "root_mean_square");
    const double m = largest_deviation(x, n, stride, 0.0);
    if (!(m > 0.0)) return m;
    const int e = scale_exponent(m) + 1;
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double r = std::ldexp(x[i * stride], -e);
        s += r * r;
    }
    return std::ldexp(std::sqrt(s / static_cast<double>(n)), e);
}

}  // namespace elman
