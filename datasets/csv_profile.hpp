// What the first rows of a CSV column look like (dates, an index, numbers, times of day), and
// the labels that period columns make: the evidence datasets/csv_columns.cpp decides on.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "datasets/csv_columns.hpp"
#include "datasets/period.hpp"

namespace elman {

struct ColumnProfile {
    std::vector<std::string> labels;  // the non-empty sample cells
    std::size_t nonempty = 0;
    std::string first;                // the first non-empty cell
    std::size_t first_line = 2;       // its file line
    bool integer = false;             // every non-empty cell an integer (at least one)
    // integer, and written with a zero fraction ("1964.0", as pandas writes an integer column
    // that had a missing value): never a date form of its own (1964.0 is no %Y.%m)
    bool float_written = false;
    // 0, 1, 2... or 1, 2, 3... in the first column (at least three), or increasing integers
    // under a row-id name (instant, id, No, index, Unnamed: 0, an empty name)
    bool index = false;
    bool numeric = false;             // more numbers than text cells (missing markers aside)
    bool time_of_day = false;         // every non-empty cell h:mm or h:mm:ss
    std::vector<DateForm> forms;      // the forms the dated cells share (see common_forms)
    bool written_date = false;        // forms, and the cells are not bare digits
    std::optional<PeriodPart> part;   // from the name: year/yr, quarter/qtr, month/mnth, day,
                                      // hour/hr, minute/min
};

ColumnProfile profile_column(const std::string& name, const std::vector<std::vector<std::string>>& rows,
                             const std::vector<std::size_t>& lines, std::size_t column, char decimal,
                             const std::vector<std::string>& na_values);

// The part of a combined period a column's name says it holds: year/yr, quarter/qtr,
// month/mnth/mon, day/dd, hour/hr/hh, minute/min (case and punctuation ignored).
std::optional<PeriodPart> part_from_name(const std::string& name);

// "e.g. --date-format %y-%m reads '1-01' as 2001-01" when one of a few forms without a
// four-digit year reads every sample label; nullopt otherwise.
std::optional<std::string> suggest_date_format(const ColumnProfile& p);

// The forms the labels share: those of the first dated label, narrowed by each later one that
// shares one of them. Labels with no form or none in common (a bad row, a footer) may be a
// tenth of them at most (at least one), else there are none.
std::vector<DateForm> common_forms(const std::vector<std::string>& labels);

}  // namespace elman
