#include "datasets/csv_settle.hpp"

#include "datasets/filled_values.hpp"
#include "datasets/transforms.hpp"
#include "datasets/two_digit_years.hpp"

namespace elman::detail {

SettledRows settle_rows(const std::string& path, RawRows& rows, const std::vector<MissingCell>& missing,
                        const Layout& layout, const std::vector<std::string>& names, const CsvOptions& o,
                        std::vector<std::string>& notes)
{
    SettledRows s;
    trim_missing(path, rows, missing, layout, o, notes);
    settle_two_digit_years(rows, notes);
    s.time = settle_time_axis(path, rows, layout.plan.period, o, duplicate_hint(layout), notes);
    if (o.missing == Missing::interpolate || o.gaps == Gaps::interpolate) {
        s.filled = filled_values(rows, names, notes);
        for (auto& column : rows.values) interpolate_missing(column);
    }
    return s;
}

}  // namespace elman::detail
