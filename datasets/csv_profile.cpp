#include "datasets/csv_profile.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "datasets/csv_cells.hpp"

namespace elman {

bool is_integer_label(const std::string& s)
{
    std::size_t i = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (i >= s.size()) return false;
    for (; i < s.size(); ++i)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

namespace {

// An integer cell, also written as a float with a zero fraction ("2010.0", as pandas exports
// integer columns that had a missing value).
std::optional<long long> integer_value(const std::string& s)
{
    if (s.size() > 18) return std::nullopt;
    long long v = 0;
    const char* first = s.data() + (!s.empty() && s[0] == '+');
    const char* last = s.data() + s.size();
    auto [p, ec] = std::from_chars(first, last, v);
    if (ec != std::errc()) return std::nullopt;
    if (p == last) return v;
    for (const char* q = p; q < last; ++q)
        if (*q != (q == p ? '.' : '0')) return std::nullopt;
    return v;
}

std::string simple_name(const std::string& name)
{
    std::string s;
    for (char c : name)
        if (std::isalnum(static_cast<unsigned char>(c))) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

std::optional<PeriodPart> part_from_name(const std::string& name)
{
    const std::string s = simple_name(name);
    auto any = [&](std::initializer_list<const char*> names) {
        return std::any_of(names.begin(), names.end(), [&](const char* n) { return s == n; });
    };
    if (any({"year", "yr", "yyyy", "years"})) return PeriodPart::year;
    if (any({"quarter", "qtr", "quarters"})) return PeriodPart::quarter;
    if (any({"month", "mnth", "mon", "mo", "mm", "months"})) return PeriodPart::month;
    if (any({"day", "dd", "dy", "dayofmonth", "days"})) return PeriodPart::day;
    if (any({"hour", "hr", "hh", "hours", "hourofday"})) return PeriodPart::hour;
    if (any({"minute", "min", "mi", "minutes"})) return PeriodPart::minute;
    return std::nullopt;
}

namespace {

bool row_id_name(const std::string& name)
{
    const std::string s = simple_name(name);
    for (const char* n : {"", "index", "id", "instant", "unnamed0", "no", "row", "rownum", "rowid", "obs", "idx"})
        if (s == n) return true;
    return false;
}

bool time_cell(const std::string& s)
{
    const std::size_t colon = s.find(':');
    if (colon == std::string::npos || colon == 0 || colon > 2) return false;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (s[i] != ':' && !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    return s.size() == colon + 3 || (s.size() == colon + 6 && s[colon + 3] == ':');
}

void profile_integers(ColumnProfile& p, const std::string& name, bool first_column)
{
    std::vector<long long> v;
    bool plain = true;
    for (const auto& l : p.labels) {
        const auto x = integer_value(l);
        if (!x) return;
        v.push_back(*x);
        plain = plain && is_integer_label(l);
    }
    p.integer = !v.empty();
    p.float_written = p.integer && !plain;
    if (!p.integer || !plain) return;
    // A row index: 0, 1, 2... or 1, 2, 3... in the first column (three values at least, so that
    // a short value column is not mistaken for one), or increasing integers under a row-id name.
    bool consecutive = first_column && v.size() >= 3 && (v.front() == 0 || v.front() == 1), increasing = v.size() >= 2;
    for (std::size_t i = 1; i < v.size(); ++i) {
        consecutive = consecutive && v[i] == v[i - 1] + 1;
        increasing = increasing && v[i] > v[i - 1];
    }
    p.index = consecutive || (increasing && row_id_name(name));
}

}  // namespace

std::vector<DateForm> common_forms(const std::vector<std::string>& labels)
{
    // The forms of the first dated label, narrowed by every later label that shares one; a
    // label with no form, or none in common, is a misfit (a bad row the reader will name, or a
    // footer). More than a tenth of misfits: no date column.
    std::vector<DateForm> common;
    std::size_t misfits = 0;
    for (const auto& l : labels) {
        const std::vector<DateForm> f = label_forms(l);
        if (common.empty()) {
            common = f;
            misfits += f.empty();
            continue;
        }
        std::vector<DateForm> both;
        for (const DateForm& c : common)
            if (std::find(f.begin(), f.end(), c) != f.end()) both.push_back(c);
        if (both.empty())
            ++misfits;
        else
            common = std::move(both);
    }
    if (misfits > std::max<std::size_t>(1, labels.size() / 10)) return {};
    return common;
}

ColumnProfile profile_column(const std::string& name, const std::vector<std::vector<std::string>>& rows,
                             const std::vector<std::size_t>& lines, std::size_t column, char decimal,
                             const std::vector<std::string>& na_values)
{
    ColumnProfile p;
    p.part = part_from_name(name);
    std::size_t numbers = 0, text = 0, times = 0;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const std::string& cell = rows[r][column];
        const CellValue v = parse_cell(cell, decimal, na_values);
        numbers += v.kind == CellKind::number;
        text += v.kind == CellKind::text;
        if (cell.empty()) continue;
        if (p.labels.empty()) {
            p.first = cell;
            p.first_line = lines[r];
        }
        p.labels.push_back(cell);
        times += time_cell(cell);
    }
    p.nonempty = p.labels.size();
    // Mostly numbers: a few bad cells are then errors naming their line, not a reason to
    // look for another value column.
    p.numeric = numbers > text;
    p.time_of_day = p.nonempty > 0 && times == p.nonempty;
    profile_integers(p, name, column == 0);
    if (!p.float_written) p.forms = common_forms(p.labels);
    p.written_date = !p.forms.empty() && std::any_of(p.labels.begin(), p.labels.end(), [](const std::string& l) {
                         return !is_integer_label(l);
                     });
    return p;
}

std::optional<std::string> suggest_date_format(const ColumnProfile& p)
{
    if (p.labels.empty()) return std::nullopt;
    for (const char* f : {"%y-%m", "%m-%y", "%y/%m", "%m/%y", "%y.%m", "%m.%y", "%Y.%m", "%m.%Y", "%d.%m.%y",
                          "%Y/%m/%d", "%d-%m-%y", "%b-%Y", "%Y %m"}) {
        const DateForm form = form_from_format(f);
        if (!std::all_of(p.labels.begin(), p.labels.end(), [&](const std::string& l) { return parse_label(l, form).has_value(); }))
            continue;
        const Instant t = *parse_label(p.first, form);
        return std::string("e.g. --date-format ") + f + " reads '" + p.first + "' as " +
               format_instant(t, form.resolution);
    }
    return std::nullopt;
}

std::optional<std::string> compose_label(const PeriodSpec& spec, const std::vector<std::string>& cells)
{
    if (spec.parts.empty() || spec.parts[0] == PeriodPart::date) {
        std::string label = cells[spec.columns[0]];
        long long hour = -1, minute = 0;
        for (std::size_t k = 1; k < spec.columns.size(); ++k) {
            const std::string& c = cells[spec.columns[k]];
            if (spec.parts[k] == PeriodPart::time) {
                if (!time_cell(c)) return std::nullopt;
                label += " " + c;
                continue;
            }
            const auto v = integer_value(c);
            if (!v) return std::nullopt;
            (spec.parts[k] == PeriodPart::hour ? hour : minute) = *v;
        }
        if (hour >= 0 || spec.columns.size() > 1) {
            if (hour < 0 && std::find(spec.parts.begin(), spec.parts.end(), PeriodPart::time) != spec.parts.end())
                return label;
            if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return std::nullopt;
            char buf[16];
            std::snprintf(buf, sizeof buf, " %02lld:%02lld", hour, minute);
            label += buf;
        }
        return label;
    }
    long long year = -1, quarter = 0, month = 0, day = 0, hour = -1, minute = 0;
    for (std::size_t k = 0; k < spec.columns.size(); ++k) {
        const auto v = integer_value(cells[spec.columns[k]]);
        if (!v) return std::nullopt;
        switch (spec.parts[k]) {
        case PeriodPart::year: year = *v; break;
        case PeriodPart::quarter: quarter = *v; break;
        case PeriodPart::month: month = *v; break;
        case PeriodPart::day: day = *v; break;
        case PeriodPart::hour: hour = *v; break;
        case PeriodPart::minute: minute = *v; break;
        default: return std::nullopt;
        }
    }
    if (year < 1 || year > 9999) return std::nullopt;
    char buf[40];
    if (spec.parts.size() == 1) {  // a year column alone (written "1964.0")
        std::snprintf(buf, sizeof buf, "%04lld", year);
        return buf;
    }
    if (quarter != 0) {
        if (quarter < 1 || quarter > 4) return std::nullopt;
        std::snprintf(buf, sizeof buf, "%04lld-Q%lld", year, quarter);
        return buf;
    }
    if (month < 1 || month > 12) return std::nullopt;
    const bool has_day = std::find(spec.parts.begin(), spec.parts.end(), PeriodPart::day) != spec.parts.end();
    if (!has_day) {
        std::snprintf(buf, sizeof buf, "%04lld-%02lld", year, month);
        return buf;
    }
    if (day < 1 || day > 31) return std::nullopt;
    if (hour < 0) {
        std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", year, month, day);
        return buf;
    }
    if (hour > 23 || minute < 0 || minute > 59) return std::nullopt;
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld", year, month, day, hour, minute);
    return buf;
}

}  // namespace elman
