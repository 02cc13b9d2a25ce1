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

}  // namespace

void refuse_headerless(const std::string& path, const std::vector<std::string>& header, const ColumnPlan& plan,
                       const Dialect& dialect, const CsvOptions& options)
{
    const PeriodSpec& p = plan.period;
    if (p.kind != PeriodKind::none && !is_period(header, p)) return;
    for (std::size_t c : plan.values)
        if (parse_cell(header[c], dialect.decimal, options.na_values).kind != CellKind::number) return;
    std::string names;
    for (std::size_t c = 0; c < header.size(); ++c) {
        const bool period = std::find(p.columns.begin(), p.columns.end(), c) != p.columns.end();
        names += (c ? std::string(1, dialect.delimiter) : "") +
                 (period ? (p.columns.size() > 1 ? "period" + std::to_string(c + 1) : std::string("period"))
                         : "value" + (header.size() > 2 ? std::to_string(c + 1) : std::string()));
    }
    throw Error(path + ":1: the first line (" + cells_listed(header).substr(cells_listed(header).find('(') + 1) +
                " is data, not a header: " + (p.kind == PeriodKind::none ? "" : "a period like the rows' and ") +
                "numbers; the file has no header row. Add one naming the columns as line 1, e.g. '" + names + "'");
}

}  // namespace elman
