#include "datasets/csv.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <string_view>
#include <system_error>

#include "core/error.hpp"

namespace elman {

namespace {

std::string quoted(std::string_view s)
{
    constexpr std::size_t max_shown = 40;
    if (s.size() > max_shown) return "'" + std::string(s.substr(0, max_shown)) + "...'";
    return "'" + std::string(s) + "'";
}

std::string join(const std::vector<std::string>& names)
{
    std::string s;
    for (std::size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
    return s;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Reads one physical line at a time and knows where it is, for "FILE:LINE:COLUMN:" messages.
class Reader {
public:
    explicit Reader(const std::string& path) : path_(path), in_(path)
    {
        if (!in_) throw Error(path + ": cannot open file");
    }

    // The next line without its line end (LF or CRLF); a leading UTF-8 BOM is dropped.
    bool next(std::string& line)
    {
        if (!std::getline(in_, line)) return false;
        ++line_;
        if (line_ == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return true;
    }

    std::size_t line() const { return line_; }
    const std::string& path() const { return path_; }

    [[noreturn]] void fail(std::size_t line, const std::string& what) const
    {
        throw Error(path_ + ":" + std::to_string(line) + ": " + what);
    }
    [[noreturn]] void fail(std::size_t line, std::size_t column0, const std::string& name,
                           const std::string& what) const
    {
        throw Error(path_ + ":" + std::to_string(line) + ":" + std::to_string(column0 + 1) +
                    ": column '" + name + "': " + what);
    }

    // Splits a line into cells at commas. A cell may be enclosed in double quotes (then it may
    // hold commas, and "" stands for one quote); spaces and tabs around a cell are dropped.
    void split(const std::string& line, std::vector<std::string>& cells) const
    {
        cells.clear();
        std::size_t i = 0;
        while (true) {
            std::string cell;
            std::size_t j = i;
            while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
            if (j < line.size() && line[j] == '"') {
                ++j;
                while (true) {
                    if (j >= line.size())
                        fail(line_, cells.size(), "#" + std::to_string(cells.size() + 1),
                             "unterminated double quote, expected a closing '\"'");
                    if (line[j] == '"') {
                        if (j + 1 < line.size() && line[j + 1] == '"') {
                            cell += '"';
                            j += 2;
                            continue;
                        }
                        ++j;
                        break;
                    }
                    cell += line[j++];
                }
                while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
                if (j < line.size() && line[j] != ',')
                    fail(line_, cells.size(), "#" + std::to_string(cells.size() + 1),
                         "found " + quoted(line.substr(j)) +
                             " after a closing quote, expected ',' or the end of the line");
            } else {
                const std::size_t comma = line.find(',', i);
                j = comma == std::string::npos ? line.size() : comma;
                cell = std::string(trim(std::string_view(line).substr(i, j - i)));
            }
            cells.push_back(std::move(cell));
            if (j >= line.size()) return;
            i = j + 1;
        }
    }

private:
    std::string path_;
    std::ifstream in_;
    std::size_t line_ = 0;
};

struct Columns {
    std::vector<std::string> header;
    std::optional<std::size_t> period;  // index into header
    std::vector<std::size_t> values;    // indices into header
};

std::size_t find_column(const Reader& r, const std::vector<std::string>& header,
                        const std::string& name, const char* what)
{
    for (std::size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return i;
    r.fail(1, std::string("no ") + what + " '" + name + "'; available columns: " + join(header));
}

std::vector<std::string> read_header(Reader& r)
{
    std::string line;
    if (!r.next(line)) throw Error(r.path() + ":1: empty file, expected a header row");
    std::vector<std::string> header;
    r.split(line, header);
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (header[i].empty())
            r.fail(1, i, "#" + std::to_string(i + 1), "empty column name in the header");
        for (std::size_t j = 0; j < i; ++j)
            if (header[j] == header[i])
                r.fail(1, i, header[i],
                       "duplicate column name (also column " + std::to_string(j + 1) + ")");
    }
    return header;
}

std::optional<std::size_t> resolve_period(const Reader& r, const std::vector<std::string>& header,
                                          const CsvOptions& o)
{
    if (!o.has_period) return std::nullopt;
    if (o.period_column.empty()) return 0;
    return find_column(r, header, o.period_column, "period column");
}

// A value cell: a finite double, or NaN standing for a missing cell when interpolating.
double parse_value(const Reader& r, const std::string& cell, std::size_t col,
                   const std::string& name, Missing missing)
{
    const char* hint = " (or load with missing = Missing::interpolate)";
    double v = 0.0;
    if (cell.empty()) {
        if (missing == Missing::interpolate) return std::numeric_limits<double>::quiet_NaN();
        r.fail(r.line(), col, name, std::string("found an empty cell, expected a number") + hint);
    }
    const char* first = cell.data();
    const char* last = first + cell.size();
    const auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec == std::errc::result_out_of_range)
        r.fail(r.line(), col, name, "found " + quoted(cell) + ", out of the range of a double");
    if (ec != std::errc() || ptr != last)
        r.fail(r.line(), col, name, "found " + quoted(cell) + ", expected a number");
    if (!std::isfinite(v)) {
        if (missing == Missing::interpolate) return std::numeric_limits<double>::quiet_NaN();
        r.fail(r.line(), col, name, "found " + quoted(cell) + ", expected a finite number" + hint);
    }
    return v;
}

// Checks the period labels as they come: the first row fixes the format, later rows follow it
// in increasing order (consecutive for yearly, quarterly and monthly data).
class PeriodChecker {
public:
    void check(const Reader& r, const std::string& cell, std::size_t col, const std::string& name)
    {
        const auto p = parse_period(cell);
        if (rows_++ == 0) {
            if (p) {
                frequency_ = p->frequency;
                last_ = *p;
            }
            first_ = cell;
            return;
        }
        if (frequency_ == Frequency::unknown) return;
        if (!p || p->frequency != frequency_)
            r.fail(r.line(), col, name,
                   "found " + quoted(cell) + ", expected a " + to_string(frequency_) +
                       " period " + period_format(frequency_) + " like the first row's " +
                       quoted(first_));
        const bool gaps_allowed = frequency_ == Frequency::daily;
        if (p->ordinal <= last_.ordinal)
            r.fail(r.line(), col, name,
                   "found " + quoted(cell) + ", expected a period after " +
                       quoted(format_period(last_)) + " (rows must be in time order)");
        if (!gaps_allowed && p->ordinal != last_.ordinal + 1)
            r.fail(r.line(), col, name,
                   "found " + quoted(cell) + ", expected " +
                       quoted(format_period(advance(last_, 1))) + " (no gaps allowed)");
        last_ = *p;
    }
    Frequency frequency() const { return frequency_; }

private:
    std::size_t rows_ = 0;
    Frequency frequency_ = Frequency::unknown;
    Period last_;
    std::string first_;
};

// Linear interpolation over the NaN runs of v; lines[t] is the file line of v[t].
void interpolate(const Reader& r, std::vector<double>& v, const std::vector<std::size_t>& lines,
                 std::size_t col, const std::string& name)
{
    const std::size_t n = v.size();
    std::size_t t = 0;
    while (t < n) {
        if (!std::isnan(v[t])) {
            ++t;
            continue;
        }
        std::size_t end = t;
        while (end < n && std::isnan(v[end])) ++end;
        if (t == 0)
            r.fail(lines[0], col, name,
                   "missing value at the start of the series, cannot interpolate");
        if (end == n)
            r.fail(lines[n - 1], col, name,
                   "missing value at the end of the series, cannot interpolate");
        // v[k] = (1 − w)·v[a] + w·v[b], w = (k − a)/(b − a), for a = t−1 < k < b = end.
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

Frame read_frame(Reader& r, const Columns& c, const CsvOptions& o)
{
    Frame f;
    for (std::size_t i : c.values) f.columns.push_back(c.header[i]);
    f.values.resize(c.values.size());
    std::vector<std::size_t> lines;
    PeriodChecker periods;
    std::string line;
    std::vector<std::string> cells;
    std::size_t blank_line = 0;
    while (r.next(line)) {
        if (trim(line).empty()) {
            if (blank_line == 0) blank_line = r.line();
            continue;
        }
        if (blank_line != 0) r.fail(blank_line, "empty line between data rows");
        r.split(line, cells);
        const std::size_t want = c.header.size();
        if (cells.size() < want)
            r.fail(r.line(), cells.size(), c.header[cells.size()],
                   "missing cell: the row has " + std::to_string(cells.size()) +
                       " cells, the header " + std::to_string(want));
        if (cells.size() > want)
            r.fail(r.line(), want, "#" + std::to_string(want + 1),
                   "extra cell " + quoted(cells[want]) + ": the row has " +
                       std::to_string(cells.size()) + " cells, the header " + std::to_string(want));
        if (c.period) {
            periods.check(r, cells[*c.period], *c.period, c.header[*c.period]);
            f.periods.push_back(cells[*c.period]);
        } else {
            f.periods.push_back(std::to_string(lines.size()));
        }
        for (std::size_t k = 0; k < c.values.size(); ++k)
            f.values[k].push_back(
                parse_value(r, cells[c.values[k]], c.values[k], c.header[c.values[k]], o.missing));
        lines.push_back(r.line());
    }
    if (lines.empty()) throw Error(r.path() + ":2: no data rows after the header");
    if (o.missing == Missing::interpolate)
        for (std::size_t k = 0; k < c.values.size(); ++k)
            interpolate(r, f.values[k], lines, c.values[k], c.header[c.values[k]]);
    f.frequency = periods.frequency();
    f.season = season_length(f.frequency);
    return f;
}

}  // namespace

Series Frame::column(const std::string& name) const
{
    for (std::size_t k = 0; k < columns.size(); ++k)
        if (columns[k] == name) return Series{name, periods, values[k], frequency, season};
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
                throw Error("Frame::matrix: no column '" + name + "'; available columns: " +
                            join(columns));
            idx.push_back(k);
        }
    }
    Tensor<double> m = Tensor<double>::from_shape({size(), idx.size()});
    for (std::size_t t = 0; t < size(); ++t)
        for (std::size_t j = 0; j < idx.size(); ++j) m(t, j) = values[idx[j]][t];
    return m;
}

Series load_csv(const std::string& path, const CsvOptions& options)
{
    Reader r(path);
    Columns c;
    c.header = read_header(r);
    c.period = resolve_period(r, c.header, options);
    if (!options.column.empty() && options.column_index)
        throw Error("load_csv: give the value column by name or by index, not both");
    if (!options.column.empty()) {
        c.values.push_back(find_column(r, c.header, options.column, "column"));
    } else if (options.column_index) {
        if (*options.column_index >= c.header.size())
            r.fail(1, "no column with index " + std::to_string(*options.column_index) +
                          " (0-based); the file has " + std::to_string(c.header.size()) +
                          " columns: " + join(c.header));
        c.values.push_back(*options.column_index);
    } else {
        std::vector<std::string> candidates;
        for (std::size_t i = 0; i < c.header.size(); ++i)
            if (i != c.period) {
                c.values.push_back(i);
                candidates.push_back(c.header[i]);
            }
        if (c.values.size() != 1)
            r.fail(1, candidates.empty()
                          ? "no value column besides the period column"
                          : "several value columns (" + join(candidates) + "); choose one by name");
    }
    if (c.period && c.values[0] == *c.period)
        r.fail(1, c.values[0], c.header[c.values[0]],
               "the value column is also the period column");
    Frame f = read_frame(r, c, options);
    return Series{f.columns[0], std::move(f.periods), std::move(f.values[0]), f.frequency,
                  f.season};
}

Frame load_csv_frame(const std::string& path, const std::vector<std::string>& columns,
                     const CsvOptions& options)
{
    Reader r(path);
    Columns c;
    c.header = read_header(r);
    c.period = resolve_period(r, c.header, options);
    if (columns.empty()) {
        for (std::size_t i = 0; i < c.header.size(); ++i)
            if (i != c.period) c.values.push_back(i);
        if (c.values.empty()) r.fail(1, "no value column besides the period column");
    } else {
        for (const auto& name : columns) {
            const std::size_t i = find_column(r, c.header, name, "column");
            if (i == c.period)
                r.fail(1, i, name, "the value column is also the period column");
            c.values.push_back(i);
        }
    }
    return read_frame(r, c, options);
}

}  // namespace elman
