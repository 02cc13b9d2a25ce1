// Several series from one CSV file (datasets/csv_series.hpp): the file's rows are read once,
// then split by series and settled one series at a time.
#include "datasets/csv_series.hpp"

#include <algorithm>
#include <unordered_map>

#include "core/error.hpp"
#include "datasets/csv_reader.hpp"
#include "datasets/csv_rows.hpp"
#include "datasets/csv_settle.hpp"

namespace elman {

namespace {

using detail::Layout;
using detail::MissingCell;

// The rows `which` of `all`, with the value columns `columns` (indices into RawRows::values),
// and the missing cells among them renumbered.
RawRows select_rows(const RawRows& all, const std::vector<std::size_t>& which, const std::vector<std::size_t>& columns,
                    const std::vector<MissingCell>& missing, std::vector<MissingCell>& selected_missing)
{
    RawRows r;
    r.forms = all.forms;
    r.instants.resize(all.instants.size());
    r.values.resize(columns.size());
    std::vector<std::size_t> new_row(all.size(), all.size());
    for (std::size_t i = 0; i < which.size(); ++i) {
        const std::size_t j = which[i];
        new_row[j] = i;
        r.labels.push_back(all.labels[j]);
        r.lines.push_back(all.lines[j]);
        for (std::size_t f = 0; f < all.instants.size(); ++f) r.instants[f].push_back(all.instants[f][j]);
        for (std::size_t k = 0; k < columns.size(); ++k) r.values[k].push_back(all.values[columns[k]][j]);
    }
    for (const MissingCell& m : missing) {
        if (new_row[m.row] == all.size()) continue;
        for (std::size_t k = 0; k < columns.size(); ++k)
            if (columns[k] == m.column) selected_missing.push_back({new_row[m.row], k, m.text});
    }
    return r;
}

// One series from its rows, settled as load_csv settles a file's (datasets/csv_settle.hpp); the
// first of `rows.values` is the value column, the others the covariates. Throws elman::Error.
Series settle_series(const std::string& path, RawRows rows, const std::vector<MissingCell>& missing,
                     const Layout& l, const std::vector<std::string>& names, const CsvOptions& o)
{
    Series s;
    // trim_missing names a missing cell's column through the layout: a layout of these columns.
    Layout own = l;
    own.plan.values = {};
    own.plan.covariates = {};
    for (const auto& name : names)
        for (std::size_t c = 0; c < l.header.size(); ++c)
            if (l.header[c] == name) (own.plan.values.empty() ? own.plan.values : own.plan.covariates).push_back(c);
    detail::SettledRows settled = detail::settle_rows(path, rows, missing, own, names, o, s.notes);
    s.time = std::move(settled.time);
    if (!settled.filled.empty()) s.filled = std::move(settled.filled[0]);
    s.name = names[0];
    s.periods = std::move(rows.labels);
    s.values = std::move(rows.values[0]);
    s.frequency = s.time.calendar.frequency();
    s.season = default_season(s.time.calendar);
    for (std::size_t k = 1; k < names.size(); ++k) {
        s.covariate_names.push_back(names[k]);
        s.covariates.push_back(std::move(rows.values[k]));
    }
    return s;
}

SeriesRead read_one(const std::string& id, const std::string& path, RawRows rows,
                    const std::vector<MissingCell>& missing, const Layout& l, const std::vector<std::string>& names,
                    const CsvOptions& o)
{
    SeriesRead r;
    r.id = id;
    try {
        r.series = settle_series(path, std::move(rows), missing, l, names, o);
    } catch (const Error& e) {
        r.error = e.what();
    }
    return r;
}

// A note every series read gives alike (two-digit years of a wide file, a reading of all of
// them) is the file's: said once, in SeriesFile::notes, where the CLI prints it.
void hoist_common_notes(SeriesFile& f)
{
    const SeriesRead* first = nullptr;
    for (const auto& r : f.series)
        if (r.series && !first) first = &r;
    if (!first) return;
    const std::vector<std::string> candidates = first->series->notes;
    for (const auto& note : candidates) {
        bool everywhere = true;
        for (const auto& r : f.series)
            if (r.series && std::find(r.series->notes.begin(), r.series->notes.end(), note) == r.series->notes.end())
                everywhere = false;
        if (!everywhere) continue;
        f.notes.push_back(note);
        for (auto& r : f.series)
            if (r.series) std::erase(r.series->notes, note);
    }
}

}  // namespace

SeriesFile load_csv_long(const std::string& path, const CsvOptions& o)
{
    if (o.id_column.empty()) throw Error("load_csv_long: no id column given (CsvOptions::id_column, --id-column)");
    CsvRecords records(path);
    SeriesFile out;
    const Layout l = detail::read_layout(records, o, {}, false, out.notes);
    const detail::FileRows file = detail::read_rows(records, l, o, out.notes);
    std::vector<std::string> names;
    std::vector<std::size_t> columns;
    for (std::size_t k = 0; k < file.rows.values.size(); ++k) {
        names.push_back(detail::column_name(l, k));
        columns.push_back(k);
    }
    // Rows by series, in the order the ids first appear.
    std::unordered_map<std::string, std::size_t> group_of;
    std::vector<std::string> ids;
    std::vector<std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < file.ids.size(); ++i) {
        const auto [it, fresh] = group_of.emplace(file.ids[i], groups.size());
        if (fresh) {
            ids.push_back(file.ids[i]);
            groups.emplace_back();
        }
        groups[it->second].push_back(i);
    }
    for (std::size_t g = 0; g < groups.size(); ++g) {
        std::vector<MissingCell> missing;
        RawRows rows = select_rows(file.rows, groups[g], columns, file.missing, missing);
        out.series.push_back(read_one(ids[g], path, std::move(rows), missing, l, names, o));
    }
    hoist_common_notes(out);
    return out;
}

SeriesFile load_csv_columns(const std::string& path, const std::vector<std::string>& columns, const CsvOptions& o)
{
    if (!o.id_column.empty())
        throw Error(path + ": give either value columns or an id column (--id-column), not both");
    CsvRecords records(path);
    SeriesFile out;
    const Layout l = detail::read_layout(records, o, columns, true, out.notes);
    const detail::FileRows file = detail::read_rows(records, l, o, out.notes);
    std::vector<std::size_t> all_rows(file.rows.size());
    for (std::size_t i = 0; i < all_rows.size(); ++i) all_rows[i] = i;
    const std::size_t n_values = l.plan.values.size();
    for (std::size_t v = 0; v < n_values; ++v) {
        std::vector<std::string> names{detail::column_name(l, v)};
        std::vector<std::size_t> which{v};
        for (std::size_t k = n_values; k < file.rows.values.size(); ++k) {
            names.push_back(detail::column_name(l, k));
            which.push_back(k);
        }
        std::vector<MissingCell> missing;
        RawRows rows = select_rows(file.rows, all_rows, which, file.missing, missing);
        out.series.push_back(read_one(names[0], path, std::move(rows), missing, l, names, o));
    }
    hoist_common_notes(out);
    return out;
}

}  // namespace elman
