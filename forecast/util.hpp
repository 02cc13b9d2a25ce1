// Small helpers the forecasting pipeline's files share (forecast/*.cpp); not part of the API.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace elman::detail {

inline std::string fmt(double v, const char* f = "%.4g")
{
    char buf[48];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

inline std::vector<double> slice(const std::vector<double>& v, std::size_t begin, std::size_t end)
{
    return {v.begin() + static_cast<std::ptrdiff_t>(begin), v.begin() + static_cast<std::ptrdiff_t>(end)};
}

inline bool all_finite(const std::vector<double>& v)
{
    return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

}  // namespace elman::detail
