#include "datasets/period.hpp"

#include <charconv>
#include <cstdio>

#include "core/error.hpp"

namespace elman {

std::string to_string(Frequency f)
{
    switch (f) {
    case Frequency::yearly: return "yearly";
    case Frequency::quarterly: return "quarterly";
    case Frequency::monthly: return "monthly";
    case Frequency::daily: return "daily";
    case Frequency::unknown: break;
    }
    return "unknown";
}

std::size_t season_length(Frequency f)
{
    switch (f) {
    case Frequency::quarterly: return 4;
    case Frequency::monthly: return 12;
    case Frequency::daily: return 7;
    case Frequency::yearly:
    case Frequency::unknown: break;
    }
    return 1;
}

std::string period_format(Frequency f)
{
    switch (f) {
    case Frequency::yearly: return "YYYY";
    case Frequency::quarterly: return "YYYY-Qn";
    case Frequency::monthly: return "YYYY-MM";
    case Frequency::daily: return "YYYY-MM-DD";
    case Frequency::unknown: break;
    }
    return "no known period format";
}

namespace {

// The number in exactly `width` decimal digits starting at s[pos], or -1.
int digits(std::string_view s, std::size_t pos, std::size_t width)
{
    if (pos + width > s.size()) return -1;
    for (std::size_t i = pos; i < pos + width; ++i)
        if (s[i] < '0' || s[i] > '9') return -1;
    int v = 0;
    std::from_chars(s.data() + pos, s.data() + pos + width, v);
    return v;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m)
{
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

// Days since 0000-03-01 of the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
long long days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const long long yoe = y - era * 400;
    const long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe;
}

// Inverse of days_from_civil.
void civil_from_days(long long z, int& y, int& m, int& d)
{
    const long long era = (z >= 0 ? z : z - 146096) / 146097;
    const long long doe = z - era * 146097;
    const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const long long mp = (5 * doy + 2) / 153;
    d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

}  // namespace

std::optional<Period> parse_period(std::string_view s)
{
    const int year = digits(s, 0, 4);
    if (year < 0) return std::nullopt;
    Period p;
    p.year = year;
    if (s.size() == 4) {
        p.frequency = Frequency::yearly;
        p.ordinal = year;
        return p;
    }
    if (s[4] != '-') return std::nullopt;
    if (s.size() == 7 && s[5] == 'Q') {
        const int q = digits(s, 6, 1);
        if (q < 1 || q > 4) return std::nullopt;
        p.frequency = Frequency::quarterly;
        p.sub = q;
        p.ordinal = 4LL * year + (q - 1);
        return p;
    }
    const int month = digits(s, 5, 2);
    if (month < 1 || month > 12) return std::nullopt;
    p.sub = month;
    if (s.size() == 7) {
        p.frequency = Frequency::monthly;
        p.ordinal = 12LL * year + (month - 1);
        return p;
    }
    if (s.size() != 10 || s[7] != '-') return std::nullopt;
    const int day = digits(s, 8, 2);
    if (day < 1 || day > days_in_month(year, month)) return std::nullopt;
    p.frequency = Frequency::daily;
    p.day = day;
    p.ordinal = days_from_civil(year, month, day);
    return p;
}

std::string format_period(const Period& p)
{
    char buf[32];
    switch (p.frequency) {
    case Frequency::yearly: std::snprintf(buf, sizeof buf, "%04d", p.year); break;
    case Frequency::quarterly: std::snprintf(buf, sizeof buf, "%04d-Q%d", p.year, p.sub); break;
    case Frequency::monthly: std::snprintf(buf, sizeof buf, "%04d-%02d", p.year, p.sub); break;
    case Frequency::daily:
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", p.year, p.sub, p.day);
        break;
    case Frequency::unknown: throw Error("format_period: a period of unknown frequency");
    }
    return buf;
}

Period advance(const Period& p, long long steps)
{
    Period q;
    q.frequency = p.frequency;
    q.ordinal = p.ordinal + steps;
    // Floor division keeps the year right for ordinals below zero too.
    auto floordiv = [](long long a, long long b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); };
    switch (p.frequency) {
    case Frequency::yearly: q.year = static_cast<int>(q.ordinal); break;
    case Frequency::quarterly:
        q.year = static_cast<int>(floordiv(q.ordinal, 4));
        q.sub = static_cast<int>(q.ordinal - 4LL * q.year) + 1;
        break;
    case Frequency::monthly:
        q.year = static_cast<int>(floordiv(q.ordinal, 12));
        q.sub = static_cast<int>(q.ordinal - 12LL * q.year) + 1;
        break;
    case Frequency::daily: civil_from_days(q.ordinal, q.year, q.sub, q.day); break;
    case Frequency::unknown: throw Error("advance: a period of unknown frequency");
    }
    return q;
}

}  // namespace elman
