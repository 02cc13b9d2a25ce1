// Frequencies (datasets/frequency.hpp): inference from instants, anchors, gaps, irregular
// spacing, default seasons and horizons, and the arithmetic that labels future periods.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "datasets/frequency.hpp"

using namespace elman;
using Catch::Contains;

namespace {

constexpr Instant hour = 60 * ms_per_minute;

std::vector<Instant> every(Instant start, Instant step, std::size_t n)
{
    std::vector<Instant> t;
    for (std::size_t i = 0; i < n; ++i) t.push_back(start + static_cast<Instant>(i) * step);
    return t;
}

std::vector<Instant> monthly(int year, unsigned month, std::size_t n, unsigned day, bool last = false)
{
    std::vector<Instant> t;
    for (std::size_t i = 0; i < n; ++i) {
        const int y = year + static_cast<int>((month - 1 + i) / 12);
        const unsigned m = static_cast<unsigned>((month - 1 + i) % 12) + 1;
        t.push_back(make_instant(y, m, last ? days_in_month(y, m) : day));
    }
    return t;
}

std::string next_labels(const CalendarFit& fit, Instant last, int k, Resolution r = Resolution::day)
{
    std::string s;
    for (int i = 1; i <= k; ++i) s += (i > 1 ? " " : "") + format_instant(advance(fit.calendar, last, i), r);
    return s;
}

}  // namespace

TEST_CASE("frequency: sub-daily multiples of a minute, with their seasons", "[frequency]")
{
    const auto hourly = every(make_instant(2015, 1, 2), hour, 72);
    const CalendarFit h = fit_calendar(hourly, Resolution::minute, false);
    REQUIRE(h.calendar.frequency() == Frequency::sub_daily);
    REQUIRE(frequency_name(h.calendar) == "hourly");
    REQUIRE(default_season(h.calendar) == 24);
    REQUIRE(seasonalities(h.calendar) == std::vector<std::size_t>{24, 168});
    REQUIRE(default_horizon(h.calendar) == 48);
    REQUIRE(next_labels(h, hourly.back(), 2, Resolution::minute) == "2015-01-05 00:00 2015-01-05 01:00");
    const CalendarFit half = fit_calendar(every(0, 30 * ms_per_minute, 50), Resolution::second, false);
    REQUIRE(frequency_name(half.calendar) == "30-minute");
    REQUIRE(default_season(half.calendar) == 48);
    REQUIRE(frequency_name(fit_calendar(every(0, 15 * ms_per_minute, 50), Resolution::minute, false).calendar) ==
            "15-minute");
    REQUIRE(default_season(fit_calendar(every(0, 3 * hour, 50), Resolution::minute, false).calendar) == 8);
    // 7 minutes do not divide a day: no daily season.
    REQUIRE(default_season(fit_calendar(every(0, 7 * ms_per_minute, 50), Resolution::minute, false).calendar) == 1);
}

TEST_CASE("frequency: daily, business-daily and weekly on any weekday", "[frequency]")
{
    const CalendarFit d = fit_calendar(every(make_instant(2021, 1, 1), ms_per_day, 30), Resolution::day, false);
    REQUIRE(d.calendar.frequency() == Frequency::daily);
    REQUIRE(default_season(d.calendar) == 7);
    REQUIRE(seasonalities(d.calendar) == std::vector<std::size_t>{7, 365});
    // Mon 2021-01-04 .. Fri 2021-01-15, weekends absent.
    std::vector<Instant> b;
    for (unsigned day : {4u, 5u, 6u, 7u, 8u, 11u, 12u, 13u, 14u, 15u}) b.push_back(make_instant(2021, 1, day));
    const CalendarFit bd = fit_calendar(b, Resolution::day, false);
    REQUIRE(bd.calendar.frequency() == Frequency::business_daily);
    REQUIRE(default_season(bd.calendar) == 5);
    REQUIRE(bd.missing == 0);
    REQUIRE(next_labels(bd, b.back(), 3) == "2021-01-18 2021-01-19 2021-01-20");
    // Four weekdays in a row are just daily (no weekend was crossed).
    REQUIRE(fit_calendar({b[0], b[1], b[2], b[3]}, Resolution::day, false).calendar.frequency() == Frequency::daily);
    for (unsigned first : {3u, 6u, 9u}) {  // a Sunday, a Wednesday, a Saturday of January 2021
        const CalendarFit w = fit_calendar(every(make_instant(2021, 1, first), 7 * ms_per_day, 20), Resolution::day, false);
        INFO("first day " << first);
        REQUIRE(w.calendar.frequency() == Frequency::weekly);
        REQUIRE(default_season(w.calendar) == 52);
        REQUIRE(default_horizon(w.calendar) == 13);
    }
    REQUIRE(describe(fit_calendar(every(make_instant(2021, 1, 3), 7 * ms_per_day, 5), Resolution::day, false).calendar,
                     make_instant(2021, 1, 3)) == "weekly (Sundays)");
    // Daily at 09:00 is daily, not sub-daily.
    REQUIRE(fit_calendar(every(make_instant(2021, 1, 1, 9 * hour), ms_per_day, 10), Resolution::minute, false)
                .calendar.frequency() == Frequency::daily);
}

