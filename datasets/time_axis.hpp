// The time axis of the rows a CSV reader collected: which reading of the dates (day first or
// month first), time order, duplicates, the calendar and its missing periods.
//
//   1. Reading: of the forms every label parsed with, the one whose instants are in order
//      (after sorting, with sort) with a regular spacing, and the fewest missing periods; when
//      two readings tie, an error naming --dayfirst and --date-format.
//   2. Order: rows strictly increasing in time; the first row out of order or repeating a
//      period is an error naming both lines (sort = true sorts them, duplicates stay errors).
//   3. Calendar (datasets/frequency.hpp): an irregular spacing is an error unless Gaps::keep;
//      missing periods are an error listing the first ones, unless Gaps::interpolate (rows
//      are inserted with missing values, labelled in ISO 8601) or Gaps::keep (a note).
//   4. A given frequency (CsvOptions::frequency) must match the dates' one; without dates it
//      sets the calendar (and so the default season) of an index.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "datasets/csv.hpp"
#include "datasets/csv_columns.hpp"
#include "datasets/series.hpp"

namespace elman {

// The rows a CSV reader collected.
struct RawRows {
    std::vector<std::string> labels;             // period label per row
    std::vector<std::size_t> lines;              // file line per row; 0 for inserted rows
    std::vector<std::vector<double>> values;     // [column][row]; NaN = missing
    std::vector<DateForm> forms;                 // the readings every label parsed with
    std::vector<std::vector<Instant>> instants;  // [form][row]

    std::size_t size() const { return labels.size(); }
};

// Settles the time axis of `rows` (reordering or inserting rows as it says above) and returns
// it; notes get a line for each assumption. `duplicate_hint` ends the message of a duplicate
// period (e.g. naming an hour column to combine with --period-column).
TimeAxis settle_time_axis(const std::string& path, RawRows& rows, const PeriodSpec& period, const CsvOptions& options,
                          const std::string& duplicate_hint, std::vector<std::string>& notes);

}  // namespace elman
