// Several series from one CSV file: a long file (one row per series and period, the series
// told apart by an id column, as Nixtla's unique_id/ds/y) or several value columns of a wide
// one. Each series is read as load_csv reads one (datasets/csv.hpp: a file without a header row
// or not in UTF-8 refused, bare CR line ends read, missing values, two-digit years, time order,
// frequency, gaps, the values --interpolate made up kept in Series::filled), on its own: a
// problem of one series (rows out of order, a gap, a missing value inside it) is that series'
// error and leaves the others whole; a problem of the file (no such column, a bad cell, a bad
// row) is an elman::Error as for one series.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "datasets/csv.hpp"
#include "datasets/series.hpp"

namespace elman {

// One series of a file that holds several: its id and the series, or why it could not be read.
struct SeriesRead {
    std::string id;                // the id column's value, or the value column's name
    std::optional<Series> series;  // empty when `error` says why; its notes are its own
    std::string error;             // one line, "FILE:LINE: ..." as load_csv says it
};

struct SeriesFile {
    std::vector<SeriesRead> series;
    // What the reader assumed for the whole file, and the notes every series read gave alike
    // (said once here, not in each series' notes).
    std::vector<std::string> notes;
};

// A long file: options.id_column names the id column (required); the value column is
// options.column or the only numeric column besides the id, period and covariate columns;
// covariates (options.covariates) are read per row, as the values are. Series come in the
// order their ids first appear; Series::name is the value column's name.
// Throws elman::Error naming the file (and line, column) for a missing id, value or covariate
// column, a bad cell, an empty id.
SeriesFile load_csv_long(const std::string& path, const CsvOptions& options);

// A wide file: each of `columns` (empty: every numeric column but the period, row-id and
// covariate columns) is a series of its own on the file's periods, whose missing ends are
// trimmed for it alone (each read as load_csv with that column reads it, apart from the other
// columns' missing values); ids are the column names; covariates (options.covariates) are
// shared. Throws elman::Error for a missing column and for the file's problems.
SeriesFile load_csv_columns(const std::string& path, const std::vector<std::string>& columns,
                            const CsvOptions& options);

}  // namespace elman
