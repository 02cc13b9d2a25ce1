#include "datasets/csv_dialect.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace elman {

std::string delimiter_name(char delimiter)
{
    if (delimiter == '\t') return "tab";
    return std::string("'") + delimiter + "'";
}

namespace {

bool blank(char c, char delimiter) { return c == ' ' || (c == '\t' && delimiter != '\t'); }

std::string shown(std::string_view s)
{
    constexpr std::size_t max_shown = 40;
    if (s.size() > max_shown) return "'" + std::string(s.substr(0, max_shown)) + "...'";
    return "'" + std::string(s) + "'";
}

}  // namespace

std::optional<SplitError> split_record(std::string_view line, char delimiter, std::vector<std::string>& cells)
{
    cells.clear();
    std::size_t i = 0;
    while (true) {
        std::string cell;
        std::size_t j = i;
        while (j < line.size() && blank(line[j], delimiter)) ++j;
        if (j < line.size() && line[j] == '"') {
            ++j;
            while (true) {
                if (j >= line.size())
                    return SplitError{cells.size(), "unterminated double quote, expected a closing '\"'"};
                if (line[j] == '"') {
                    if (j + 1 < line.size() && line[j + 1] == '"') {
                        cell += '"';
                        j += 2;
                        continue;
                    }
                    ++j;
                    break;
                }
                cell += line[j++];
            }
            while (j < line.size() && blank(line[j], delimiter)) ++j;
            if (j < line.size() && line[j] != delimiter)
                return SplitError{cells.size(), "found " + shown(line.substr(j)) + " after a closing quote, expected " +
                                                    delimiter_name(delimiter) + " or the end of the line"};
        } else {
            const std::size_t end = line.find(delimiter, i);
            j = end == std::string_view::npos ? line.size() : end;
            std::size_t a = i, b = j;
            while (a < b && blank(line[a], delimiter)) ++a;
            while (b > a && blank(line[b - 1], delimiter)) --b;
            cell = std::string(line.substr(a, b - a));
        }
        cells.push_back(std::move(cell));
        if (j >= line.size()) return std::nullopt;
        i = j + 1;
    }
}

bool ends_inside_quotes(std::string_view line, char delimiter)
{
    bool in_quotes = false, cell_start = true;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (in_quotes) {
            if (c == '"') {
                if (i + 1 < line.size() && line[i + 1] == '"')
                    ++i;
                else
                    in_quotes = false;
            }
            continue;
        }
        if (c == delimiter)
            cell_start = true;
        else if (c == '"' && cell_start)
            in_quotes = true;
        else if (!blank(c, delimiter))
            cell_start = false;
    }
    return in_quotes;
}

namespace {

bool digits(std::string_view s, std::size_t& i)
{
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
}

// 1,5 or -12,25 or 1.234,5: a number written with a decimal comma.
bool decimal_comma_number(std::string_view s)
{
    std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    const std::size_t head = i;
    if (!digits(s, i)) return false;
    while (i < s.size() && s[i] == '.') {  // thousands groups
        const std::size_t g = ++i;
        if (!digits(s, i) || i - g != 3 || g - 1 - head > 3) return false;
    }
    if (i >= s.size() || s[i] != ',') return false;
    ++i;
    return digits(s, i) && i == s.size();
}

// 1.5 or -0.25: one decimal point, no comma.
bool decimal_point_number(std::string_view s)
{
    std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    if (!digits(s, i) || i >= s.size() || s[i] != '.') return false;
    ++i;
    return digits(s, i) && i == s.size();
}

char sniff_delimiter(const std::vector<std::string>& records)
{
    char best = ',';
    std::size_t best_agree = 0, best_cells = 1;
    std::vector<std::string> cells;
    for (char d : sniffed_delimiters) {
        if (split_record(records.front(), d, cells)) continue;
        const std::size_t h = cells.size();
        if (h < 2) continue;
        std::size_t agree = 0;
        for (std::size_t r = 1; r < records.size(); ++r)
            if (!split_record(records[r], d, cells) && cells.size() == h) ++agree;
        if (best_cells < 2 || agree > best_agree || (agree == best_agree && h > best_cells)) {
            best = d;
            best_agree = agree;
            best_cells = h;
        }
    }
    return best;
}

}  // namespace

Dialect sniff_dialect(const std::vector<std::string>& records, std::optional<char> delimiter,
                      std::optional<char> decimal)
{
    Dialect d;
    if (delimiter && decimal && *delimiter == *decimal)
        throw Error("--delimiter and --decimal are both " + delimiter_name(*delimiter));
    d.delimiter = delimiter ? *delimiter : records.empty() ? ',' : sniff_delimiter(records);
    d.delimiter_sniffed = !delimiter;
    if (decimal) {
        d.decimal = *decimal;
        return d;
    }
    if (d.delimiter == ',') return d;
    std::size_t commas = 0, points = 0;
    std::vector<std::string> cells;
    for (std::size_t r = 1; r < records.size(); ++r) {
        if (split_record(records[r], d.delimiter, cells)) continue;
        for (const auto& c : cells) {
            commas += decimal_comma_number(c);
            points += decimal_point_number(c);
        }
    }
    if (commas > 0 && points == 0) {
        d.decimal = ',';
        d.decimal_sniffed = true;
    }
    return d;
}

std::string strip_typographic_quotes(std::string name)
{
    // “ ” ‘ ’ „ « » in UTF-8
    static const char* marks[] = {"\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\x98", "\xE2\x80\x99",
                                  "\xE2\x80\x9E", "\xC2\xAB",     "\xC2\xBB"};
    auto strip = [&](bool front) {
        for (const char* m : marks) {
            const std::string_view mk(m);
            if (name.size() < mk.size()) continue;
            if (front && name.compare(0, mk.size(), mk) == 0) {
                name.erase(0, mk.size());
                return true;
            }
            if (!front && name.compare(name.size() - mk.size(), mk.size(), mk) == 0) {
                name.erase(name.size() - mk.size());
                return true;
            }
        }
        return false;
    };
    while (strip(true)) {
    }
    while (strip(false)) {
    }
    const auto a = name.find_first_not_of(' '), b = name.find_last_not_of(' ');
    return a == std::string::npos ? std::string() : name.substr(a, b - a + 1);
}

}  // namespace elman
