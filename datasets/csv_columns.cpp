#include "datasets/csv_columns.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "datasets/csv_cells.hpp"
#include "datasets/csv_profile.hpp"

namespace elman {

namespace {

std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string join(const std::vector<std::string>& names)
{
    std::string s;
    for (std::size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
    return s;
}

[[noreturn]] void fail(const std::string& path, std::size_t line, const std::string& what)
{
    throw Error(path + ":" + std::to_string(line) + ": " + what);
}

// The note for integer period columns written as decimals ("1964.0"), or "" when none is.
std::string float_note(const std::vector<std::string>& header, const std::vector<ColumnProfile>& profiles,
                       const std::vector<std::size_t>& cols)
{
    std::vector<std::string> names;
    std::string example;
    for (std::size_t c : cols)
        if (profiles[c].float_written) {
            names.push_back(quoted(header[c]));
            if (example.empty()) example = quoted(profiles[c].first);
        }
    if (names.empty()) return "";
    return "column" + std::string(names.size() > 1 ? "s " : " ") + join(names) + " hold" +
           (names.size() > 1 ? "" : "s") + " whole numbers written as decimals (" + example +
           ", as pandas writes an integer column that had a missing value): read as integers";
}

// A year column alone, written "1964.0": yearly periods "1964".
PeriodSpec float_year(const std::vector<std::string>& header, const std::vector<ColumnProfile>& profiles,
                      std::size_t c)
{
    PeriodSpec spec;
    spec.kind = PeriodKind::dates;
    spec.columns = {c};
    spec.parts = {PeriodPart::year};
    spec.notes.push_back(float_note(header, profiles, {c}));
    return spec;
}

std::size_t find_column(const std::string& path, const std::vector<std::string>& header, const std::string& name,
                        const char* what)
{
    for (std::size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return i;
    fail(path, 1, std::string("no ") + what + " '" + name + "'; available columns: " + join(header));
}

// "'Month' (line 2: '1-01')" and a --date-format example that reads every sample label.
std::string not_a_period(const std::string& path, const std::vector<std::string>& header,
                         const std::vector<ColumnProfile>& profiles, std::size_t c, std::size_t line)
{
    const ColumnProfile& p = profiles[c];
    std::string msg = path + ":" + std::to_string(line) + ":" + std::to_string(c + 1) + ": column " +
                      quoted(header[c]) + ": " + quoted(p.first) +
                      " is neither a date elman reads (2019-01-31, 01/31/2019, Jan 2020, 2019-Q1, ...) nor a "
                      "plain row index; give its form with --date-format";
    if (const auto s = suggest_date_format(p)) msg += " (" + *s + ")";
    if (p.float_written)
        return msg + "; its whole numbers are written as decimals (as pandas writes an integer column that had a "
                     "missing value): columns named year, quarter, month, day, hour are read as such, e.g. "
                     "--period-column year,month; else give --no-period to number the rows";
    return msg + ", the period columns with --period-column, or --no-period to number the rows";
}

// A date column followed by time-of-day parts (hour, minute or hh:mm cells).
PeriodSpec combine_date_and_time(const std::string& path, const std::vector<std::string>& header,
                                 const std::vector<ColumnProfile>& profiles, const std::vector<std::size_t>& cols)
{
    PeriodSpec spec;
    spec.kind = PeriodKind::dates;
    spec.columns = cols;
    spec.parts.push_back(PeriodPart::date);
    for (std::size_t k = 1; k < cols.size(); ++k) {
        const ColumnProfile& p = profiles[cols[k]];
        std::optional<PeriodPart> part = p.part;
        if (p.time_of_day) part = PeriodPart::time;
        if (!part || (*part != PeriodPart::hour && *part != PeriodPart::minute && *part != PeriodPart::time))
            part = k == 1 ? PeriodPart::hour : PeriodPart::minute;
        if (*part != PeriodPart::time && !p.integer)
            fail(path, 1, "--period-column: column " + quoted(header[cols[k]]) + " after the date column " +
                              quoted(header[cols[0]]) + " must hold hours (0-23), minutes or times like 13:30, found " +
                              quoted(p.first));
        spec.parts.push_back(*part);
    }
    return spec;
}

// Integer year, quarter or month, day, hour, minute columns; parts by name, else by position.
PeriodSpec combine_parts(const std::string& path, const std::vector<std::string>& header,
                         const std::vector<ColumnProfile>& profiles, const std::vector<std::size_t>& cols)
{
    PeriodSpec spec;
    spec.kind = PeriodKind::dates;
    spec.columns = cols;
    std::vector<std::optional<PeriodPart>> parts;
    for (std::size_t c : cols) {
        if (!profiles[c].integer)
            fail(path, 1, "--period-column: column " + quoted(header[c]) + " holds " + quoted(profiles[c].first) +
                              ", expected integers (year, quarter, month, day, hour, minute) or dates in the first "
                              "named column");
        parts.push_back(profiles[c].part);
    }
    const PeriodPart order[] = {PeriodPart::year, PeriodPart::month, PeriodPart::day, PeriodPart::hour,
                                PeriodPart::minute};
    for (auto& part : parts) {
        if (part) continue;
        for (PeriodPart o : order)
            if (std::find(parts.begin(), parts.end(), std::optional<PeriodPart>(o)) == parts.end()) {
                part = o;
                break;
            }
    }
    auto has = [&](PeriodPart p) { return std::find(parts.begin(), parts.end(), std::optional<PeriodPart>(p)) != parts.end(); };
    const bool ok = has(PeriodPart::year) && (has(PeriodPart::month) || has(PeriodPart::quarter)) &&
                    !(has(PeriodPart::quarter) && (has(PeriodPart::month) || has(PeriodPart::day))) &&
                    (!has(PeriodPart::hour) || has(PeriodPart::day)) && (!has(PeriodPart::minute) || has(PeriodPart::hour)) &&
                    std::all_of(parts.begin(), parts.end(), [](const auto& p) { return p.has_value(); });
    std::vector<std::string> names;
    for (std::size_t c : cols) names.push_back(header[c]);
    if (!ok)
        fail(path, 1, "--period-column " + join(names) +
                          ": cannot tell which column is the year, month (or quarter), day, hour and minute; "
                          "name them so (year, month, day, hour) or list them in that order");
    for (const auto& p : parts) spec.parts.push_back(*p);
    if (const std::string note = float_note(header, profiles, cols); !note.empty()) spec.notes.push_back(note);
    return spec;
}

// The period columns named by the options.
PeriodSpec named_period(const std::string& path, const std::vector<std::string>& header,
                        const std::vector<ColumnProfile>& profiles, const CsvOptions& o)
{
    std::vector<std::size_t> cols;
    for (const auto& name : o.period_columns) cols.push_back(find_column(path, header, name, "period column"));
    for (std::size_t i = 0; i < cols.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (cols[i] == cols[j]) fail(path, 1, "--period-column names column " + quoted(header[cols[i]]) + " twice");
    const ColumnProfile& first = profiles[cols[0]];
    if (cols.size() == 1) {
        PeriodSpec spec;
        spec.columns = cols;
        spec.parts = {PeriodPart::date};
        if (o.date_format.empty() && first.float_written && first.part == PeriodPart::year)
            return float_year(header, profiles, cols[0]);
        if (!o.date_format.empty() || !first.forms.empty())
            spec.kind = PeriodKind::dates;
        else if (first.index || first.integer)
            spec.kind = PeriodKind::index;
        else
            throw Error(not_a_period(path, header, profiles, cols[0], first.first_line));
        return spec;
    }
    if (!first.forms.empty() && !first.integer) return combine_date_and_time(path, header, profiles, cols);
    return combine_parts(path, header, profiles, cols);
}

// Year and month (or quarter) columns named so, with day, hour and minute when present.
std::optional<std::vector<std::size_t>> named_parts(const std::vector<ColumnProfile>& profiles)
{
    std::vector<std::size_t> cols;
    for (PeriodPart want : {PeriodPart::year, PeriodPart::quarter, PeriodPart::month, PeriodPart::day,
                            PeriodPart::hour, PeriodPart::minute})
        for (std::size_t c = 0; c < profiles.size(); ++c)
            if (profiles[c].part == want && profiles[c].integer && profiles[c].nonempty > 0) {
                cols.push_back(c);
                break;
            }
    if (cols.size() < 2 || profiles[cols[0]].part != PeriodPart::year) return std::nullopt;
    return cols;
}

PeriodSpec found_period(const std::string& path, const std::vector<std::string>& header,
                        const std::vector<ColumnProfile>& profiles, const std::vector<std::size_t>& excluded)
{
    auto skip = [&](std::size_t c) { return std::find(excluded.begin(), excluded.end(), c) != excluded.end(); };
    // The first column, or the first after the id column of a long file (unique_id, ds, y).
    std::size_t first = 0;
    while (first + 1 < profiles.size() && skip(first)) ++first;
    PeriodSpec spec;
    spec.parts = {PeriodPart::date};
    if (!profiles[first].forms.empty()) {
        spec.kind = PeriodKind::dates;
        spec.columns = {first};
        return spec;
    }
    for (std::size_t c = first + 1; c < profiles.size(); ++c)
        if (profiles[c].written_date && !skip(c)) {
            spec.kind = PeriodKind::dates;
            spec.columns = {c};
            spec.notes.push_back("the periods are column " + std::to_string(c + 1) + " " + quoted(header[c]) +
                                 ", which holds dates; column " + std::to_string(first + 1) + " " +
                                 quoted(header[first]) + (profiles[first].index ? " is a row index" : " holds no dates") +
                                 " (name another with --period-column)");
            return spec;
        }
    if (const auto cols = named_parts(profiles)) {
        spec = combine_parts(path, header, profiles, *cols);
        std::vector<std::string> names;
        for (std::size_t c : *cols) names.push_back(header[c]);
        spec.notes.push_back("the periods combine columns " + join(names) + " (name others with --period-column)");
        return spec;
    }
    if (profiles[first].float_written && profiles[first].part == PeriodPart::year)
        return float_year(header, profiles, first);
    if (profiles[first].index) {
        spec.kind = PeriodKind::index;
        spec.columns = {first};
        return spec;
    }
    if (header.size() - excluded.size() == 1) {
        spec.kind = PeriodKind::none;
        spec.parts.clear();
        return spec;
    }
    throw Error(not_a_period(path, header, profiles, first, profiles[first].first_line));
}

std::string cells_shown(const std::vector<std::string>& cells)
{
    std::vector<std::string> q;
    for (std::size_t i = 0; i < cells.size() && i < 8; ++i) q.push_back(quoted(cells[i]));
    if (cells.size() > 8) q.push_back("...");
    return std::to_string(cells.size()) + (cells.size() == 1 ? " cell (" : " cells (") + join(q) + ")";
}

std::vector<std::size_t> default_values(const std::string& path, const std::vector<std::string>& header,
                                        const std::vector<ColumnProfile>& profiles, const PeriodSpec& period,
                                        const std::vector<std::size_t>& excluded, const Dialect& dialect,
                                        const std::vector<std::vector<std::string>>& rows)
{
    std::vector<std::size_t> out, others;
    for (std::size_t c = 0; c < header.size(); ++c) {
        if (std::find(period.columns.begin(), period.columns.end(), c) != period.columns.end()) continue;
        if (std::find(excluded.begin(), excluded.end(), c) != excluded.end()) continue;
        // Row ids, and integer columns named as parts of a date (year, month, hour...), are
        // no values to forecast.
        if (profiles[c].index || (profiles[c].part && profiles[c].integer)) continue;
        others.push_back(c);
        if (profiles[c].numeric) out.push_back(c);
    }
    if (!out.empty()) return out;
    // A single other column is the value column even when its first cells are no numbers:
    // the reader then names its bad cells.
    if (others.size() == 1) return others;
    std::string what = "no numeric value column";
    if (!period.columns.empty()) what += " besides the period column " + quoted(period.name);
    what += ": the header holds " + cells_shown(header);
    if (!rows.empty()) what += " and the first data row " + cells_shown(rows[0]);
    what += ", split at " + delimiter_name(dialect.delimiter) + "; give the delimiter with --delimiter or the column with --column";
    fail(path, 1, what);
}

void check_not_period(const std::string& path, const std::vector<std::string>& header, const PeriodSpec& period,
                      std::size_t c)
{
    if (std::find(period.columns.begin(), period.columns.end(), c) != period.columns.end())
        fail(path, 1, "column " + std::to_string(c + 1) + " " + quoted(header[c]) +
                          " is the period column; choose another value column with --column");
}

std::vector<std::size_t> value_columns(const std::string& path, const std::vector<std::string>& header,
                                       const std::vector<ColumnProfile>& profiles, const PeriodSpec& period,
                                       const std::vector<std::size_t>& excluded, const CsvOptions& o, const Dialect& dialect,
                                       const std::vector<std::string>& named, bool frame,
                                       const std::vector<std::vector<std::string>>& rows)
{
    std::vector<std::size_t> out;
    if (!named.empty()) {
        for (const auto& name : named) out.push_back(find_column(path, header, name, "column"));
    } else if (!frame && o.column_index) {
        if (*o.column_index >= header.size())
            fail(path, 1, "no column with index " + std::to_string(*o.column_index) + " (0-based); the file has " +
                              std::to_string(header.size()) + " columns: " + join(header));
        out.push_back(*o.column_index);
    } else {
        out = default_values(path, header, profiles, period, excluded, dialect, rows);
        if (!frame && out.size() > 1) {
            std::vector<std::string> names;
            for (std::size_t c : out) names.push_back(header[c]);
            fail(path, 1, "several value columns (" + join(names) + "); choose one with --column");
        }
    }
    for (std::size_t c : out) {
        check_not_period(path, header, period, c);
        if (std::find(excluded.begin(), excluded.end(), c) != excluded.end())
            fail(path, 1, "column " + quoted(header[c]) + " is " +
                              (o.id_column == header[c] ? "the id column (--id-column)" : "a covariate (--covariates)") +
                              "; it cannot also be a value column");
    }
    return out;
}

// The id and covariate columns the options name, checked against the header and each other.
void special_columns(const std::string& path, const std::vector<std::string>& header, const CsvOptions& o,
                     ColumnPlan& plan)
{
    if (!o.id_column.empty()) plan.id = find_column(path, header, o.id_column, "id column");
    for (const auto& name : o.covariates) {
        const std::size_t c = find_column(path, header, name, "covariate column");
        if (plan.id && c == *plan.id) fail(path, 1, "column " + quoted(name) + " is the id column; it cannot be a covariate");
        if (std::find(plan.covariates.begin(), plan.covariates.end(), c) != plan.covariates.end())
            fail(path, 1, "--covariates names column " + quoted(name) + " twice");
        plan.covariates.push_back(c);
    }
}

}  // namespace

ColumnPlan plan_columns(const std::string& path, const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows, const std::vector<std::size_t>& lines,
                        const CsvOptions& o, const Dialect& dialect, const std::vector<std::string>& named_values,
                        bool frame)
{
    if (!frame && !o.column.empty() && o.column_index)
        throw Error("load_csv: give the value column by name or by index, not both");
    std::vector<ColumnProfile> profiles;
    for (std::size_t c = 0; c < header.size(); ++c)
        profiles.push_back(profile_column(header[c], rows, lines, c, dialect.decimal, o.na_values));
    ColumnPlan plan;
    special_columns(path, header, o, plan);
    std::vector<std::size_t> excluded = plan.covariates;
    if (plan.id) {
        excluded.push_back(*plan.id);
        // Ids are no periods and no parts of one, whatever they look like (1, 1, 2, 2 or 2019-01).
        profiles[*plan.id].forms.clear();
        profiles[*plan.id].written_date = profiles[*plan.id].index = false;
        profiles[*plan.id].part.reset();
    }
    if (!o.has_period)
        plan.period.kind = PeriodKind::none;
    else if (!o.period_columns.empty())
        plan.period = named_period(path, header, profiles, o);
    else if (!o.date_format.empty())
        plan.period = PeriodSpec{PeriodKind::dates, {0}, {PeriodPart::date}, {}, "", "", {}};
    else
        plan.period = found_period(path, header, profiles, excluded);
    for (std::size_t k = 0; k < plan.period.columns.size(); ++k)
        plan.period.name += (k ? " + " : "") + header[plan.period.columns[k]];
    std::vector<std::string> named = named_values;
    if (!frame && !o.column.empty()) named = {o.column};
    for (std::size_t c : excluded)
        if (std::find(plan.period.columns.begin(), plan.period.columns.end(), c) != plan.period.columns.end())
            fail(path, 1, "column " + quoted(header[c]) + " is the period column; it cannot be " +
                              (plan.id && c == *plan.id ? "the id column" : "a covariate"));
    plan.values = value_columns(path, header, profiles, plan.period, excluded, o, dialect, named, frame, rows);
    return plan;
}

}  // namespace elman
