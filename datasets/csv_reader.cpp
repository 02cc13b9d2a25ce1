#include "datasets/csv_reader.hpp"

#include <filesystem>
#include <system_error>

#include "core/error.hpp"
#include "datasets/csv_encoding.hpp"

namespace elman {

namespace {

// '\r' when the file's lines end in a bare CR (classic Mac OS, some old exports): the first
// 64 KiB hold a CR and no LF. Otherwise '\n' (LF or CRLF).
char line_end_of(std::ifstream& in)
{
    std::string head(64 * 1024, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    in.clear();
    in.seekg(0);
    return head.find('\n') == std::string::npos && head.find('\r') != std::string::npos ? '\r' : '\n';
}

}  // namespace

CsvRecords::CsvRecords(const std::string& path) : path_(path)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw Error(path + ": is a directory, expected a CSV file");
    in_.open(path, std::ios::binary);
    if (!in_) throw Error(path + ": cannot open file");
    line_end_ = line_end_of(in_);
}

bool CsvRecords::physical(std::string& text, std::size_t& line)
{
    if (!ahead_.empty()) {
        text = std::move(ahead_.front().first);
        line = ahead_.front().second;
        ahead_.pop_front();
        return true;
    }
    if (!std::getline(in_, text, line_end_)) return false;
    line = ++line_;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    check_utf8_line(path_, line, text);
    if (line == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
    return true;
}

std::vector<std::pair<std::string, std::size_t>> CsvRecords::peek_sample(std::size_t sample_size)
{
    std::vector<std::pair<std::string, std::size_t>> sample;
    std::string text;
    std::size_t line = 0;
    std::deque<std::pair<std::string, std::size_t>> read;
    while (sample.size() <= sample_size && physical(text, line)) {
        if (text.find_first_not_of(" \t") != std::string::npos) sample.emplace_back(text, line);
        read.emplace_back(std::move(text), line);
    }
    ahead_ = std::move(read);
    return sample;
}

bool CsvRecords::record(char delimiter, std::string& text, std::size_t& line)
{
    if (!physical(text, line)) return false;
    std::string more;
    std::size_t more_line = 0;
    // A quoted cell may span lines (RFC 4180); the record goes on until its quote closes.
    while (ends_inside_quotes(text, delimiter) && physical(more, more_line)) text += "\n" + more;
    return true;
}

std::string shown_cell(const std::string& cell)
{
    constexpr std::size_t max_shown = 40;
    if (cell.size() > max_shown) return "'" + cell.substr(0, max_shown) + "...'";
    return "'" + cell + "'";
}

std::string cells_listed(const std::vector<std::string>& cells)
{
    std::string s = std::to_string(cells.size()) + (cells.size() == 1 ? " cell (" : " cells (");
    for (std::size_t i = 0; i < cells.size() && i < 8; ++i) s += (i ? ", " : "") + shown_cell(cells[i]);
    return s + (cells.size() > 8 ? ", ...)" : ")");
}

std::vector<std::string> header_cells(const std::string& path, const std::string& record, char delimiter)
{
    std::vector<std::string> header;
    if (const auto e = split_record(record, delimiter, header))
        throw Error(path + ":1:" + std::to_string(e->cell + 1) + ": header: " + e->what);
    for (std::size_t i = 0; i < header.size(); ++i) {
        header[i] = strip_typographic_quotes(header[i]);
        if (header[i].empty()) header[i] = "Unnamed: " + std::to_string(i);
        for (std::size_t j = 0; j < i; ++j)
            if (header[j] == header[i])
                throw Error(path + ":1:" + std::to_string(i + 1) + ": column '" + header[i] +
                            "': duplicate column name (also column " + std::to_string(j + 1) + ")");
    }
    return header;
}

}  // namespace elman
