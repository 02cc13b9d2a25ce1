#include "datasets/csv_headerless.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "datasets/csv_cells.hpp"
#include "datasets/csv_reader.hpp"

namespace elman {

namespace {

bool is_period(const std::vector<std::string>& header, const PeriodSpec& p)
{
    const auto label = compose_label(p, header);
    if (!label) return false;
    if (p.kind == PeriodKind::index) return is_integer_label(*label);
    return std::any_of(p.forms.begin(), p.forms.end(), [&](const DateForm& f) { return parse_label(*label, f).has_value(); });
}

enum class CellKind3 { number, date, text };

CellKind3 kind_of(const std::string& cell, const Dialect& dialect, const CsvOptions& o)
{
    if (parse_cell(cell, dialect.decimal, o.na_values).kind == CellKind::number) return CellKind3::number;
    return label_forms(cell).empty() ? CellKind3::text : CellKind3::date;
}

// `names[c]`: what to call column c in the header line to add ("period", "value2", "id").
[[noreturn]] void refuse(const std::string& path, const std::vector<std::string>& header,
                         const std::vector<std::string>& names, const Dialect& dialect, bool with_period)
{
    std::string line;
    for (std::size_t c = 0; c < names.size(); ++c) line += (c ? std::string(1, dialect.delimiter) : "") + names[c];
    const std::string cells = cells_listed(header);
    throw Error(path + ":1: the first line (" + cells.substr(cells.find('(') + 1) + " is data, not a header: " +
                (with_period ? "a period like the rows' and " : "") +
                "numbers; the file has no header row. Add one naming the columns as line 1, e.g. '" + line + "'");
}

}  // namespace

void refuse_headerless(const std::string& path, const std::vector<std::string>& header, const ColumnPlan& plan,
                       const Dialect& dialect, const CsvOptions& options)
{
    const PeriodSpec& p = plan.period;
    if (p.kind != PeriodKind::none && !is_period(header, p)) return;
    for (std::size_t c : plan.values)
        if (parse_cell(header[c], dialect.decimal, options.na_values).kind != CellKind::number) return;
    std::vector<std::string> names;
    for (std::size_t c = 0; c < header.size(); ++c) {
        const bool period = std::find(p.columns.begin(), p.columns.end(), c) != p.columns.end();
        if (plan.id && c == *plan.id)
            names.push_back("id");
        else if (period)
            names.push_back(p.columns.size() > 1 ? "period" + std::to_string(c + 1) : std::string("period"));
        else
            names.push_back("value" + (header.size() > 2 ? std::to_string(c + 1) : std::string()));
    }
    refuse(path, header, names, dialect, p.kind != PeriodKind::none);
}

void refuse_data_header(const std::string& path, const std::vector<std::string>& header,
                        const std::vector<std::string>& row, const Dialect& dialect, const CsvOptions& options)
{
    if (row.size() != header.size()) return;
    std::vector<CellKind3> kinds;
    for (std::size_t c = 0; c < header.size(); ++c) {
        kinds.push_back(kind_of(header[c], dialect, options));
        if (kinds.back() != kind_of(row[c], dialect, options)) return;
    }
    // A date and a number, as each row of a series has: a header of names (even years as names,
    // "country,1990,1991") has no date cell over a date cell.
    const auto numbers = std::count(kinds.begin(), kinds.end(), CellKind3::number);
    if (numbers == 0 || std::count(kinds.begin(), kinds.end(), CellKind3::date) == 0) return;
    std::vector<std::string> names;
    for (std::size_t c = 0; c < kinds.size(); ++c)
        names.push_back(kinds[c] == CellKind3::date   ? "period"
                        : kinds[c] == CellKind3::text ? "id"
                                                      : "value" + (numbers > 1 ? std::to_string(c + 1) : std::string()));
    refuse(path, header, names, dialect, true);
}

}  // namespace elman