TEST_CASE("frequency: monthly on the 1st, a fixed day, the last day or a varying day", "[frequency]")
{
    const CalendarFit first = fit_calendar(monthly(2019, 1, 24, 1), Resolution::day, false);
    REQUIRE(first.calendar.frequency() == Frequency::monthly);
    REQUIRE(default_season(first.calendar) == 12);
    REQUIRE(default_horizon(first.calendar) == 18);
    REQUIRE(describe(first.calendar) == "monthly (on day 1)");
    REQUIRE(next_labels(first, monthly(2019, 1, 24, 1).back(), 2) == "2021-01-01 2021-02-01");
    const auto ends = monthly(2019, 1, 14, 1, true);
    const CalendarFit end = fit_calendar(ends, Resolution::day, false);
    REQUIRE(describe(end.calendar) == "monthly (month end)");
    REQUIRE(next_labels(end, ends.back(), 3) == "2020-03-31 2020-04-30 2020-05-31");
    REQUIRE(describe(fit_calendar(monthly(2019, 1, 12, 15), Resolution::day, false).calendar) == "monthly (on day 15)");
    // The last business day: the day varies, each row in its own month.
    std::vector<Instant> lbd;
    for (unsigned m : {1u, 2u, 3u, 4u, 5u, 6u}) lbd.push_back(make_instant(2020, m, m == 2 ? 28 : m == 5 ? 29 : 30));
    const CalendarFit v = fit_calendar(lbd, Resolution::day, false);
    REQUIRE(v.calendar.frequency() == Frequency::monthly);
    REQUIRE(v.calendar.day_of_month == 0);
}

TEST_CASE("frequency: quarterly, yearly and other multiples", "[frequency]")
{
    std::vector<Instant> q;
    for (int i = 0; i < 12; ++i) q.push_back(make_instant(2015 + i / 4, static_cast<unsigned>(3 * (i % 4) + 1), 1));
    const CalendarFit qf = fit_calendar(q, Resolution::quarter, false);
    REQUIRE(qf.calendar.frequency() == Frequency::quarterly);
    REQUIRE(default_season(qf.calendar) == 4);
    REQUIRE(default_horizon(qf.calendar) == 8);
    REQUIRE(next_labels(qf, q.back(), 2, Resolution::quarter) == "2018-Q1 2018-Q2");
    std::vector<Instant> y;
    for (int i = 0; i < 10; ++i) y.push_back(make_instant(1990 + i, 1, 1));
    const CalendarFit yf = fit_calendar(y, Resolution::year, false);
    REQUIRE(yf.calendar.frequency() == Frequency::yearly);
    REQUIRE(default_season(yf.calendar) == 1);
    REQUIRE(default_horizon(yf.calendar) == 6);
    std::vector<Instant> census;
    for (int i = 0; i < 6; ++i) census.push_back(make_instant(1950 + 10 * i, 1, 1));
    REQUIRE(frequency_name(fit_calendar(census, Resolution::year, false).calendar) == "every 10 years");
    std::vector<Instant> half;
    for (int i = 0; i < 8; ++i) half.push_back(make_instant(2000 + i / 2, static_cast<unsigned>(6 * (i % 2) + 1), 1));
    const CalendarFit hf = fit_calendar(half, Resolution::month, false);
    REQUIRE(frequency_name(hf.calendar) == "half-yearly");
    REQUIRE(default_season(hf.calendar) == 2);
}

TEST_CASE("frequency: missing periods are gaps, other spacings make the series irregular", "[frequency]")
{
    auto t = every(make_instant(2021, 1, 1), ms_per_day, 20);
    t.erase(t.begin() + 5, t.begin() + 8);  // 3 days missing before row 5
    const CalendarFit g = fit_calendar(t, Resolution::day, false);
    REQUIRE(g.calendar.frequency() == Frequency::daily);
    REQUIRE(g.missing == 3);
    REQUIRE(g.gaps.size() == 1);
    REQUIRE(g.gaps[0].row == 5);
    REQUIRE_FALSE(g.irregular);
    auto months = monthly(2019, 1, 24, 1);
    months.erase(months.begin() + 10);
    REQUIRE(fit_calendar(months, Resolution::day, false).missing == 1);
    auto w = every(make_instant(2021, 1, 3), 7 * ms_per_day, 20);
    w[12] += 2 * ms_per_day;
    const CalendarFit irr = fit_calendar(w, Resolution::day, false);
    REQUIRE(irr.irregular == std::optional<std::size_t>(12));
    // Spacings that are no whole minutes.
    REQUIRE(fit_calendar(every(0, 90'500, 10), Resolution::second, false).irregular.has_value());
    REQUIRE(steps_between(g.calendar, t[4], t[5]) == std::optional<std::int64_t>(4));
}

TEST_CASE("frequency: --frequency names, and errors for others", "[frequency]")
{
    REQUIRE(parse_frequency("monthly").frequency() == Frequency::monthly);
    REQUIRE(parse_frequency("Business-Daily").frequency() == Frequency::business_daily);
    REQUIRE(frequency_name(parse_frequency("15min")) == "15-minute");
    REQUIRE(frequency_name(parse_frequency("3h")) == "3-hourly");
    REQUIRE(default_season(parse_frequency("hourly")) == 24);
    REQUIRE_THROWS_WITH(parse_frequency("fortnightly"), Contains("--frequency 'fortnightly': expected yearly"));
    REQUIRE_THROWS_WITH(parse_frequency("0min"), Contains("--frequency"));
    REQUIRE(default_horizon(Calendar{}) == 8);
    REQUIRE(default_season(Calendar{}) == 1);
    REQUIRE(to_string(Source::by_default) == "default");
}
