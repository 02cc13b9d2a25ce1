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
#include "datasets/ascii.hpp"

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

}  // namespace

namespace {

// The format date.h reads: elman's %q as %m, %T and %R spelled out, and where each %S and %z
// directive starts in it (with its letter); not ok for any other directive.
struct Prepared {
    std::string format;
    std::vector<std::pair<std::size_t, char>> checks;
    bool ok = true;  // false: a directive outside the whitelist, a width of 3 digits or more
                     // (date.h's int overflows), a lone % at the end
};

Prepared prepare(const std::string& f)
{
    Prepared p;
    auto spelled = [&](const char* s) {
        for (const char* c = s; *c; ++c) {
            if (c[0] == '%' && c[1] == 'S') p.checks.emplace_back(p.format.size(), 'S');
            p.format += *c;
        }
    };
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (f[i] != '%') {
            p.format += f[i];
            continue;
        }
        std::size_t j = i + 1, digits = 0;
        while (j < f.size() && is_ascii_digit(f[j])) ++j, ++digits;
        const bool modified = j < f.size() && (f[j] == 'E' || f[j] == 'O');
        j += modified;
        // Only the directives of dates and times, widths of 1 or 2 digits, and E or O only in
        // %Ez: date.h mis-parses some others (after %t at the end of the input it reads the
        // next format character as a directive).
        static const std::string allowed = "YymdebBhHIMSpjqzTRFD%";
        if (j >= f.size() || digits > 2 || allowed.find(f[j]) == std::string::npos || (modified && f[j] != 'z')) {
            p.ok = false;
            return p;
        }
        const std::string head = f.substr(i, j - i);  // % and its width or modifier
        switch (f[j]) {
        case 'q': p.format += head.substr(0, head.size()) + "m"; break;
        case 'T': spelled("%H:%M:%S"); break;
        case 'R': spelled("%H:%M"); break;
        case 'S':
        case 'z':
            p.checks.emplace_back(p.format.size(), f[j]);
            p.format += head + f[j];
            break;
        default: p.format += head + f[j];
        }
        i = j;
    }
    return p;
}

// Two inputs date.h 3.0.1 mishandles (undefined behaviour, found by fuzz_dates): a %S field
// with no digit leaves its value uninitialized and then rounds it; a %z field of a '-' without
// two digits after it negates the smallest offset. Each must find what it reads first (a sign
// and two hour digits for %z and %Ez).
bool fields_readable(std::string_view label, const Prepared& p)
{
    for (const auto& [at, letter] : p.checks) {
        std::istringstream in{std::string(label)};
        date::fields<Ms> fds{};
        std::chrono::minutes offset{0};
        date::from_stream(in, p.format.substr(0, at).c_str(), fds, static_cast<std::string*>(nullptr), &offset);
        if (in.fail()) return false;
        const auto pos = static_cast<std::streamoff>(in.rdbuf()->pubseekoff(0, std::ios::cur, std::ios::in));
        const std::string_view rest = label.substr(std::min(label.size(), static_cast<std::size_t>(std::max<std::streamoff>(pos, 0))));
        if (letter == 'S' && (rest.empty() || !(is_ascii_digit(rest[0]) || rest[0] == '.'))) return false;
        if (letter == 'z' && (rest.size() < 3 || !(rest[0] == '+' || rest[0] == '-') || !is_ascii_digit(rest[1]) ||
                              !is_ascii_digit(rest[2])))
            return false;
    }
    return true;
}

}  // namespace

DateForm form_from_format(const std::string& format)
{
    DateForm f;
    f.format = format;
    bool year = false, quarter = false, month = false, day = false, minute = false, second = false;
    std::size_t month_at = std::string::npos, day_at = std::string::npos;
    for (std::size_t i = 0; i + 1 < format.size(); ++i) {
        if (format[i] != '%') continue;
        ++i;
        while (i + 1 < format.size() && (is_ascii_digit(format[i]) || format[i] == 'E' || format[i] == 'O')) ++i;
        const char c = format[i];
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
    if (!prepare(format).ok)
        throw Error("--date-format '" + format + "': elman reads the directives %Y %y %m %d %e %b %B %h %H %I %M "
                    "%S %p %j %q %z %Ez %T %R %F %D and %% (widths of at most 2 digits), and nothing after a last %");
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
    const Prepared p = prepare(form.format);
    if (!p.ok || !fields_readable(label, p)) return std::nullopt;
    const std::string& fmt = p.format;
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

std::string format_label(Instant t, const std::string& format)
{
    const CivilTime c = civil(t);
    std::string f;
    for (std::size_t i = 0; i < format.size(); ++i) {
        if (format[i] == '%' && i + 1 < format.size()) {
            if (format[i + 1] == 'q')
                f += static_cast<char>('0' + (c.month - 1) / 3 + 1);
            else
                f += format.substr(i, 2);
            ++i;
            continue;
        }
        f += format[i];
    }
    const date::sys_time<Ms> at{Ms{t}};
    try {
        if (t % 1000 == 0) return date::format(f.c_str(), date::floor<std::chrono::seconds>(at));
        return date::format(f.c_str(), at);
    } catch (const std::exception&) {
        return "";
    }
}

double fractional_year(Instant t)
{
    const CivilTime c = civil(t);
    const Instant start = make_instant(c.year, 1, 1), end = make_instant(c.year + 1, 1, 1);
    return c.year + static_cast<double>(t - start) / static_cast<double>(end - start);
}

}  // namespace elman
