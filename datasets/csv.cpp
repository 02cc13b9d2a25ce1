#include "datasets/csv.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "datasets/csv_reader.hpp"
#include "datasets/csv_settle.hpp"

namespace elman {

namespace {

Frame load(const std::string& path, const CsvOptions& o, const std::vector<std::string>& named, bool frame)
{
    if (!o.id_column.empty())
        throw Error(path + ": the file holds several series told apart by column '" + o.id_column +
                    "' (--id-column): read it with load_csv_long");
    CsvRecords records(path);
    Frame f;
    const detail::Layout l = detail::read_layout(records, o, named, frame, f.notes);
    detail::FileRows file = detail::read_rows(records, l, o, f.notes);
    RawRows& rows = file.rows;
    for (std::size_t k = 0; k < rows.values.size(); ++k) f.columns.push_back(detail::column_name(l, k));
    detail::SettledRows settled = detail::settle_rows(path, rows, file.missing, l, f.columns, o, f.notes);
    f.time = std::move(settled.time);
    f.filled = std::move(settled.filled);
    f.periods = std::move(rows.labels);
    f.values = std::move(rows.values);
    f.frequency = f.time.calendar.frequency();
    f.season = default_season(f.time.calendar);
    if (l.plan.period.kind == PeriodKind::none && o.has_period)
        f.notes.push_back("the file has one column: no period column, the rows are numbered 0, 1, ...");
    return f;
}

}  // namespace

Series load_csv(const std::string& path, const CsvOptions& options)
{
    Frame f = load(path, options, {}, false);
    std::vector<std::size_t> filled = f.filled.empty() ? std::vector<std::size_t>{} : std::move(f.filled[0]);
    Series s{f.columns[0], std::move(f.periods), std::move(f.values[0]), f.frequency, f.season,
             std::move(f.time), std::move(f.notes), {}, {}, std::move(filled)};
    // The columns after the value column are the covariates (CsvOptions::covariates).
    for (std::size_t k = 1; k < f.columns.size(); ++k) {
        s.covariate_names.push_back(f.columns[k]);
        s.covariates.push_back(std::move(f.values[k]));
    }
    return s;
}

Frame load_csv_frame(const std::string& path, const std::vector<std::string>& columns, const CsvOptions& options)
{
    if (!options.covariates.empty())
        throw Error("load_csv_frame: covariates belong to a series; read them with load_csv (CsvOptions::covariates)");
    return load(path, options, columns, true);
}

}  // namespace elman
