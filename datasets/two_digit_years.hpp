// The century of two-digit years ("Jan-64", "31.12.99"). The parser reads them with the POSIX
// pivot (69–99 = 19xx, 00–68 = 20xx: strptime's %y), which puts 1950s data in the 2050s and
// splits 1964–1972 into 2064–2068 then 1969–1972. The reader then chooses the centuries from the
// series itself and says what it chose.
#pragma once

#include <string>
#include <vector>

#include "datasets/time_axis.hpp"

namespace elman {

// For every form of `rows` written with %y, re-reads the years of rows.instants so that the
// series runs forward in time, crossing at most one century boundary (between two rows at most
// 10 years apart, as 1998 → 2003), and its last row lies in the latest century that does not
// put it after `this_year`. Rows in no such order (to be sorted with --sort) are read in one
// century, the latest not after `this_year`, when their years span less than 50; else they keep
// the POSIX pivot. Either way `notes` gets "two-digit years read as 1964–1972 (...)".
// `this_year`: the current UTC year (the default) or a fixed one for tests.
void settle_two_digit_years(RawRows& rows, std::vector<std::string>& notes, int this_year = 0);

}  // namespace elman
