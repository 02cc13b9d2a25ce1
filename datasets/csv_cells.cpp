#include "datasets/csv_cells.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

#include "datasets/ascii.hpp"

namespace elman {

const std::vector<std::string>& default_missing_markers()
{
    static const std::vector<std::string> m{"NA",   "N/A", "n/a", "NaN", "nan", "NAN", "-nan", "-NaN", "null",
                                            "NULL", "Null", "None", "?", ".", "#N/A", "<NA>"};
    return m;
}

bool is_missing_marker(std::string_view cell, const std::vector<std::string>& extra)
{
    if (cell.empty()) return true;
    for (const auto& m : default_missing_markers())
        if (cell == m) return true;
    for (const auto& m : extra)
        if (cell == m) return true;
    return false;
}

namespace {

// The thousands separator at s[i] (one of `seps`), its length, or 0.
std::size_t separator_at(std::string_view s, std::size_t i, const std::vector<std::string_view>& seps,
                         std::string_view& which)
{
    for (std::string_view sep : seps)
        if (s.substr(i, sep.size()) == sep) {
            which = sep;
            return sep.size();
        }
    return 0;
}

// The cell as from_chars reads it ("-1234.5e3"), or false when it is no number in this
// convention: [sign] digits [groups of three after one separator kind] [decimal mark digits]
// [exponent].
bool normalize(std::string_view s, char decimal, std::string& out)
{
    static const std::vector<std::string_view> comma_groups{","};
    static const std::vector<std::string_view> point_groups{".", " ", "\xC2\xA0", "\xE2\x80\xAF"};
    const auto& seps = decimal == ',' ? point_groups : comma_groups;
    out.clear();
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        if (s[i] == '-') out += '-';
        ++i;
    }
    std::size_t run = 0;
    while (i < s.size() && is_ascii_digit(s[i])) out += s[i++], ++run;
    std::string_view sep_kind;
    bool grouped = false;
    while (i < s.size() && run > 0) {
        std::string_view which;
        const std::size_t len = separator_at(s, i, seps, which);
        if (len == 0 || (grouped && which != sep_kind) || (!grouped && run > 3)) break;
        // A '.' group separator needs exactly three digits after it; otherwise it is no group.
        std::size_t j = i + len, k = 0;
        while (j + k < s.size() && is_ascii_digit(s[j + k])) ++k;
        if (k != 3) return false;
        out.append(s.substr(j, 3));
        grouped = true;
        sep_kind = which;
        i = j + 3;
    }
    if (i < s.size() && s[i] == decimal) {
        out += '.';
        ++i;
        while (i < s.size() && is_ascii_digit(s[i])) out += s[i++], ++run;
    }
    if (run == 0) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        out += s[i++];
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) out += s[i++];
        if (i >= s.size() || !is_ascii_digit(s[i])) return false;
        while (i < s.size() && is_ascii_digit(s[i])) out += s[i++];
    }
    return i == s.size();
}

}  // namespace

CellValue parse_cell(std::string_view cell, char decimal, const std::vector<std::string>& extra)
{
    if (is_missing_marker(cell, extra)) return {CellKind::missing, 0.0};
    std::string s(cell);
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string_view unsigned_part = !s.empty() && (s[0] == '-' || s[0] == '+') ? std::string_view(s).substr(1) : s;
    if (unsigned_part == "inf" || unsigned_part == "infinity") return {CellKind::non_finite, 0.0};
    std::string normal;
    if (!normalize(cell, decimal, normal)) return {CellKind::text, 0.0};
    double v = 0.0;
    const char* first = normal.data();
    const char* last = first + normal.size();
    const auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec == std::errc::result_out_of_range) return {CellKind::out_of_range, 0.0};
    if (ec != std::errc() || ptr != last) return {CellKind::text, 0.0};
    if (!std::isfinite(v)) return {CellKind::non_finite, 0.0};
    return {CellKind::number, v};
}

std::string decimal_hint(std::string_view cell, char decimal)
{
    const char other = decimal == '.' ? ',' : '.';
    std::string normal;
    if (!normalize(cell, other, normal)) return "";
    return decimal == '.' ? " (a decimal comma? give --decimal ,)"
                          : " (the file is read with a decimal comma; give --decimal . if it has none)";
}

void ThousandsEvidence::see(std::string_view cell, std::size_t line)
{
    if (settled_) return;
    const std::size_t comma = cell.find(',');
    if (cell.find('.') != std::string_view::npos || (comma != std::string_view::npos && cell.find(',', comma + 1) != std::string_view::npos)) {
        settled_ = true;  // 1,234.5 or 1.5 or 1,234,567: a decimal point, or groups only
        return;
    }
    if (comma == std::string_view::npos) return;
    const std::size_t sign = !cell.empty() && (cell[0] == '-' || cell[0] == '+');
    if (comma - sign < 1 || comma - sign > 3 || cell.size() - comma - 1 != 3) return;  // parse_cell's groups only
    if (ambiguous_++ == 0) {
        first_ = std::string(cell);
        first_line_ = line;
    }
}

std::optional<std::string> ThousandsEvidence::note() const
{
    if (settled_ || ambiguous_ == 0) return std::nullopt;
    return "read " + std::to_string(ambiguous_) + " value" + (ambiguous_ > 1 ? "s" : "") + " like '" + first_ +
           "' (line " + std::to_string(first_line_) + ") with ',' as the thousands separator, as no number in the " +
           "file has a decimal point to tell; give --decimal , if ',' is the decimal mark";
}

}  // namespace elman
