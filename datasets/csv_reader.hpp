// The records of a CSV file as datasets/csv.cpp reads them: physical lines (LF, CRLF or a bare
// CR, a UTF-8 BOM dropped; any other encoding refused, datasets/csv_encoding.hpp) joined where a quoted cell holds a line break, with their line numbers;
// the header; and the first data records, from which the dialect is sniffed.
#pragma once

#include <cstddef>
#include <deque>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "datasets/csv_dialect.hpp"

namespace elman {

class CsvRecords {
public:
    // Opens `path`; an elman::Error when it cannot be opened or is a directory.
    explicit CsvRecords(const std::string& path);

    const std::string& path() const { return path_; }

    // The header record and the non-blank lines after it, up to `sample_size` of them (with
    // their line numbers), read ahead without being consumed, to sniff the dialect from. Call
    // once, before record().
    std::vector<std::pair<std::string, std::size_t>> peek_sample(std::size_t sample_size);

    // The next record with the number of its first line; `delimiter` tells where a quoted cell
    // starts. False at the end of the file.
    bool record(char delimiter, std::string& text, std::size_t& line);

private:
    bool physical(std::string& text, std::size_t& line);

    std::string path_;
    std::ifstream in_;
    std::size_t line_ = 0;
    char line_end_ = '\n';
    std::deque<std::pair<std::string, std::size_t>> ahead_;
};

// The header's cells: typographic quotes around names dropped, an empty name called
// "Unnamed: i" (pandas' name for it, 0-based); duplicate names are an error "FILE:1:COLUMN".
std::vector<std::string> header_cells(const std::string& path, const std::string& record, char delimiter);

// A cell for messages: 'text', cut at 40 characters.
std::string shown_cell(const std::string& cell);

// "3 cells ('1949-01', '112', '5')".
std::string cells_listed(const std::vector<std::string>& cells);

}  // namespace elman
