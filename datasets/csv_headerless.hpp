// A CSV file without a header row: its first line is data ("1964-01,2815"). Read as a header,
// it would lose its first row and name the columns '1964-01' and '2815' without a word; elman
// refuses it instead, showing the header line to add.
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

}  // namespace elman
