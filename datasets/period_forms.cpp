// The forms a period label's shape allows (label_forms, datasets/period.hpp): the label is cut
// into a date part of fields (digit runs, month names) with the separators between them, and an
// optional time of day and zone; each arrangement of fields maps to strftime directives.
#include <cctype>
#include <optional>

#include "datasets/ascii.hpp"
#include "datasets/period.hpp"

namespace elman {

namespace {

// A month name or its three-letter abbreviation, in English (date.h's C locale reads both).
bool is_month_name(std::string_view w)
{
    static const char* names[] = {"january", "february", "march",     "april",   "may",      "june",
                                  "july",    "august",   "september", "october", "november", "december"};
    std::string lower;
    for (char c : w) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* n : names)
        if (lower == n || (lower.size() == 3 && std::string_view(n).substr(0, 3) == lower)) return true;
    return false;
}

// A run of letters or digits of a label's date part, and the separator text after it.
struct Field {
    bool digits = false;
    std::string text, sep;
};

// The date part split into fields; nullopt when two fields touch without a separator (other
// than the compact forms, which are one digit run) or a character is neither.
std::optional<std::vector<Field>> split_fields(std::string_view s)
{
    std::vector<Field> out;
    std::size_t i = 0;
    while (i < s.size()) {
        Field f;
        f.digits = is_ascii_digit(s[i]);
        if (!f.digits && !is_ascii_alpha(s[i])) return std::nullopt;
        while (i < s.size() && (f.digits ? is_ascii_digit(s[i]) : is_ascii_alpha(s[i]))) f.text += s[i++];
        bool space = false;
        while (i < s.size() && !is_ascii_digit(s[i]) && !is_ascii_alpha(s[i])) {
            const char c = s[i++];
            if (c == ' ' || c == '\t') {
                space = true;
                continue;
            }
            if (space && !f.sep.empty()) f.sep += ' ';
            space = false;
            if (c == '%') f.sep += '%';
            f.sep += c;
        }
        if (space) f.sep += ' ';
        if (f.sep.empty() == (i < s.size())) return std::nullopt;  // fields touch, or a trailing separator
        out.push_back(std::move(f));
    }
    return out;
}

// A digit field of 1 or 2 digits (month, day, 2-digit year).
bool short_number(const Field& f) { return f.digits && !f.text.empty() && f.text.size() <= 2; }
bool year4(const Field& f) { return f.digits && f.text.size() == 4; }
bool month_word(const Field& f) { return !f.digits && is_month_name(f.text); }

// Forms of a date part with no time, from its fields.
std::vector<DateForm> date_forms(const std::vector<Field>& f)
{
    using R = Resolution;
    auto form = [](std::string fmt, R r, bool ambiguous = false, bool day_first = false) {
        return DateForm{std::move(fmt), r, false, ambiguous, day_first};
    };
    std::vector<DateForm> out;
    if (f.size() == 1 && f[0].digits) {
        if (f[0].text.size() == 4) out.push_back(form("%Y", R::year));
        if (f[0].text.size() == 6) out.push_back(form("%Y%m", R::month));
        if (f[0].text.size() == 8) out.push_back(form("%Y%m%d", R::day));
    } else if (f.size() == 2) {
        const std::string s = f[0].sep;
        if (year4(f[0]) && short_number(f[1])) out.push_back(form("%Y" + s + "%m", R::month));
        if (short_number(f[0]) && year4(f[1])) out.push_back(form("%m" + s + "%Y", R::month));
        if (year4(f[0]) && month_word(f[1])) out.push_back(form("%Y" + s + "%b", R::month));
        if (month_word(f[0]) && year4(f[1])) out.push_back(form("%b" + s + "%Y", R::month));
        if (month_word(f[0]) && f[1].digits && f[1].text.size() == 2)
            out.push_back(form("%b" + s + "%y", R::month));
    } else if (f.size() == 3) {
        const std::string s1 = f[0].sep, s2 = f[1].sep;
        const bool y2 = f[2].digits && f[2].text.size() == 2;
        const std::string y = year4(f[2]) ? "%Y" : y2 ? "%y" : "";
        if (year4(f[0]) && short_number(f[1]) && short_number(f[2]))
            out.push_back(form("%Y" + s1 + "%m" + s2 + "%d", R::day));
        if (year4(f[0]) && month_word(f[1]) && short_number(f[2]))
            out.push_back(form("%Y" + s1 + "%b" + s2 + "%d", R::day));
        if (!y.empty() && short_number(f[0]) && short_number(f[1])) {
            // D.M.Y is the only order written with points (German, Russian, ...); with / and -
            // both orders are common and the data decides.
            const bool points = s1 == "." && s2 == ".";
            if (!points) out.push_back(form("%m" + s1 + "%d" + s2 + y, R::day, true, false));
            out.push_back(form("%d" + s1 + "%m" + s2 + y, R::day, !points, true));
        }
        if (!y.empty() && short_number(f[0]) && month_word(f[1]))
            out.push_back(form("%d" + s1 + "%b" + s2 + y, R::day, false, true));
        if (month_word(f[0]) && short_number(f[1]) && year4(f[2]))
            out.push_back(form("%b" + s1 + "%d" + s2 + "%Y", R::day));
    }
    return out;
}

// YYYY-Qn, YYYYQn, YYYY Qn, Qn YYYY, Qn-YYYY (q or Q).
std::optional<DateForm> quarter_form(std::string_view s)
{
    std::size_t q = s.find_first_of("Qq");
    if (q == std::string_view::npos || q + 1 >= s.size() || !is_ascii_digit(s[q + 1])) return std::nullopt;
    const std::string Q(1, s[q]);
    if (q >= 4 && s.size() == q + 2) {  // year first
        const std::string_view year = s.substr(0, 4), sep = s.substr(4, q - 4);
        for (char c : year)
            if (!is_ascii_digit(c)) return std::nullopt;
        if (sep.size() > 1 || (sep.size() == 1 && (is_ascii_digit(sep[0]) || is_ascii_alpha(sep[0]))))
            return std::nullopt;
        return DateForm{"%Y" + std::string(sep) + Q + "%q", Resolution::quarter};
    }
    if (q == 0 && s.size() >= 6) {  // quarter first
        const std::string_view sep = s.substr(2, s.size() - 6), year = s.substr(s.size() - 4);
        for (char c : year)
            if (!is_ascii_digit(c)) return std::nullopt;
        if (sep.size() > 1 || (sep.size() == 1 && (is_ascii_digit(sep[0]) || is_ascii_alpha(sep[0]))))
            return std::nullopt;
        return DateForm{Q + "%q" + std::string(sep) + "%Y", Resolution::quarter};
    }
    return std::nullopt;
}

// Splits "DATE[ |T]hh:mm[:ss[.fff]][Z|±hh:mm|±hhmm]" into the date part and the format of the
// rest; nullopt when there is no time part.
struct TimePart {
    std::string_view date;
    std::string format;
    Resolution resolution = Resolution::minute;
    bool utc = false;
};

std::optional<TimePart> split_time(std::string_view s)
{
    const std::size_t colon = s.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::size_t h = colon;
    while (h > 0 && is_ascii_digit(s[h - 1])) --h;
    if (colon - h < 1 || colon - h > 2 || h < 2) return std::nullopt;
    TimePart t;
    const char before = s[h - 1];
    if (before != ' ' && before != 'T') return std::nullopt;
    std::size_t date_end = h - 1;
    while (date_end > 0 && s[date_end - 1] == ' ') --date_end;
    t.date = s.substr(0, date_end);
    t.format = before == 'T' ? "T%H:%M" : " %H:%M";
    std::size_t i = colon + 1;
    // Two digits below `limit` (minutes and seconds below 60: date.h reads 12:60 as 13:00).
    auto two_digits = [&](std::size_t at, int limit = 60) {
        return at + 2 <= s.size() && is_ascii_digit(s[at]) && is_ascii_digit(s[at + 1]) && (s[at] - '0') * 10 + (s[at + 1] - '0') < limit;
    };
    if (!two_digits(i)) return std::nullopt;
    i += 2;
    if (i < s.size() && s[i] == ':') {
        if (!two_digits(i + 1, 61)) return std::nullopt;  // 60: a leap second
        i += 3;
        t.format += ":%S";
        t.resolution = Resolution::second;
        if (i < s.size() && s[i] == '.') {
            ++i;
            const std::size_t f0 = i;
            while (i < s.size() && is_ascii_digit(s[i])) ++i;
            if (i == f0) return std::nullopt;
        }
    }
    const std::string_view zone = s.substr(i);
    if (zone.empty()) return t;
    t.utc = true;
    if (zone == "Z") {
        t.format += "Z";
        return t;
    }
    const bool sign = zone[0] == '+' || zone[0] == '-';
    auto digits = [&](std::string_view d) {
        for (char c : d)
            if (!is_ascii_digit(c)) return false;
        return true;
    };
    if (sign && zone.size() == 6 && zone[3] == ':' && digits(zone.substr(1, 2)) && digits(zone.substr(4)))
        t.format += "%Ez";
    else if (sign && zone.size() == 5 && digits(zone.substr(1)))
        t.format += "%z";
    else
        return std::nullopt;
    return t;
}

}  // namespace

std::vector<DateForm> label_forms(std::string_view label)
{
    const std::optional<TimePart> time = split_time(label);
    const std::string_view date_part = time ? time->date : label;
    std::vector<DateForm> out;
    if (!time)
        if (auto q = quarter_form(date_part)) out.push_back(*q);
    if (out.empty())
        if (const auto fields = split_fields(date_part)) out = date_forms(*fields);
    if (time) {
        std::vector<DateForm> timed;
        for (DateForm f : out)
            if (f.resolution == Resolution::day) {
                f.format += time->format;
                f.resolution = time->resolution;
                f.utc = time->utc;
                timed.push_back(f);
            }
        out = std::move(timed);
    }
    return out;
}

}  // namespace elman
