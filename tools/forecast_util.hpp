// Small helpers the forecasting pipeline's files share (tools/forecast*.cpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
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

// The median of each column of rows[member][t] over the members' finite values (the mean of
// the middle two for an even count); NaN where no member is finite.
inline std::vector<double> median_combine(const std::vector<std::vector<double>>& rows)
{
    std::vector<double> out(rows.front().size());
    std::vector<double> col;
    for (std::size_t t = 0; t < out.size(); ++t) {
        col.clear();
        for (const auto& r : rows)
            if (std::isfinite(r[t])) col.push_back(r[t]);
        if (col.empty()) {
            out[t] = std::numeric_limits<double>::quiet_NaN();
            continue;
        }
        std::sort(col.begin(), col.end());
        const std::size_t k = col.size() / 2;
        out[t] = col.size() % 2 ? col[k] : 0.5 * col[k - 1] + 0.5 * col[k];
    }
    return out;
}

inline bool all_finite(const std::vector<double>& v)
{
    return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

}  // namespace elman::detail
