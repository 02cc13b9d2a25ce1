// Strict CSV loading of time series. One header row, comma-separated, optional double quotes,
// UTF-8 BOM and CRLF line ends accepted. Every rejected cell is reported as
//   "FILE:LINE:COLUMN: ..."
// with the 1-based line, the 1-based column number and the column's name, what was found and
// what was expected.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "datasets/series.hpp"

namespace elman {

enum class Missing {
    error,        // an empty cell, NaN or inf is an error naming its line and column
    interpolate,  // replaced by linear interpolation between the nearest valid neighbours
};

struct CsvOptions {
    // The value column, by header name. Empty: by `column_index`, else the only column that is
    // not the period column (an error when there are several).
    std::string column;
    std::optional<std::size_t> column_index;  // 0-based, counting the period column
    // The period column, by header name; empty: the first column.
    std::string period_column;
    // false: the file has no period column; periods become "0", "1", ... and the frequency
    // is unknown.
    bool has_period = true;
    Missing missing = Missing::error;  // an empty, NaN or inf cell; default error
};

// One value column of a CSV file. Periods are parsed (YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD) to
// infer the frequency and season length; every row must then use the first row's format, in
// increasing order, without gaps for yearly, quarterly and monthly data. Labels in none of
// these formats are kept as written (frequency unknown, season 1).
Series load_csv(const std::string& path, const CsvOptions& options = {});

// Several value columns: `columns` by name (empty: every column but the period column).
// options.column and options.column_index are ignored.
Frame load_csv_frame(const std::string& path, const std::vector<std::string>& columns = {},
                     const CsvOptions& options = {});

}  // namespace elman
