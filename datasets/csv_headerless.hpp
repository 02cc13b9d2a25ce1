// A CSV file without a header row: its first line is data ("1964-01,2815"). Read as a header,
// it would lose its first row and name the columns '1964-01' and '2815' without a word; elman
// refuses it instead, showing the header line to add. Every reader checks it (datasets/csv_rows.cpp
// read_layout): one series, a frame, a long or a wide file of several.
#pragma once

#include <string>
#include <vector>

#include "datasets/csv.hpp"
#include "datasets/csv_columns.hpp"
#include "datasets/csv_dialect.hpp"

namespace elman {

// Throws elman::Error "FILE:1: the first line ('1964-01', '2815') is data, not a header: ...;
// add a header line such as 'Month,value' as line 1" when the header cells are a period and
// numbers of the same kinds as the rows below: the period cell(s) parse in one of the date forms
// of the rows (or, for an integer index, are an integer) and every value column's cell is a
// number. `plan` is the column plan made with `header` as names (forms set).
void refuse_headerless(const std::string& path, const std::vector<std::string>& header, const ColumnPlan& plan,
                       const Dialect& dialect, const CsvOptions& options);

// The same check for when no column plan could be made from the header (a named id, value or
// period column is not among the "names" because they are data): throws the same error when
// each header cell is of the kind of the first data row's cell below it (a number, a date, other
// text) and there are a date and a number among them (a header of names, even of years as in
// "country,1990,1991", has no date). `row`: the first data row's cells (as many as the header's).
void refuse_data_header(const std::string& path, const std::vector<std::string>& header,
                        const std::vector<std::string>& row, const Dialect& dialect, const CsvOptions& options);

}  // namespace elman
