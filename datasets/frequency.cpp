#include "datasets/frequency.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include "core/error.hpp"

namespace elman {

std::string to_string(Frequency f)
{
    switch (f) {
    case Frequency::yearly: return "yearly";
    case Frequency::quarterly: return "quarterly";
    case Frequency::monthly: return "monthly";
    case Frequency::weekly: return "weekly";
    case Frequency::business_daily: return "business-daily";
    case Frequency::daily: return "daily";
    case Frequency::sub_daily: return "sub-daily";
    case Frequency::other: return "other";
    case Frequency::unknown: break;
    }
    return "unknown";
}

std::string to_string(Source s)
{
    switch (s) {
    case Source::inferred: return "inferred";
    case Source::given: return "given";
    case Source::by_default: break;
    }
    return "default";
}

Frequency Calendar::frequency() const
{
    switch (unit) {
    case CalendarUnit::month:
        return step % 12 == 0 ? Frequency::yearly
               : step == 3    ? Frequency::quarterly
               : step == 1    ? Frequency::monthly
                              : Frequency::other;
    case CalendarUnit::day:
        return step == 1 ? Frequency::daily : step == 7 ? Frequency::weekly : Frequency::other;
    case CalendarUnit::business_day: return step == 1 ? Frequency::business_daily : Frequency::other;
    case CalendarUnit::minute: return step < 1440 ? Frequency::sub_daily : Frequency::other;
    case CalendarUnit::none: break;
    }
    return Frequency::unknown;
}

std::string frequency_name(const Calendar& c)
{
    const std::string n = std::to_string(c.step);
    switch (c.unit) {
    case CalendarUnit::month:
        if (c.step == 12) return "yearly";
        if (c.step % 12 == 0) return "every " + std::to_string(c.step / 12) + " years";
        if (c.step == 6) return "half-yearly";
        if (c.step == 3) return "quarterly";
        return c.step == 1 ? "monthly" : "every " + n + " months";
    case CalendarUnit::day:
        if (c.step == 1) return "daily";
        if (c.step == 7) return "weekly";
        if (c.step % 7 == 0) return "every " + std::to_string(c.step / 7) + " weeks";
        return "every " + n + " days";
    case CalendarUnit::business_day:
        return c.step == 1 ? "business-daily" : "every " + n + " business days";
    case CalendarUnit::minute:
        if (c.step == 60) return "hourly";
        if (c.step % 60 == 0) return std::to_string(c.step / 60) + "-hourly";
        return n + "-minute";
    case CalendarUnit::none: break;
    }
    return "unknown";
}

std::string describe(const Calendar& c, std::optional<Instant> first)
{
    std::string d = frequency_name(c);
    static const char* days[] = {"Sundays", "Mondays", "Tuesdays", "Wednesdays",
                                 "Thursdays", "Fridays", "Saturdays"};
    if (c.unit == CalendarUnit::month && c.resolution >= Resolution::day)
        d += c.last_day ? " (month end)"
             : c.day_of_month == 0 ? " (the day of the month varies)"
                                   : " (on day " + std::to_string(c.day_of_month) + ")";
    if (c.unit == CalendarUnit::day && c.step % 7 == 0 && first) d += std::string(" (") + days[civil(*first).weekday] + ")";
    if (c.unit == CalendarUnit::business_day) d += " (Mon-Fri)";
    return d;
}

Calendar parse_frequency(const std::string& name)
{
    Calendar c;
    std::string s;
    for (char ch : name) s += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto set = [&](CalendarUnit u, std::int64_t step) {
        c.unit = u;
        c.step = step;
        return c;
    };
    if (s == "yearly" || s == "annual" || s == "y") return set(CalendarUnit::month, 12);
    if (s == "quarterly" || s == "q") return set(CalendarUnit::month, 3);
    if (s == "monthly" || s == "m") return set(CalendarUnit::month, 1);
    if (s == "weekly" || s == "w") return set(CalendarUnit::day, 7);
    if (s == "business-daily" || s == "business_daily" || s == "b") return set(CalendarUnit::business_day, 1);
    if (s == "daily" || s == "d") return set(CalendarUnit::day, 1);
    if (s == "hourly" || s == "h") return set(CalendarUnit::minute, 60);
    // Nmin, Nh
    std::size_t used = 0;
    long long k = 0;
    try {
        k = std::stoll(s, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    const std::string unit = s.substr(used);
    if (used > 0 && k >= 1 && k <= 1440 * 366) {
        if (unit == "min" || unit == "t") return set(CalendarUnit::minute, k);
        if (unit == "h") return set(CalendarUnit::minute, 60 * k);
    }
    throw Error("--frequency '" + name + "': expected yearly, quarterly, monthly, weekly, "
                "business-daily, daily, hourly, a number of minutes like 15min, or of hours like 3h");
}

std::size_t default_season(const Calendar& c)
{
    switch (c.frequency()) {
    case Frequency::quarterly: return 4;
    case Frequency::monthly: return 12;
    case Frequency::weekly: return 52;
    case Frequency::business_daily: return 5;
    case Frequency::daily: return 7;
    case Frequency::sub_daily: return 1440 % c.step == 0 ? static_cast<std::size_t>(1440 / c.step) : 1;
    case Frequency::other:
        if (c.unit == CalendarUnit::month && 12 % c.step == 0) return static_cast<std::size_t>(12 / c.step);
        return 1;
    case Frequency::yearly:
    case Frequency::unknown: break;
    }
    return 1;
}

std::vector<std::size_t> seasonalities(const Calendar& c)
{
    const std::size_t m = default_season(c);
    if (m == 1) return {};
    switch (c.frequency()) {
    case Frequency::daily: return {7, 365};
    case Frequency::business_daily: return {5, 260};
    case Frequency::sub_daily:
        if (10080 % c.step == 0) return {m, static_cast<std::size_t>(10080 / c.step)};
        return {m};
    default: return {m};
    }
}

std::size_t default_horizon(const Calendar& c)
{
    switch (c.frequency()) {
    case Frequency::yearly: return 6;
    case Frequency::quarterly: return 8;
    case Frequency::monthly: return 18;
    case Frequency::weekly: return 13;
    case Frequency::business_daily:
    case Frequency::daily: return 14;
    case Frequency::sub_daily: return 48;
    case Frequency::other:
    case Frequency::unknown: break;
    }
    return 8;
}

namespace {

// Floor division for day numbers and months before 1970 / year 0.
std::int64_t floordiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::int64_t day_number(Instant t) { return floordiv(t, ms_per_day); }

// Months since year 0.
std::int64_t month_number(Instant t)
{
    const CivilTime c = civil(t);
    return std::int64_t(c.year) * 12 + (c.month - 1);
}

// Mon..Fri numbered consecutively (1970-01-01 was a Thursday); nullopt on a weekend.
std::optional<std::int64_t> business_number(Instant t)
{
    const std::int64_t d = day_number(t) + 3;  // 0 = a Monday
    const std::int64_t week = floordiv(d, 7), r = d - 7 * week;
    if (r >= 5) return std::nullopt;
    return 5 * week + r;
}

// The most common value (the smallest of equally common ones).
std::int64_t mode(const std::vector<std::int64_t>& v)
{
    std::map<std::int64_t, std::size_t> count;
    for (std::int64_t x : v) ++count[x];
    std::int64_t best = v.front();
    std::size_t n = 0;
    for (const auto& [x, k] : count)
        if (k > n) {
            best = x;
            n = k;
        }
    return best;
}

// Steps, gaps and the first irregular row from the spacings d[i] = position[i+1] − position[i]
// measured in the calendar's unit.
void fill_gaps(CalendarFit& fit, const std::vector<std::int64_t>& d)
{
    const std::int64_t step = fit.calendar.step;
    for (std::size_t i = 0; i < d.size(); ++i) {
        if (d[i] % step != 0 || d[i] <= 0) {
            if (!fit.irregular) fit.irregular = i + 1;
            continue;
        }
        if (d[i] > step) {
            fit.gaps.push_back({i + 1, d[i] / step - 1});
            fit.missing += d[i] / step - 1;
        }
    }
}

// Month-based: every row in a later month than the previous one and at least 25 days after it
// (the last business days of January and February can be 26 days apart).
bool fit_months(CalendarFit& fit, const std::vector<Instant>& t)
{
    std::vector<std::int64_t> d;
    for (std::size_t i = 1; i < t.size(); ++i) {
        const std::int64_t months = month_number(t[i]) - month_number(t[i - 1]);
        if (months < 1 || day_number(t[i]) - day_number(t[i - 1]) < 25) return false;
        d.push_back(months);
    }
    Calendar& c = fit.calendar;
    c.unit = CalendarUnit::month;
    c.step = mode(d);
    const CivilTime first = civil(t.front());
    bool same_day = true, all_last = true;
    for (Instant x : t) {
        const CivilTime ct = civil(x);
        same_day = same_day && ct.day == first.day;
        all_last = all_last && ct.day == days_in_month(ct.year, ct.month);
    }
    c.last_day = all_last && (!same_day || first.day > 28);
    c.day_of_month = c.last_day ? 31 : same_day ? int(first.day) : 0;
    fill_gaps(fit, d);
    return true;
}

bool fit_business_days(CalendarFit& fit, const std::vector<Instant>& t)
{
    std::vector<std::int64_t> d;
    bool crosses_weekend = false;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (!business_number(t[i])) return false;
        if (i == 0) continue;
        const std::int64_t b = *business_number(t[i]) - *business_number(t[i - 1]);
        crosses_weekend = crosses_weekend || day_number(t[i]) - day_number(t[i - 1]) > b;
        d.push_back(b);
    }
    // Weekly rows on a weekday skip weekends too: business-daily only with a step of one day.
    if (!crosses_weekend || mode(d) != 1) return false;
    fit.calendar.unit = CalendarUnit::business_day;
    fit.calendar.step = 1;
    fill_gaps(fit, d);
    return true;
}

}  // namespace

CalendarFit fit_calendar(const std::vector<Instant>& t, Resolution resolution, bool utc)
{
    if (t.size() < 2) throw Error("fit_calendar: needs at least 2 instants");
    CalendarFit fit;
    fit.calendar.resolution = resolution;
    fit.calendar.utc = utc;
    const Instant tod = civil(t.front()).time_of_day;
    const bool same_time = std::all_of(t.begin(), t.end(), [&](Instant x) { return civil(x).time_of_day == tod; });
    std::vector<std::int64_t> d;
    if (!same_time) {
        for (std::size_t i = 1; i < t.size(); ++i) d.push_back(t[i] - t[i - 1]);
        const std::int64_t step = mode(d);
        fit.calendar.unit = CalendarUnit::minute;
        fit.calendar.step = std::max<std::int64_t>(step / ms_per_minute, 1);
        for (auto& x : d) {
            if (x % ms_per_minute != 0) x = 0;  // no minute multiple: irregular
            x /= ms_per_minute;
        }
        if (step % ms_per_minute != 0 && !fit.irregular) fit.irregular = 1;
        fill_gaps(fit, d);
        return fit;
    }
    if (fit_months(fit, t)) return fit;
    fit = CalendarFit{};
    fit.calendar.resolution = resolution;
    fit.calendar.utc = utc;
    if (fit_business_days(fit, t)) return fit;
    fit = CalendarFit{};
    fit.calendar.resolution = resolution;
    fit.calendar.utc = utc;
    for (std::size_t i = 1; i < t.size(); ++i) d.push_back(day_number(t[i]) - day_number(t[i - 1]));
    fit.calendar.unit = CalendarUnit::day;
    fit.calendar.step = mode(d);
    fill_gaps(fit, d);
    return fit;
}

namespace {

// Labels stop at the years date.h and ISO 8601 write with four digits.
constexpr int first_year = -9999, last_year = 9999;

Instant within_years(Instant t)
{
    static const Instant lo = make_instant(first_year, 1, 1), hi = make_instant(last_year, 12, 31, ms_per_day - 1);
    if (t < lo || t > hi)
        throw Error("advance: the period lies beyond the years " + std::to_string(first_year) + " to " +
                    std::to_string(last_year));
    return t;
}

}  // namespace

Instant advance(const Calendar& c, Instant t, std::int64_t k)
{
    within_years(t);
    // Steps come from spacings within those years, k from a horizon: products stay far from
    // the limits of int64 milliseconds (about 292 million years).
    if (k < 0 || k > 10'000'000 || c.step < 1 || c.step > 1'000'000'000)
        throw Error("advance: " + std::to_string(k) + " steps of " + std::to_string(c.step) + " are out of range");
    const Instant tod = civil(t).time_of_day;
    switch (c.unit) {
    case CalendarUnit::minute: return within_years(t + k * c.step * ms_per_minute);
    case CalendarUnit::day: return within_years(t + k * c.step * ms_per_day);
    case CalendarUnit::business_day: {
        if (!business_number(t)) throw Error("advance: a business-day calendar from a weekend day");
        const std::int64_t b = *business_number(t) + k * c.step;
        const std::int64_t week = floordiv(b, 5), r = b - 5 * week;
        return within_years((7 * week + r - 3) * ms_per_day + tod);
    }
    case CalendarUnit::month: {
        const std::int64_t m = month_number(t) + k * c.step;
        if (m < std::int64_t(first_year) * 12 || m >= (std::int64_t(last_year) + 1) * 12) within_years(std::numeric_limits<Instant>::max());
        const int year = static_cast<int>(floordiv(m, 12));
        const unsigned month = static_cast<unsigned>(m - 12 * std::int64_t(year)) + 1;
        const unsigned dim = days_in_month(year, month);
        const unsigned want = c.last_day ? dim : c.day_of_month > 0 ? unsigned(c.day_of_month) : civil(t).day;
        return make_instant(year, month, std::min(want, dim), tod);
    }
    case CalendarUnit::none: break;
    }
    throw Error("advance: the series has no calendar");
}

std::optional<std::int64_t> steps_between(const Calendar& c, Instant a, Instant b)
{
    std::int64_t units = 0;
    switch (c.unit) {
    case CalendarUnit::minute:
        if ((b - a) % ms_per_minute != 0) return std::nullopt;
        units = (b - a) / ms_per_minute;
        break;
    case CalendarUnit::day:
        if ((b - a) % ms_per_day != 0) return std::nullopt;
        units = (b - a) / ms_per_day;
        break;
    case CalendarUnit::business_day:
        if (!business_number(a) || !business_number(b) || (b - a) % ms_per_day != 0) return std::nullopt;
        units = *business_number(b) - *business_number(a);
        break;
    case CalendarUnit::month: units = month_number(b) - month_number(a); break;
    case CalendarUnit::none: return std::nullopt;
    }
    if (units % c.step != 0) return std::nullopt;
    return units / c.step;
}

}  // namespace elman
