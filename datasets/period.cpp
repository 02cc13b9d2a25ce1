#include "datasets/period.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <sstream>

// GCC 12 reports a false "may be used uninitialized" inside date.h's parser (date::detail::
// read_long_double, inlined into parse_label) at -O2; the value is written before it is read.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <date/date.h>

#include "core/error.hpp"

namespace elman {

std::string to_string(Resolution r)
{
    switch (r) {
    case Resolution::year: return "year";
    case Resolution::quarter: return "quarter";
    case Resolution::month: return "month";
    case Resolution::day: return "day";
    case Resolution::minute: return "minute";
    case Resolution::second: return "second";
    }
    return "day";
}

namespace {

using Ms = std::chrono::milliseconds;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

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
        f.digits = is_digit(s[i]);
        if (!f.digits && !is_alpha(s[i])) return std::nullopt;
        while (i < s.size() && (f.digits ? is_digit(s[i]) : is_alpha(s[i]))) f.text += s[i++];
        bool space = false;
        while (i < s.size() && !is_digit(s[i]) && !is_alpha(s[i])) {
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
    if (q == std::string_view::npos || q + 1 >= s.size() || !is_digit(s[q + 1])) return std::nullopt;
    const std::string Q(1, s[q]);
    if (q >= 4 && s.size() == q + 2) {  // year first
        const std::string_view year = s.substr(0, 4), sep = s.substr(4, q - 4);
        for (char c : year)
            if (!is_digit(c)) return std::nullopt;
        if (sep.size() > 1 || (sep.size() == 1 && (is_digit(sep[0]) || is_alpha(sep[0]))))
            return std::nullopt;
        return DateForm{"%Y" + std::string(sep) + Q + "%q", Resolution::quarter};
    }
    if (q == 0 && s.size() >= 6) {  // quarter first
        const std::string_view sep = s.substr(2, s.size() - 6), year = s.substr(s.size() - 4);
        for (char c : year)
            if (!is_digit(c)) return std::nullopt;
        if (sep.size() > 1 || (sep.size() == 1 && (is_digit(sep[0]) || is_alpha(sep[0]))))
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
    while (h > 0 && is_digit(s[h - 1])) --h;
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
        return at + 2 <= s.size() && is_digit(s[at]) && is_digit(s[at + 1]) && (s[at] - '0') * 10 + (s[at + 1] - '0') < limit;
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
            while (i < s.size() && is_digit(s[i])) ++i;
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
            if (!is_digit(c)) return false;
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

DateForm form_from_format(const std::string& format)
{
    DateForm f;
    f.format = format;
    bool year = false, quarter = false, month = false, day = false, minute = false, second = false;
    std::size_t month_at = std::string::npos, day_at = std::string::npos;
    for (std::size_t i = 0; i + 1 < format.size(); ++i) {
        if (format[i] != '%') continue;
        char c = format[++i];
        if (c == 'E' || c == 'O') {
            if (i + 1 >= format.size()) break;
            c = format[++i];
        }
        switch (c) {
        case 'Y': case 'y': case 'G': case 'g': year = true; break;
        case 'q': quarter = true; break;
        case 'm': case 'b': case 'B': case 'h': month = true; month_at = std::min(month_at, i); break;
        case 'd': case 'e': day = true; day_at = std::min(day_at, i); break;
        case 'j': day = month = true; break;
        case 'F': year = month = day = true; break;
        case 'D': year = month = day = true; month_at = std::min(month_at, i); break;
        case 'H': case 'I': case 'M': case 'R': minute = true; break;
        case 'S': case 'T': second = true; break;
        case 'z': f.utc = true; break;
        default: break;
        }
    }
    if (!year)
        throw Error("--date-format '" + format + "': the format names no year (%Y or %y)");
    f.resolution = second ? Resolution::second
                   : minute ? Resolution::minute
                   : day ? Resolution::day
                   : quarter ? Resolution::quarter
                   : month ? Resolution::month
                             : Resolution::year;
    if (f.resolution > Resolution::day && !day)
        throw Error("--date-format '" + format + "': a time of day needs a day (%d) and a month (%m)");
    f.day_first = day_at < month_at;
    return f;
}

std::optional<Instant> parse_label(std::string_view label, const DateForm& form)
{
    std::string fmt = form.format;
    for (std::size_t p = fmt.find("%q"); p != std::string::npos; p = fmt.find("%q", p + 2)) fmt[p + 1] = 'm';
    thread_local std::istringstream in;
    in.clear();
    in.str(std::string(label));
    date::fields<Ms> fds{};
    std::chrono::minutes offset{0};
    date::from_stream(in, fmt.c_str(), fds, static_cast<std::string*>(nullptr), &offset);
    if (in.fail() || in.peek() != std::char_traits<char>::eof()) return std::nullopt;
    const date::year y = fds.ymd.year();
    if (!y.ok() || int(y) < -9999 || int(y) > 9999) return std::nullopt;
    unsigned month = 1, day = 1;
    switch (form.resolution) {
    case Resolution::year: break;
    case Resolution::quarter: {
        const unsigned q = unsigned(fds.ymd.month());
        if (q < 1 || q > 4) return std::nullopt;
        month = 3 * (q - 1) + 1;
        break;
    }
    case Resolution::month:
        if (!fds.ymd.month().ok()) return std::nullopt;
        month = unsigned(fds.ymd.month());
        break;
    default:
        if (!fds.ymd.ok()) return std::nullopt;
        month = unsigned(fds.ymd.month());
        day = unsigned(fds.ymd.day());
    }
    Instant tod = 0;
    if (fds.has_tod) {
        tod = std::chrono::duration_cast<Ms>(fds.tod.to_duration()).count();
        if (tod < 0 || tod >= ms_per_day) return std::nullopt;
    }
    return make_instant(int(y), month, day, tod) - offset.count() * ms_per_minute;
}

Instant make_instant(int year, unsigned month, unsigned day, Instant time_of_day)
{
    const date::sys_days d{date::year{year} / date::month{month} / date::day{day}};
    return static_cast<Instant>(d.time_since_epoch().count()) * ms_per_day + time_of_day;
}

unsigned days_in_month(int year, unsigned month)
{
    return unsigned((date::year{year} / date::month{month} / date::last).day());
}

CivilTime civil(Instant t)
{
    // Floor division: instants before 1970 are negative.
    Instant days = t / ms_per_day;
    if (t % ms_per_day < 0) --days;
    const date::sys_days d{date::days{days}};
    const date::year_month_day ymd{d};
    CivilTime c;
    c.year = int(ymd.year());
    c.month = unsigned(ymd.month());
    c.day = unsigned(ymd.day());
    c.weekday = date::weekday{d}.c_encoding();
    c.time_of_day = t - days * ms_per_day;
    return c;
}

std::string format_instant(Instant t, Resolution r, bool utc)
{
    const CivilTime c = civil(t);
    const long long s = c.time_of_day / 1000;
    const int hh = int(s / 3600), mm = int(s / 60 % 60), ss = int(s % 60);
    const char sep = utc ? 'T' : ' ';
    const char* z = utc ? "Z" : "";
    char buf[64];
    switch (r) {
    case Resolution::year: std::snprintf(buf, sizeof buf, "%04d", c.year); break;
    case Resolution::quarter:
        std::snprintf(buf, sizeof buf, "%04d-Q%u", c.year, (c.month - 1) / 3 + 1);
        break;
    case Resolution::month: std::snprintf(buf, sizeof buf, "%04d-%02u", c.year, c.month); break;
    case Resolution::day:
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", c.year, c.month, c.day);
        break;
    case Resolution::minute:
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02u%c%02d:%02d%s", c.year, c.month, c.day, sep,
                      hh, mm, z);
        break;
    case Resolution::second:
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02u%c%02d:%02d:%02d%s", c.year, c.month, c.day,
                      sep, hh, mm, ss, z);
        break;
    }
    return buf;
}

double fractional_year(Instant t)
{
    const CivilTime c = civil(t);
    const Instant start = make_instant(c.year, 1, 1), end = make_instant(c.year + 1, 1, 1);
    return c.year + static_cast<double>(t - start) / static_cast<double>(end - start);
}

}  // namespace elman
