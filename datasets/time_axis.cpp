#include "datasets/time_axis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

#include "core/error.hpp"

namespace elman {

namespace {

std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string where(const std::string& path, std::size_t line)
{
    return line ? path + ":" + std::to_string(line) : path;
}

std::string line_of(const RawRows& r, std::size_t i)
{
    return r.lines[i] ? "line " + std::to_string(r.lines[i]) : "an inserted row";
}

struct Reading {
    bool ordered = false;
    bool regular = false;
    std::int64_t missing = 0;
};

Reading evaluate(std::vector<Instant> t, const DateForm& form, bool sort)
{
    Reading r;
    if (sort) std::stable_sort(t.begin(), t.end());
    r.ordered = std::adjacent_find(t.begin(), t.end(), [](Instant a, Instant b) { return b <= a; }) == t.end();
    if (!r.ordered || t.size() < 2) {
        r.regular = r.ordered;
        return r;
    }
    const CalendarFit fit = fit_calendar(t, form.resolution, form.utc);
    r.regular = !fit.irregular;
    r.missing = fit.missing;
    return r;
}

// The reading of the dates to keep (an index into rows.forms).
std::size_t choose_reading(const std::string& path, const RawRows& rows, const CsvOptions& o,
                           std::vector<std::string>& notes)
{
    if (rows.forms.size() == 1) return 0;
    std::vector<Reading> readings;
    for (std::size_t f = 0; f < rows.forms.size(); ++f)
        readings.push_back(evaluate(rows.instants[f], rows.forms[f], o.sort));
    std::optional<std::size_t> best;
    bool tie = false;
    for (std::size_t f = 0; f < readings.size(); ++f) {
        if (!readings[f].regular) continue;
        if (!best || readings[f].missing < readings[*best].missing) {
            best = f;
            tie = false;
        } else if (readings[f].missing == readings[*best].missing) {
            tie = true;
        }
    }
    const std::string sample = rows.labels.empty() ? "" : rows.labels.front();
    if (best && tie)
        throw Error(path + ": cannot tell whether the dates are day first or month first: every label reads "
                           "both ways (" + quoted(sample) + " as " + rows.forms[0].format + " or " +
                    rows.forms[1].format + ") and both readings give a regular series; give --dayfirst or --date-format " +
                    rows.forms[0].format);
    if (!best) return 0;  // neither is in order and regular: the checks below say why, for the first
    notes.push_back("dates read as " + rows.forms[*best].format + (rows.forms[*best].day_first ? " (day first)" : " (month first)") +
                    ": the only reading of labels like " + quoted(sample) + " that gives a regular series" +
                    " (--date-format or --dayfirst to say so)");
    return *best;
}

void reorder(RawRows& r, const std::vector<std::size_t>& perm)
{
    auto apply = [&](auto& v) {
        auto copy = v;
        for (std::size_t i = 0; i < perm.size(); ++i) v[i] = std::move(copy[perm[i]]);
    };
    apply(r.labels);
    apply(r.lines);
    for (auto& column : r.values) apply(column);
    for (auto& t : r.instants) apply(t);
}

void check_order(const std::string& path, const RawRows& r, const std::vector<Instant>& t, bool ambiguous,
                 const std::string& duplicate_hint)
{
    const std::string other = ambiguous ? " (read month first; --dayfirst reads them day first)" : "";
    for (std::size_t i = 1; i < t.size(); ++i) {
        if (t[i] == t[i - 1])
            throw Error(where(path, r.lines[i]) + ": period " + quoted(r.labels[i]) + " repeats " + line_of(r, i - 1) +
                        "'s " + quoted(r.labels[i - 1]) + ": each period must appear once" + duplicate_hint);
        if (t[i] > t[i - 1]) continue;
        bool backwards = true;
        for (std::size_t k = 1; k < t.size() && backwards; ++k) backwards = t[k] < t[k - 1];
        if (backwards)
            throw Error(where(path, r.lines[i]) + ": the rows run backwards in time (" + quoted(r.labels[i]) +
                        " comes before " + line_of(r, i - 1) + "'s " + quoted(r.labels[i - 1]) + ")" + other +
                        "; --sort sorts them oldest first");
        throw Error(where(path, r.lines[i]) + ": period " + quoted(r.labels[i]) + " comes before " +
                    line_of(r, i - 1) + "'s " + quoted(r.labels[i - 1]) + other +
                    ": rows must be in time order (--sort sorts them)");
    }
}

// The calendar of a single row, from what its label writes.
Calendar single_row_calendar(const DateForm& f)
{
    Calendar c;
    c.resolution = f.resolution;
    c.utc = f.utc;
    if (f.resolution == Resolution::year) c = Calendar{CalendarUnit::month, 12, 1, false, f.resolution, f.utc};
    if (f.resolution == Resolution::quarter) c = Calendar{CalendarUnit::month, 3, 1, false, f.resolution, f.utc};
    if (f.resolution == Resolution::month) c = Calendar{CalendarUnit::month, 1, 1, false, f.resolution, f.utc};
    return c;
}

std::string gap_list(const RawRows& r, const CalendarFit& fit, const std::vector<Instant>& t)
{
    std::string s;
    const std::size_t shown = std::min<std::size_t>(fit.gaps.size(), 3);
    for (std::size_t g = 0; g < shown; ++g) {
        const Gap& gap = fit.gaps[g];
        const Instant next = advance(fit.calendar, t[gap.row - 1], 1);
        s += (g ? ", " : "") + std::to_string(gap.missing) + " after " + line_of(r, gap.row - 1) + " " +
             quoted(r.labels[gap.row - 1]) + " (from " + format_instant(next, fit.calendar.resolution, fit.calendar.utc) +
             ")";
    }
    if (fit.gaps.size() > shown) s += ", ...";
    return s;
}

// Inserts a row with missing values for every missing period.
void fill_gaps(RawRows& r, std::size_t form, const CalendarFit& fit)
{
    RawRows out;
    out.forms = {r.forms[form]};
    out.instants.resize(1);
    out.values.resize(r.values.size());
    const std::vector<Instant>& t = r.instants[form];
    std::size_t g = 0;
    for (std::size_t i = 0; i < r.size(); ++i) {
        if (g < fit.gaps.size() && fit.gaps[g].row == i) {
            for (std::int64_t k = 1; k <= fit.gaps[g].missing; ++k) {
                const Instant x = advance(fit.calendar, t[i - 1], k);
                out.labels.push_back(format_instant(x, fit.calendar.resolution, fit.calendar.utc));
                out.lines.push_back(0);
                out.instants[0].push_back(x);
                for (auto& column : out.values) column.push_back(std::numeric_limits<double>::quiet_NaN());
            }
            ++g;
        }
        out.labels.push_back(r.labels[i]);
        out.lines.push_back(r.lines[i]);
        out.instants[0].push_back(t[i]);
        for (std::size_t c = 0; c < r.values.size(); ++c) out.values[c].push_back(r.values[c][i]);
    }
    r = std::move(out);
}

void settle_gaps(const std::string& path, RawRows& rows, std::size_t form, const CalendarFit& fit,
                 const CsvOptions& o, std::vector<std::string>& notes)
{
    const std::vector<Instant>& t = rows.instants[form];
    const std::string name = frequency_name(fit.calendar);
    if (fit.irregular) {
        const std::size_t i = *fit.irregular;
        const std::string what = "period " + quoted(rows.labels[i]) + " is not a whole number of " + name +
                                 " steps after " + line_of(rows, i - 1) + "'s " + quoted(rows.labels[i - 1]);
        if (o.gaps != Gaps::keep)
            throw Error(where(path, rows.lines[i]) + ": " + what + " (the spacing of most rows): the periods are "
                        "irregular; --ignore-gaps keeps the rows as consecutive observations, --no-period numbers them");
        notes.push_back("irregular periods kept as consecutive observations (--ignore-gaps): " + what);
    }
    if (fit.missing == 0) return;
    const std::string list = gap_list(rows, fit, t);
    const std::string count = std::to_string(fit.missing) + (fit.missing == 1 ? " period" : " periods");
    const std::string holidays = fit.calendar.unit == CalendarUnit::business_day ? " (holidays?)" : "";
    if (o.gaps == Gaps::error)
        throw Error(path + ": the " + name + " series misses " + count + holidays + ": " + list +
                    "; --interpolate fills them by linear interpolation, --ignore-gaps keeps the rows as "
                    "consecutive observations");
    if (o.gaps == Gaps::keep) {
        notes.push_back("the " + name + " series misses " + count + holidays + " (" + list +
                        "); kept as consecutive observations (--ignore-gaps)");
        return;
    }
    notes.push_back("filled " + count + " missing from the " + name + " series by linear interpolation: " + list);
    fill_gaps(rows, form, fit);
}

}  // namespace

TimeAxis settle_time_axis(const std::string& path, RawRows& rows, const PeriodSpec& period, const CsvOptions& o,
                          const std::string& duplicate_hint, std::vector<std::string>& notes)
{
    TimeAxis axis;
    axis.period_column = period.name;
    const std::optional<Calendar> given =
        o.frequency.empty() ? std::nullopt : std::make_optional(parse_frequency(o.frequency));
    if (period.kind != PeriodKind::dates) {
        axis.index = period.kind == PeriodKind::index;
        if (given) {
            axis.calendar = *given;
            axis.frequency_source = Source::given;
        }
        return axis;
    }
    std::size_t form = choose_reading(path, rows, o, notes);
    if (o.sort) {
        std::vector<std::size_t> perm(rows.size());
        std::iota(perm.begin(), perm.end(), std::size_t(0));
        const auto& t = rows.instants[form];
        std::stable_sort(perm.begin(), perm.end(), [&](std::size_t a, std::size_t b) { return t[a] < t[b]; });
        if (!std::is_sorted(perm.begin(), perm.end())) {
            reorder(rows, perm);
            notes.push_back("rows sorted by time (--sort)");
        }
    }
    const DateForm& f = rows.forms[form];
    check_order(path, rows, rows.instants[form], f.ambiguous && rows.forms.size() > 1, duplicate_hint);
    axis.date_format = f.format;
    axis.frequency_source = Source::inferred;
    if (rows.size() < 2) {
        axis.calendar = single_row_calendar(f);
    } else {
        const CalendarFit fit = fit_calendar(rows.instants[form], f.resolution, f.utc);
        axis.calendar = fit.calendar;
        settle_gaps(path, rows, form, fit, o, notes);
        if (o.gaps == Gaps::interpolate && fit.missing > 0) form = 0;  // fill_gaps kept only the chosen form
    }
    if (given) {
        if (axis.calendar.known() && (given->unit != axis.calendar.unit || given->step != axis.calendar.step))
            throw Error(path + ": --frequency " + o.frequency + " (" + frequency_name(*given) + ") but the dates in " +
                        quoted(period.name) + " are " + frequency_name(axis.calendar));
        axis.frequency_source = Source::given;
    }
    axis.instants = rows.instants[form];
    return axis;
}

}  // namespace elman
