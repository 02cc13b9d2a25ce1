// The stages of reading a CSV file's rows (datasets/csv_rows.hpp).
#include "datasets/csv_rows.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "core/error.hpp"
#include "datasets/csv_cells.hpp"
#include "datasets/csv_headerless.hpp"
#include "datasets/csv_profile.hpp"

namespace elman::detail {

namespace {

constexpr std::size_t sample_rows = 100;
// Footers are a few lines of notes; more non-data rows at the end are an error at the first.
constexpr std::size_t max_footer_lines = 20;
constexpr double missing_value = std::numeric_limits<double>::quiet_NaN();

std::string loc(const std::string& path, std::size_t line) { return path + ":" + std::to_string(line); }

// A row that is not data: kept until a data row follows (then it is an error) or the file ends
// (then it is a footer).
struct NonData {
    std::size_t line = 0;
    std::string text, error;
};

class RowReader {
public:
    RowReader(CsvRecords& records, const Layout& layout, const CsvOptions& o, FileRows& out)
        : r_(records), l_(layout), o_(o), rows_(out.rows), ids_(out.ids), missing_(out.missing)
    {
        rows_.values.resize(layout.plan.values.size() + layout.plan.covariates.size());
    }

    void read(std::vector<std::string>& notes);

private:
    std::optional<std::string> period_problem(const std::string& label, std::vector<Instant>& parsed, std::size_t line);
    bool starts_with_period(const std::vector<std::string>& cells);
    void add_row(const std::vector<std::string>& cells, std::string& label, std::vector<Instant>& parsed,
                 std::size_t line);

