// The last stage of reading a series from a CSV file, shared by the readers of one series
// (datasets/csv.cpp) and of several (datasets/csv_series.cpp), so that each series of a long or
// wide file is read exactly as load_csv reads a file of one; not part of the API.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "datasets/csv_rows.hpp"
#include "datasets/series.hpp"

namespace elman::detail {

struct SettledRows {
    TimeAxis time;
    // Per column of rows.values: the rows --interpolate made up (datasets/filled_values.hpp);
    // empty unless interpolating.
    std::vector<std::vector<std::size_t>> filled;
};

// Settles one series' rows in place, in load_csv's order: rows with missing values at the ends
// trimmed (a missing value inside is an error unless interpolating; `missing` are its missing
// cells, `layout` names their columns), two-digit years given their century
// (datasets/two_digit_years.hpp), the time axis settled (order, calendar, gaps:
// datasets/time_axis.hpp), then the values --interpolate fills recorded and filled. `names`:
// the header names of rows.values' columns, for the note on filled values. `notes` gets a line
// for each assumption. Throws elman::Error "FILE:LINE..." as those stages do.
SettledRows settle_rows(const std::string& path, RawRows& rows, const std::vector<MissingCell>& missing,
                        const Layout& layout, const std::vector<std::string>& names, const CsvOptions& o,
                        std::vector<std::string>& notes);

}  // namespace elman::detail
