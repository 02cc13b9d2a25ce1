// The frequency of a series: how its rows are spaced in calendar time, inferred from the
// instants of its period labels, with the defaults that follow from it (season length m and
// the multi-step horizon of M4) and the arithmetic that labels future periods.
//
// Inference (fit_calendar), on strictly increasing instants:
//   - rows at different times of day: sub-daily, the spacing a multiple of a minute (hourly =
//     60 minutes, 30-minute, 15-minute, ...);
//   - else, every row at least 25 days after the previous one and in a later month: month-based,
//     the step in months (1 monthly, 3 quarterly, 12 yearly, other multiples), the rows on a
//     fixed day of the month, on its last day, or on a day that varies (e.g. the last business
//     day);
//   - else no Saturday or Sunday and a Friday followed by a Monday: business-daily (Mon–Fri);
//   - else day-based: 1 daily, 7 weekly, other multiples.
// The step is the most common spacing; a spacing that is a larger multiple of it is a gap
// (periods missing), any other spacing makes the series irregular.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "datasets/period.hpp"

namespace elman {

enum class Frequency { yearly, quarterly, monthly, weekly, business_daily, daily, sub_daily, other, unknown };

// "yearly", "quarterly", "monthly", "weekly", "business-daily", "daily", "sub-daily", "other",
// "unknown".
std::string to_string(Frequency f);

// Where a setting came from, as metrics.json and pipeline.json record it.
enum class Source { inferred, given, by_default };

// "inferred", "given", "default".
std::string to_string(Source s);

enum class CalendarUnit { none, month, day, business_day, minute };

// The spacing of a series' rows in calendar time.
struct Calendar {
    CalendarUnit unit = CalendarUnit::none;  // none: no calendar (a plain index or no periods)
    std::int64_t step = 1;                   // units between consecutive rows (60 minutes: hourly)
    // Month-based: the day of the month rows fall on, 1..31; `last_day` the last day of the
    // month; 0 a day that varies (future rows keep the last row's day, clamped to the month).
    int day_of_month = 1;
    bool last_day = false;
    Resolution resolution = Resolution::day;  // how future labels are written
    bool utc = false;

    Frequency frequency() const;
    bool known() const { return unit != CalendarUnit::none; }
    bool operator==(const Calendar&) const = default;
};

// "monthly", "quarterly", "hourly", "30-minute", "every 2 days", "weekly", ...: the name of a
// calendar's frequency, as metrics.json and messages give it.
std::string frequency_name(const Calendar& c);

// The name and the anchor: "monthly (on day 1)", "monthly (month end)", "weekly (Sundays)".
std::string describe(const Calendar& c, std::optional<Instant> first = std::nullopt);

// The calendar named by --frequency: yearly, quarterly, monthly, weekly, business-daily (or
// business_daily, B), daily, hourly, Nmin (a minute multiple), Nh; throws elman::Error naming
// the accepted names otherwise.
Calendar parse_frequency(const std::string& name);

// Default season m: yearly 1, quarterly 4, monthly 12, weekly 52, business-daily 5, daily 7,
// sub-daily the rows per day (hourly 24, 30-minute 48) when the step divides a day, other
// month multiples 12/step when it divides 12; otherwise (and without a calendar) 1.
std::size_t default_season(const Calendar& c);

// Every seasonality the frequency may have, the default first: hourly {24, 168}, daily
// {7, 365}, business-daily {5, 260}, sub-daily {rows per day, rows per week}; others just the
// default (empty for a season of 1).
std::vector<std::size_t> seasonalities(const Calendar& c);

// M4's forecast horizons: yearly 6, quarterly 8, monthly 18, weekly 13, daily and
// business-daily 14, sub-daily 48; otherwise 8 (M3's "other").
std::size_t default_horizon(const Calendar& c);

// The instant `k` rows after `t` (k >= 0) on the calendar; an elman::Error beyond the years
// -9999..9999.
Instant advance(const Calendar& c, Instant t, std::int64_t k);

// A spacing larger than one step: `missing` periods are absent before row `row`.
struct Gap {
    std::size_t row = 0;
    std::int64_t missing = 0;
};

struct CalendarFit {
    Calendar calendar;
    std::vector<Gap> gaps;
    std::int64_t missing = 0;               // Σ gaps' missing
    std::optional<std::size_t> irregular;   // the first row whose spacing is no multiple of the step
};

// The calendar of strictly increasing instants (at least 2) written at `resolution`.
CalendarFit fit_calendar(const std::vector<Instant>& t, Resolution resolution, bool utc);

// Whole steps of the calendar from a to b (a < b), or nullopt when b is not on a's grid.
std::optional<std::int64_t> steps_between(const Calendar& c, Instant a, Instant b);

}  // namespace elman
