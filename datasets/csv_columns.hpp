// Which columns of a CSV file are the period and which the values, decided from the header
// and the first data rows (the sample) unless the options name them.
//
// The period, when not named (CsvOptions::period_columns):
//   1. the first column when its labels are dates (a year column 1871, 1872... counts);
//   2. else the first other column whose labels are written dates (2011-01-01, Jan 2020: not
//      bare numbers), so that a row-id first column (instant, Unnamed: 0, 0, 1, 2...) is
//      skipped;
//   3. else integer columns named year and month or quarter (and day, hour, minute), combined;
//   4. else a first column holding a plain increasing index (0, 1, 2 or 1, 2, 3): periods
//      without a calendar;
//   5. else a file of one column has no period column; anything else is an error naming a
//      sample label, --date-format, --period-column and --no-period.
// Named period columns combine: a date column with hour/minute or time-of-day columns
// (dteday,hr; Date,Time), or integer year, quarter/month, day, hour, minute columns, each
// column's part known from its name or else from its position in that order.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "datasets/csv.hpp"
#include "datasets/csv_dialect.hpp"
#include "datasets/period.hpp"

namespace elman {

enum class PeriodKind {
    none,   // no period column: rows are numbered 0, 1, ...
    index,  // a plain integer index, kept as written
    dates,  // labels parsed as dates (one column, or several combined)
};

// What one period column contributes to a combined label.
enum class PeriodPart { date, time, year, quarter, month, day, hour, minute };

struct PeriodSpec {
    PeriodKind kind = PeriodKind::none;
    std::vector<std::size_t> columns;  // header indices
    std::vector<PeriodPart> parts;     // one per column
    std::vector<DateForm> forms;       // the forms every sample label parses with
    std::string name;                  // "Month", or "dteday + hr"
    std::string sample;                // the first sample label, for messages
    std::vector<std::string> notes;    // what was assumed, one line each
};

struct ColumnPlan {
    PeriodSpec period;
    std::vector<std::size_t> values;   // header indices of the value columns
};

// Decides the period and value columns. `rows` are the sample's data rows split into cells
// (rows whose cell count differs from the header's are ignored), `lines` their file lines.
// `value_columns`: the columns to read (a frame's names, or options.column), empty for the
// default. Throws elman::Error "FILE:LINE: ..." naming the flag that resolves the problem.
ColumnPlan plan_columns(const std::string& path, const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows, const std::vector<std::size_t>& lines,
                        const CsvOptions& options, const Dialect& dialect,
                        const std::vector<std::string>& value_columns, bool frame);

// The label of one row's period from its cells: the date cell, with the time parts appended
// ("2011-01-01 05:00"), or integer parts as ISO text ("2010-01-01 23:00"); nullopt when a
// part is not a valid number for its role (month 13, hour 24, a word).
std::optional<std::string> compose_label(const PeriodSpec& spec, const std::vector<std::string>& cells);

// Whether a label is a plain integer (an index label).
bool is_integer_label(const std::string& s);

}  // namespace elman
