// The text encoding of a CSV file: elman reads UTF-8 (with or without a BOM) and refuses the
// rest at the first line that shows it, before any training, so that a Latin-1 header does not
// surface later as a plot or JSON failure and a UTF-16 file does not give a garbled message.
#pragma once

#include <cstddef>
#include <string>

namespace elman {

// Throws elman::Error when `text` (one physical line of `path`, number `line`, line end removed)
// is not UTF-8: "FILE:1:1: the file is UTF-16 (little-endian, byte order mark FF FE); save it
// as UTF-8", "FILE:LINE:COLUMN: NUL byte ..." (UTF-16 without a BOM, or a binary file), or
// "FILE:LINE:COLUMN: byte 0xE9 is not UTF-8 (in 'Temp\xE9rature'; Latin-1 or Windows-1252?);
// save the file as UTF-8". COLUMN is the 1-based byte offset in the line. Raw non-UTF-8 bytes are
// never copied into a message: they are written as \xHH. UTF-8 validity follows RFC 3629
// (no overlong forms, no surrogates, nothing above U+10FFFF).
void check_utf8_line(const std::string& path, std::size_t line, const std::string& text);

// `text` with every byte outside printable ASCII written as \xHH, cut at `max_bytes` of input.
std::string escaped_bytes(const std::string& text, std::size_t max_bytes = 40);

}  // namespace elman