    CsvRecords& r_;
    const Layout& l_;
    const CsvOptions& o_;
    RawRows& rows_;
    std::vector<std::string>& ids_;
    std::vector<MissingCell>& missing_;
    std::vector<NonData> pending_;
    // The label that ruled out a reading of the dates (a day above 12), for a note.
    std::string eliminated_by_, eliminated_form_;
    std::size_t eliminated_line_ = 0;
    ThousandsEvidence thousands_;
};

// Why `label` is no period like the rows before, or nullopt with its instant for each form.
std::optional<std::string> RowReader::period_problem(const std::string& label, std::vector<Instant>& parsed,
                                                    std::size_t line)
{
    const PeriodSpec& p = l_.plan.period;
    if (p.kind == PeriodKind::index)
        return is_integer_label(label) ? std::nullopt
                                       : std::make_optional("period " + shown_cell(label) + " is not an integer index");
    if (p.kind != PeriodKind::dates) return std::nullopt;
    const bool strict = o_.date_format.empty();
    const std::vector<DateForm> shapes = strict ? label_forms(label) : std::vector<DateForm>{};
    parsed.assign(rows_.forms.size(), 0);
    std::vector<bool> ok(rows_.forms.size(), false);
    for (std::size_t f = 0; f < rows_.forms.size(); ++f) {
        if (strict && std::find(shapes.begin(), shapes.end(), rows_.forms[f]) == shapes.end()) continue;
        if (const auto t = parse_label(label, rows_.forms[f])) {
            parsed[f] = *t;
            ok[f] = true;
        }
    }
    if (std::none_of(ok.begin(), ok.end(), [](bool b) { return b; }))
        return "period " + shown_cell(label) + " is not a date in the form " +
               (rows_.size() == 0 ? "sniffed from the first rows (" : "of the rows before (") + shown_cell(p.sample) +
               ", " + rows_.forms.front().format + ")";
    for (std::size_t f = rows_.forms.size(); f-- > 0;) {
        if (ok[f]) continue;
        if (eliminated_by_.empty()) {
            eliminated_by_ = label;
            eliminated_form_ = rows_.forms[f].format;
            eliminated_line_ = line;
        }
        rows_.forms.erase(rows_.forms.begin() + static_cast<std::ptrdiff_t>(f));
        rows_.instants.erase(rows_.instants.begin() + static_cast<std::ptrdiff_t>(f));
        parsed.erase(parsed.begin() + static_cast<std::ptrdiff_t>(f));
    }
    return std::nullopt;
}

// Whether the cells hold a period like the rows before (when they hold the period columns).
bool RowReader::starts_with_period(const std::vector<std::string>& cells)
{
    const PeriodSpec& p = l_.plan.period;
    if (p.kind == PeriodKind::none) return false;
    for (std::size_t c : p.columns)
        if (c >= cells.size()) return false;
    const auto label = compose_label(p, cells);
    if (!label) return false;
    if (p.kind == PeriodKind::index) return is_integer_label(*label);
    for (const DateForm& f : rows_.forms)
        if (parse_label(*label, f)) return true;
    return false;
}

void RowReader::add_row(const std::vector<std::string>& cells, std::string& label,
                        std::vector<Instant>& parsed, std::size_t line)
{
    const std::size_t row = rows_.size();
    const std::size_t n_values = l_.plan.values.size();
    for (std::size_t k = 0; k < rows_.values.size(); ++k) {
        const std::size_t c = k < n_values ? l_.plan.values[k] : l_.plan.covariates[k - n_values];
        const std::string& cell = cells[c];
        const CellValue v = parse_cell(cell, l_.dialect.decimal, o_.na_values);
        // In a long file the series too, so that the user finds the row among many series.
        const std::string series = l_.plan.id ? " of series " + shown_cell(cells[*l_.plan.id]) : "";
        const std::string at =
            loc(r_.path(), line) + ":" + std::to_string(c + 1) + ": column '" + l_.header[c] + "'" + series + ": ";
        switch (v.kind) {
        case CellKind::number:
            rows_.values[k].push_back(v.value);
            if (l_.dialect.decimal == '.' && !o_.decimal) thousands_.see(cell, line);
            continue;
        case CellKind::missing:
            rows_.values[k].push_back(missing_value);
            missing_.push_back({row, k, cell});
            continue;
        case CellKind::text:
            throw Error(at + "found " + shown_cell(cell) + ", expected a number" + decimal_hint(cell, l_.dialect.decimal));
        case CellKind::out_of_range: throw Error(at + "found " + shown_cell(cell) + ", out of the range of a double");
        case CellKind::non_finite: throw Error(at + "found " + shown_cell(cell) + ", expected a finite number");
        }
    }
    if (l_.plan.id) {
        const std::string& id = cells[*l_.plan.id];
        if (id.find_first_not_of(" \t") == std::string::npos)
            throw Error(loc(r_.path(), line) + ":" + std::to_string(*l_.plan.id + 1) + ": column '" +
                        l_.header[*l_.plan.id] + "': empty series id");
        ids_.push_back(id);
    }
    rows_.labels.push_back(std::move(label));
    rows_.lines.push_back(line);
    for (std::size_t f = 0; f < parsed.size(); ++f) rows_.instants[f].push_back(parsed[f]);
}

void RowReader::read(std::vector<std::string>& notes)
{
    std::string text;
    std::size_t line = 0;
    std::vector<std::string> cells;
    std::vector<Instant> parsed;
    const std::size_t width = l_.header.size();
    while (r_.record(l_.dialect.delimiter, text, line)) {
        if (text.find_first_not_of(" \t") == std::string::npos) {
            pending_.push_back({line, "", "empty line between data rows"});
            continue;
        }
        std::optional<std::string> problem;
        if (const auto e = split_record(text, l_.dialect.delimiter, cells)) {
            const std::string what = loc(r_.path(), line) + ":" + std::to_string(e->cell + 1) + ": " + e->what;
            if (text.find('\n') != std::string::npos || starts_with_period(cells)) throw Error(what);
            problem = e->what + " (cell " + std::to_string(e->cell + 1) + ")";
        } else if (cells.size() != width) {
            const std::string what = "the row has " + cells_listed(cells) + ", the header " + cells_listed(l_.header);
            // A row that starts like a data row is a bad data row, not a footer.
            if (starts_with_period(cells)) throw Error(loc(r_.path(), line) + ": " + what);
            problem = what;
        }
        std::string label;
        if (!problem && l_.plan.period.kind != PeriodKind::none) {
            const auto composed = compose_label(l_.plan.period, cells);
            if (!composed)
                problem = "the period cells are not a valid " + l_.plan.period.name;
            else
                problem = period_problem(label = *composed, parsed, line);
        }
        if (problem) {
            pending_.push_back({line, text, *problem});
            continue;
        }
        if (!pending_.empty()) throw Error(loc(r_.path(), pending_.front().line) + ": " + pending_.front().error);
        if (l_.plan.period.kind == PeriodKind::none) label = std::to_string(rows_.size());
        add_row(cells, label, parsed, line);
    }
    if (!eliminated_by_.empty() && rows_.forms.size() == 1 && rows_.forms[0].ambiguous)
        notes.push_back("dates read as " + rows_.forms[0].format + (rows_.forms[0].day_first ? " (day first)" : " (month first)") +
                        ": line " + std::to_string(eliminated_line_) + " " + shown_cell(eliminated_by_) + " cannot be " +
                        eliminated_form_);
    if (const auto note = thousands_.note()) notes.push_back(*note);
    std::vector<NonData> footer;
    for (auto& p : pending_)
        if (!p.text.empty()) footer.push_back(p);
    if (rows_.size() == 0) {
        if (!pending_.empty() && !footer.empty())
            throw Error(loc(r_.path(), footer.front().line) + ": " + footer.front().error);
        throw Error(r_.path() + ":2: no data rows after the header");
    }
    if (footer.size() > max_footer_lines)
        throw Error(loc(r_.path(), footer.front().line) + ": " + footer.front().error + " (and " +
                    std::to_string(footer.size() - 1) + " more such lines at the end)");
    if (footer.empty()) return;
    std::string list;
    for (std::size_t i = 0; i < footer.size() && i < 3; ++i)
        list += (i ? ", " : "") + std::string("line ") + std::to_string(footer[i].line) + " " + shown_cell(footer[i].text);
    if (footer.size() > 3) list += ", ...";
    notes.push_back("skipped " + std::to_string(footer.size()) + " footer line" + (footer.size() > 1 ? "s" : "") +
                    " after the last data row: " + list);
}

// The date forms of the period's labels in the sample `rows`: the given --date-format, else
// those every label's shape allows (datasets/csv_profile.hpp common_forms). Throws elman::Error
// when none fits.
void set_forms(const std::string& path, PeriodSpec& p, const std::vector<std::vector<std::string>>& rows,
               const CsvOptions& o)
{
    std::vector<std::string> labels;
    for (const auto& row : rows)
        if (const auto label = compose_label(p, row)) labels.push_back(*label);
    p.sample = labels.empty() ? "" : labels.front();
    if (!o.date_format.empty()) {
        std::string fmt = o.date_format;
        const bool timed = p.columns.size() > 1 && !labels.empty() && labels.front().find(':') != std::string::npos;
        if (timed) fmt += std::count(labels.front().begin(), labels.front().end(), ':') > 1 ? " %H:%M:%S" : " %H:%M";
        p.forms = {form_from_format(fmt)};
    } else {
        p.forms = common_forms(labels);
        if (o.dayfirst) std::erase_if(p.forms, [](const DateForm& f) { return f.ambiguous && !f.day_first; });
    }
    if (p.forms.empty())
        throw Error(path + ": column '" + p.name + "': no date form fits every label of the first rows (" +
                    shown_cell(p.sample) + " ...); give it with --date-format");
}

}  // namespace

Layout read_layout(CsvRecords& records, const CsvOptions& o, const std::vector<std::string>& named, bool frame,
                   std::vector<std::string>& notes)
{
    Layout l;
    const auto sample = records.peek_sample(sample_rows);
    if (sample.empty()) throw Error(records.path() + ":1: empty file, expected a header row");
    // Comment lines (# ...) before the header, as some exports write a title and units there.
    std::size_t comments = 0;
    while (comments < sample.size() && sample[comments].first.rfind('#', 0) == 0) ++comments;
    if (comments == sample.size()) throw Error(records.path() + ": only comment lines, expected a header row");
    // Records for sniffing: lines joined while a double quote is open (an odd count so far),
    // whatever the delimiter turns out to be; each with its first line.
    std::vector<std::string> texts;
    std::vector<std::size_t> starts;
    for (std::size_t i = comments, open = 0; i < sample.size(); ++i) {
        if (open % 2 == 1)
            texts.back() += "\n" + sample[i].first;
        else {
            texts.push_back(sample[i].first);
            starts.push_back(sample[i].second);
        }
        open += static_cast<std::size_t>(std::count(sample[i].first.begin(), sample[i].first.end(), '"'));
    }
    l.dialect = sniff_dialect(texts, o.delimiter, o.decimal);
    std::string text;
    std::size_t line = 0;
    for (std::size_t skipped = 0; records.record(l.dialect.delimiter, text, line);) {
        const bool blank = text.find_first_not_of(" \t") == std::string::npos;
        if (!blank && (skipped == comments || text.rfind('#', 0) != 0)) break;
        skipped += !blank;
    }
    if (comments > 0)
        notes.push_back("skipped " + std::to_string(comments) + " comment line" + (comments > 1 ? "s" : "") +
                        " (#) before the header");
    l.header = header_cells(records.path(), text, l.dialect.delimiter);
    if (texts.size() < 2) throw Error(loc(records.path(), line + 1) + ": no data rows after the header");
    std::vector<std::vector<std::string>> rows;
    std::vector<std::size_t> lines;
    std::vector<std::string> cells;
    std::optional<std::string> problem;  // of the first sample row that does not split into the header's cells
    for (std::size_t i = 1; i < texts.size(); ++i) {
        if (const auto e = split_record(texts[i], l.dialect.delimiter, cells)) {
            if (!problem) problem = loc(records.path(), starts[i]) + ":" + std::to_string(e->cell + 1) + ": " + e->what;
        } else if (cells.size() == l.header.size()) {
            rows.push_back(cells);
            lines.push_back(starts[i]);
        } else if (!problem) {
            problem = loc(records.path(), starts[i]) + ": the row has " + cells_listed(cells) + ", the header " +
                      cells_listed(l.header) + " (cells split at " + delimiter_name(l.dialect.delimiter) +
                      "); give the delimiter with --delimiter";
        }
    }
    if (rows.empty() && problem) throw Error(*problem);
    try {
        l.plan = plan_columns(records.path(), l.header, rows, lines, o, l.dialect, named, frame);
    } catch (const Error&) {
        // A named column missing from a "header" that is data: say that, not "no column 'y'".
        if (!rows.empty()) refuse_data_header(records.path(), l.header, rows.front(), l.dialect, o);
        throw;
    }
    notes.insert(notes.end(), l.plan.period.notes.begin(), l.plan.period.notes.end());
    if (l.dialect.delimiter_sniffed && l.dialect.delimiter != ',')
        notes.push_back("cells separated by " + delimiter_name(l.dialect.delimiter) + " (sniffed; --delimiter to change)");
    if (l.dialect.decimal_sniffed)
        notes.push_back("numbers read with a decimal comma (sniffed; --decimal . to change)");
    PeriodSpec& p = l.plan.period;
    if (p.kind == PeriodKind::dates) set_forms(records.path(), p, rows, o);
    refuse_headerless(records.path(), l.header, l.plan, l.dialect, o);
    return l;
}

void trim_missing(const std::string& path, RawRows& rows, const std::vector<MissingCell>& cells, const Layout& l,
                  const CsvOptions& o, std::vector<std::string>& notes)
{
    auto any_missing = [&](std::size_t i) {
        return std::any_of(rows.values.begin(), rows.values.end(), [&](const auto& c) { return std::isnan(c[i]); });
    };
    std::size_t a = 0, b = rows.size();
    while (a < b && any_missing(a)) ++a;
    while (b > a && any_missing(b - 1)) --b;
    if (a == b)
        throw Error(path + ": every row has a missing value in " +
                    (rows.values.size() == 1 ? "column '" + column_name(l, 0) + "'" : "some value column"));
    auto span = [&](std::size_t from, std::size_t to) {
        return std::to_string(to - from) + " row" + (to - from > 1 ? "s" : "") + " (line " +
               std::to_string(rows.lines[from]) + (to - from > 1 ? "-" + std::to_string(rows.lines[to - 1]) : "") + ")";
    };
    if (a > 0) notes.push_back("dropped " + span(0, a) + " with missing values at the start");
    if (b < rows.size()) notes.push_back("dropped " + span(b, rows.size()) + " with missing values at the end");
    for (const MissingCell& m : cells)
        if (m.row >= a && m.row < b && o.missing == Missing::error) {
            const std::size_t n_values = l.plan.values.size();
            const std::size_t c = m.column < n_values ? l.plan.values[m.column] : l.plan.covariates[m.column - n_values];
            throw Error(loc(path, rows.lines[m.row]) + ":" + std::to_string(c + 1) + ": column '" + l.header[c] +
                        "': missing value " + shown_cell(m.text) + " inside the series; --interpolate fills it "
                        "by linear interpolation");
        }
    // In place: a copy would double the peak memory of a long file.
    auto cut = [&](auto& v) {
        v.erase(v.begin() + static_cast<std::ptrdiff_t>(b), v.end());
        v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(a));
    };
    cut(rows.labels);
    cut(rows.lines);
    for (auto& c : rows.values) cut(c);
    for (auto& t : rows.instants) cut(t);
}

const std::string& column_name(const Layout& l, std::size_t k)
{
    const std::size_t n_values = l.plan.values.size();
    return l.header[k < n_values ? l.plan.values[k] : l.plan.covariates[k - n_values]];
}

FileRows read_rows(CsvRecords& records, const Layout& layout, const CsvOptions& o, std::vector<std::string>& notes)
{
    FileRows out;
    out.rows.forms = layout.plan.period.forms;
    out.rows.instants.resize(out.rows.forms.size());
    RowReader(records, layout, o, out).read(notes);
    return out;
}

std::string duplicate_hint(const Layout& l)
{
    if (l.plan.period.columns.size() != 1) return "";
    for (std::size_t c = 0; c < l.header.size(); ++c) {
        const auto part = part_from_name(l.header[c]);
        if (part == PeriodPart::hour || (part == std::nullopt && l.header[c] == "time"))
            return " (rows at several times of one date? combine the date with column '" + l.header[c] +
                   "': --period-column " + l.plan.period.name + "," + l.header[c] + ")";
    }
    return " (rows at several times of one date? name the date and time columns with --period-column)";
}

}  // namespace elman::detail
