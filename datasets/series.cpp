#include "datasets/series.hpp"

#include <charconv>

#include "core/error.hpp"

namespace elman {

namespace {

std::string join(const std::vector<std::string>& names)
{
    std::string s;
    for (std::size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
    return s;
}

}  // namespace

Series Frame::column(const std::string& name) const
{
    for (std::size_t k = 0; k < columns.size(); ++k)
        if (columns[k] == name)
            return Series{name, periods, values[k], frequency, season, time, notes, {}, {},
                          k < filled.size() ? filled[k] : std::vector<std::size_t>{}};
    throw Error("Frame::column: no column '" + name + "'; available columns: " + join(columns));
}

Tensor<double> Frame::matrix(const std::vector<std::string>& names) const
{
    std::vector<std::size_t> idx;
    if (names.empty()) {
        for (std::size_t k = 0; k < columns.size(); ++k) idx.push_back(k);
    } else {
        for (const auto& name : names) {
            std::size_t k = 0;
            while (k < columns.size() && columns[k] != name) ++k;
            if (k == columns.size())
                throw Error("Frame::matrix: no column '" + name + "'; available columns: " + join(columns));
            idx.push_back(k);
        }
    }
    Tensor<double> m = Tensor<double>::from_shape({size(), idx.size()});
    for (std::size_t t = 0; t < size(); ++t)
        for (std::size_t j = 0; j < idx.size(); ++j) m(t, j) = values[idx[j]][t];
    return m;
}

std::vector<std::string> future_periods(const Series& s, std::size_t count)
{
    std::vector<std::string> out;
    const Calendar& c = s.time.calendar;
    if (c.known() && !s.time.instants.empty()) {
        for (std::size_t k = 1; k <= count; ++k)
            out.push_back(format_instant(advance(c, s.time.instants.back(), static_cast<std::int64_t>(k)), c.resolution, c.utc));
        return out;
    }
    long long last = static_cast<long long>(s.values.size()) - 1;
    if (s.time.index && !s.periods.empty()) {
        const std::string& p = s.periods.back();
        const char* first = p.data() + (!p.empty() && p[0] == '+');
        std::from_chars(first, p.data() + p.size(), last);
    }
    for (std::size_t k = 1; k <= count; ++k) out.push_back(std::to_string(last + static_cast<long long>(k)));
    return out;
}

std::vector<double> plot_times(const Series& s, std::string& axis_label)
{
    std::vector<double> x(s.values.size());
    if (s.time.calendar.known() && s.time.instants.size() == x.size()) {
        axis_label = "year";
        for (std::size_t t = 0; t < x.size(); ++t) x[t] = fractional_year(s.time.instants[t]);
        return x;
    }
    axis_label = "t";
    for (std::size_t t = 0; t < x.size(); ++t) x[t] = static_cast<double>(t);
    return x;
}

}  // namespace elman
