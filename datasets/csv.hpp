// Loading time series from the CSV files people have: one header row, then data rows.
//
// Dialect (datasets/csv_dialect.hpp): the delimiter is sniffed among , ; tab | (or given), the
// decimal mark is '.' or ',' (sniffed for non-comma files, or given), RFC 4180 quoting, UTF-8
// BOM, CRLF line ends; thousands separators inside numbers ("12,345"; with a decimal comma
// "1.234,5"); typographic quotes around header names are dropped.
// Columns (datasets/csv_columns.hpp): the period column(s) and the value column are found from
// the header and the first rows unless named.
// Rows: blank lines and rows that do not parse (wrong cell count, a period that is no date)
// after the last data row are a footer, skipped with a note; the same in the middle of the
// data is an error. Missing values (empty, NA, N/A, NaN, nan, null, None, ?, ., #N/A, plus
// na_values) at the start and the end of the series are trimmed with a note; inside it they
// are an error unless Missing::interpolate (the CLI's --interpolate).
// Time (datasets/time_axis.hpp): labels are parsed as dates, day/month order decided from the
// data; rows must be strictly increasing in time (sort = true sorts them), without duplicates;
// the frequency is inferred (datasets/frequency.hpp) and missing periods are an error unless
// Gaps::interpolate (filled) or Gaps::keep.
//
// Every error is an elman::Error "FILE:LINE[:COLUMN]: ..." naming what was found, what was
// expected and the CLI flag that changes the behaviour.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "datasets/series.hpp"

namespace elman {

enum class Missing {
    error,        // a missing cell inside the series is an error naming its line and column
    interpolate,  // filled by linear interpolation between the nearest values (--interpolate)
};

enum class Gaps {
    error,        // missing periods are an error listing them
    interpolate,  // rows are inserted for them and interpolated (--interpolate)
    keep,         // rows stay consecutive observations, with a note (--ignore-gaps)
};

struct CsvOptions {
    // The value column, by header name. Empty: by `column_index`, else the only numeric column
    // that is neither a period nor a row index (an error when there are several).
    std::string column;
    std::optional<std::size_t> column_index;  // 0-based, counting every column
    // The period column, or several to combine (date + hour, or year, month, day, hour).
    // Empty: found from the data (datasets/csv_columns.hpp).
    std::vector<std::string> period_columns;
    // false: the file has no period column (--no-period); periods become "0", "1", ...
    bool has_period = true;
    Missing missing = Missing::error;
    Gaps gaps = Gaps::error;
    std::optional<char> delimiter;           // default: sniffed among , ; tab |
    std::optional<char> decimal;             // default: '.', or ',' when sniffed
    std::vector<std::string> na_values;      // more missing-value markers
    std::string date_format;                 // strftime form of the labels (--date-format)
    bool dayfirst = false;                   // ambiguous dates are day first (--dayfirst)
    bool sort = false;                       // sort rows by time instead of failing (--sort)
    std::string frequency;                   // given frequency (--frequency), checked against the dates
};

// One value column of a CSV file, with its periods, calendar and frequency.
Series load_csv(const std::string& path, const CsvOptions& options = {});

// Several value columns: `columns` by name (empty: every numeric column but the period and
// row-index columns). options.column and options.column_index are ignored.
Frame load_csv_frame(const std::string& path, const std::vector<std::string>& columns = {},
                     const CsvOptions& options = {});

}  // namespace elman
