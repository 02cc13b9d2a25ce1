// CSV dialects: the character between cells, the decimal mark, and RFC 4180 quoting.
//
// A cell may be enclosed in double quotes; it may then hold the delimiter, line breaks, and ""
// for one quote (RFC 4180). Spaces around a cell are dropped (tabs too, unless the tab is the
// delimiter). The delimiter is sniffed among `,` `;` tab `|` from the header and the first data
// records: the one that splits the header into at least two cells and the most records into as
// many; the decimal mark is `,` when the delimiter is not `,` and the numbers are written with
// a comma (1,5 or 1.234,5) and none with a lone decimal point.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace elman {

struct Dialect {
    char delimiter = ',';
    char decimal = '.';
    bool delimiter_sniffed = false;  // chosen from the data, not given
    bool decimal_sniffed = false;
};

// The delimiters the sniffer tries, in order of preference on a tie.
inline constexpr std::string_view sniffed_delimiters = ",;\t|";

// "','", "';'", "tab", "'|'": a delimiter as messages name it.
std::string delimiter_name(char delimiter);

// A malformed cell: its 0-based index and what is wrong.
struct SplitError {
    std::size_t cell = 0;
    std::string what;
};

// Splits one record (physical lines already joined where a quoted cell holds a line break)
// into `cells`; returns the first malformed cell (an unterminated quote, text after a closing
// quote), leaving `cells` holding those before it.
std::optional<SplitError> split_record(std::string_view record, char delimiter, std::vector<std::string>& cells);

// True when `record` ends inside a quoted cell, so that the next line continues it.
bool ends_inside_quotes(std::string_view record, char delimiter);

// The dialect of a file from its records (the header first); a given delimiter or decimal
// mark is used as it is. Throws elman::Error when they are the same character.
Dialect sniff_dialect(const std::vector<std::string>& records, std::optional<char> delimiter = std::nullopt,
                      std::optional<char> decimal = std::nullopt);

// Drops typographic quotes around a header name: “Month” ‘Month’ «Month» „Month“ -> Month.
std::string strip_typographic_quotes(std::string name);

}  // namespace elman
