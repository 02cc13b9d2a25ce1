// Which values the CSV reader made up: missing cells and missing periods that --interpolate
// (Missing::interpolate, Gaps::interpolate) filled. They are recorded so the reader can say so
// and the forecast pipeline can leave them out of the scores (a made-up value is no actual).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "datasets/time_axis.hpp"

namespace elman {

// The rows of each value column that are still missing (NaN) in `rows`, before interpolation:
// result[c] lists column c's row indices, ascending. When missing cells of the file (rows with a
// line number; inserted periods have their own note) are among them, `notes` gets
// "filled 3 missing values by linear interpolation (--interpolate): line 12 '1971-11' (column
// 'Sales'), ...", naming the first lines.
std::vector<std::vector<std::size_t>> filled_values(const RawRows& rows, const std::vector<std::string>& columns,
                                                    std::vector<std::string>& notes);

}  // namespace elman
