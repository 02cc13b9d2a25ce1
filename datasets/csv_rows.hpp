// The stages of reading a CSV file's rows, shared by the readers of one series or several
// (datasets/csv.cpp, datasets/csv_series.cpp); not part of the API.
//
//   read_layout   the dialect, the header and the column plan, from the first rows
//   RowReader     every data row: its period label and instants, its value, covariate and id
//                 cells (missing values kept as NaN), a footer told apart from a bad row
//   trim_missing  rows with a missing value at the start and the end dropped (a note), a
//                 missing value inside the series an error unless interpolating
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "datasets/csv.hpp"
#include "datasets/csv_columns.hpp"
#include "datasets/csv_dialect.hpp"
#include "datasets/csv_reader.hpp"
#include "datasets/time_axis.hpp"

namespace elman::detail {

struct Layout {
    Dialect dialect;
    std::vector<std::string> header;
    ColumnPlan plan;
};

// A missing value cell (row of RawRows, column k of RawRows::values), remembered until
// trimming tells whether it is inside the series.
struct MissingCell {
    std::size_t row = 0, column = 0;
    std::string text;
};

// The rows of a file, as RowReader reads them: RawRows::values holds the plan's value columns
// and then its covariate columns; ids the id cell of each row (long format only).
struct FileRows {
    RawRows rows;
    std::vector<std::string> ids;
    std::vector<MissingCell> missing;
};

// Reads the header and sniffs the dialect from the first rows; `named` are the value columns a
// frame asked for. Notes get what was assumed.
Layout read_layout(CsvRecords& records, const CsvOptions& o, const std::vector<std::string>& named, bool frame,
                   std::vector<std::string>& notes);

// Reads every data row after the header (read_layout first). Throws elman::Error "FILE:LINE..."
// for a bad cell or a bad row in the middle of the data; footers are skipped with a note.
FileRows read_rows(CsvRecords& records, const Layout& layout, const CsvOptions& o, std::vector<std::string>& notes);

// Drops leading and trailing rows with a missing value in any column; a missing value left
// inside is an error naming its cell unless o.missing is Missing::interpolate. `cells` are the
// missing cells of `rows` (MissingCell::row indexes rows). Throws when every row has one.
void trim_missing(const std::string& path, RawRows& rows, const std::vector<MissingCell>& cells, const Layout& l,
                  const CsvOptions& o, std::vector<std::string>& notes);

// The header name of RawRows::values' column k (a value column, then the covariates).
const std::string& column_name(const Layout& l, std::size_t k);

// The end of the message for a period that repeats another: a hint to combine the date with
// an hour column when the file has one.
std::string duplicate_hint(const Layout& l);

}  // namespace elman::detail
