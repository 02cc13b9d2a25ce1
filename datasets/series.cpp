#include "datasets/series.hpp"

#include <cctype>
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

// A label cut into runs of digits and runs of other characters ("Jan", " ", "1961").
std::vector<std::string> runs(const std::string& s)
{
    std::vector<std::string> out;
    for (std::size_t i = 0; i < s.size();) {
        const bool digit = std::isdigit(static_cast<unsigned char>(s[i]));
        std::size_t j = i;
        while (j < s.size() && static_cast<bool>(std::isdigit(static_cast<unsigned char>(s[j]))) == digit) ++j;
        out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

std::string unpadded(const std::string& digits)
{
    const std::size_t a = digits.find_first_not_of('0');
    return a == std::string::npos ? "0" : digits.substr(a);
}

// Per run of `written` (date::format's zero-padded label): 1 = the file drops the leading zeros,
// 0 = it keeps them, -1 = not seen; false when `label` is no such writing of it.
bool learn_padding(const std::string& written, const std::string& label, std::vector<int>& strip)
{
    const std::vector<std::string> w = runs(written), l = runs(label);
    if (w.size() != l.size() || (strip.size() && strip.size() != w.size())) return false;
    strip.resize(w.size(), -1);
    for (std::size_t k = 0; k < w.size(); ++k) {
        if (w[k] == l[k]) {
            if (w[k].size() > 1 && w[k][0] == '0') {
                if (strip[k] == 1) return false;  // padded here, not elsewhere: no one rule
                strip[k] = 0;
            }
            continue;
        }
        if (!std::isdigit(static_cast<unsigned char>(w[k][0])) || unpadded(w[k]) != l[k] || strip[k] == 0) return false;
        strip[k] = 1;
    }
    return true;
}

std::string with_padding(const std::string& written, const std::vector<int>& strip)
{
    const std::vector<std::string> w = runs(written);
    if (w.size() != strip.size()) return "";
    std::string out;
    for (std::size_t k = 0; k < w.size(); ++k) out += strip[k] == 1 ? unpadded(w[k]) : w[k];
    return out;
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

std::vector<std::string> future_labels(const Series& s, std::size_t count)
{
    std::vector<std::string> iso = future_periods(s, count);
    const TimeAxis& t = s.time;
    if (!t.calendar.known() || t.date_format.empty() || t.instants.size() != s.periods.size() || s.periods.empty())
        return iso;
    // The padding rule from the last labels (rows --interpolate inserted are in ISO form: skipped);
    // the last label must be written back exactly.
    constexpr std::size_t learned_from = 60;
    std::vector<int> strip;
    const std::size_t n = s.periods.size();
    const std::string last = format_label(t.instants.back(), t.date_format);
    if (last.empty() || !learn_padding(last, s.periods.back(), strip)) return iso;
    for (std::size_t i = n - 1; i-- > 0 && n - i <= learned_from;) {
        std::vector<int> trial = strip;
        if (learn_padding(format_label(t.instants[i], t.date_format), s.periods[i], trial)) strip = std::move(trial);
    }
    if (with_padding(last, strip) != s.periods.back()) return iso;
    std::vector<std::string> out;
    for (std::size_t k = 1; k <= count; ++k) {
        const Instant next = advance(t.calendar, t.instants.back(), static_cast<std::int64_t>(k));
        out.push_back(with_padding(format_label(next, t.date_format), strip));
        if (out.back().empty()) return iso;
    }
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
