// Value cells of a CSV file: numbers as spreadsheets write them, and missing-value markers.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace elman {

// The markers of a missing value, besides an empty cell: NA, N/A, n/a, NaN, nan, NAN, null,
// NULL, None, ?, . (FRED's exports), #N/A (spreadsheets), <NA> (pandas).
const std::vector<std::string>& default_missing_markers();

enum class CellKind {
    number,        // value holds it
    missing,       // empty or a missing-value marker
    text,          // not a number
    out_of_range,  // a number beyond the range of a double (1e400)
    non_finite,    // inf, -inf, Infinity
};

struct CellValue {
    CellKind kind = CellKind::text;
    double value = 0.0;
};

// Reads one value cell. With decimal '.', a cell may group thousands with commas as
// spreadsheets write them ("12,345.5"); with decimal ',' ("12,5") with points, spaces or
// (narrow) no-break spaces ("1.234,5", "1 234,5"). Groups must have exactly three digits.
// A leading '+' is allowed. `extra_missing`: more markers (--na-values).
CellValue parse_cell(std::string_view cell, char decimal, const std::vector<std::string>& extra_missing = {});

bool is_missing_marker(std::string_view cell, const std::vector<std::string>& extra_missing = {});

// A hint for a text cell that looks like a number in the other decimal convention:
// " (a decimal comma? give --decimal ,)" / " (read with decimal comma; give --decimal .)", or "".
std::string decimal_hint(std::string_view cell, char decimal);

// Whether the thousands commas of a file read with a decimal point were an assumption: a cell
// like "2,815" (1-3 digits, one comma, 3 digits) is 2815 with ',' grouping thousands and 2.815
// with ',' as the decimal mark. The rule (above) reads it as thousands; when every number with
// a comma is of that form and no number has a decimal point (which would settle it), the reader
// says so. Feed it each value cell read as a number.
class ThousandsEvidence {
public:
    void see(std::string_view cell, std::size_t line);
    // "read 'x,xxx' values with ',' as the thousands separator ..." naming the first such cell
    // and --decimal ,; nullopt when no cell was ambiguous or one settled it.
    std::optional<std::string> note() const;

private:
    std::size_t ambiguous_ = 0, first_line_ = 0;
    std::string first_;
    bool settled_ = false;
};

}  // namespace elman
