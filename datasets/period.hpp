// Period labels: the ways a CSV column writes dates and times, and the instant each label names.
// Parsing and calendar arithmetic are Howard Hinnant's date library (date/date.h, the proposal
// behind C++20's <chrono> calendar), kept out of this header.
//
// A label's *form* is a strftime-style format as date::parse reads it ("%d/%m/%Y",
// "%Y-%m-%dT%H:%M:%S%Ez") plus elman's "%q" for a quarter number (date.h has no quarter field).
// label_forms() proposes the forms a label's shape allows: "2019-01-01" only %Y-%m-%d, but
// "01/02/2019" both %m/%d/%Y and %d/%m/%Y; the CSV reader keeps the forms every row parses
// with and decides between day-first and month-first readings from the whole column
// (datasets/time_axis.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace elman {

// The finest field a form writes: its labels name a year, a quarter, a month, a day, a minute
// or a second (fractions of a second are read and kept in the instant).
enum class Resolution { year, quarter, month, day, minute, second };

// "year", "quarter", "month", "day", "minute", "second".
std::string to_string(Resolution r);

// Milliseconds since 1970-01-01 00:00 of the proleptic Gregorian calendar: UTC when the labels
// carry `Z` or an offset (which is then subtracted), otherwise the wall-clock time as written.
using Instant = std::int64_t;

constexpr Instant ms_per_minute = 60'000;
constexpr Instant ms_per_day = 86'400'000;

// One way of writing period labels.
struct DateForm {
    std::string format;                  // "%Y-%m-%d", "%d.%m.%Y %H:%M", "%Y-Q%q", ...
    Resolution resolution = Resolution::day;
    bool utc = false;                    // labels carry Z or an offset
    // The form reads a day and a month that the label's shape alone cannot tell apart
    // (01/02/2019): it has a twin with the two swapped, and the data decides between them.
    bool ambiguous = false;
    bool day_first = false;              // the day comes before the month

    bool operator==(const DateForm&) const = default;
};

// The instant `label` names when written in `form`, or nullopt when the label does not match
// the form exactly (every character used) or names an impossible date (2023-02-29, month 13,
// hour 24, Q5). A form without a day gives the 1st, without a month January, without a time
// midnight.
std::optional<Instant> parse_label(std::string_view label, const DateForm& form);

// The forms a label's shape allows, in a fixed order (month first before day first); empty
// when it looks like no date. Accepted: YYYY, YYYY-MM, YYYYMM, YYYYMMDD, YYYY-Qn (also YYYYQn,
// Qn YYYY), Y-M-D with - / or . between fields, M/D/Y and D/M/Y (also with -) with a 4- or
// 2-digit year, D.M.Y (day first: the only order written with points),
// month names (Jan 2020, 1949-Jan, 1-Jan-20, Jan 1, 2020, 2020 January 5), each date optionally
// followed by hh:mm[:ss[.fff]] after a space or T, and Z or a UTC offset (+01:00, +0100).
// A year is written with 4 digits unless the form is %y (2-digit, 00–68 = 20xx, 69–99 = 19xx;
// the CSV reader then re-chooses the centuries from the series: datasets/two_digit_years.hpp).
std::vector<DateForm> label_forms(std::string_view label);

// The form of a user's --date-format (strftime syntax as date::parse reads it, plus %q);
// throws elman::Error when it names no year or no known field.
DateForm form_from_format(const std::string& format);

// The label of an instant in ISO 8601 at a resolution: "2019", "2019-Q3", "2019-07",
// "2019-07-31", "2019-07-31 13:00", "2019-07-31 13:00:05"; with `utc`, "2019-07-31T13:00Z".
std::string format_instant(Instant t, Resolution resolution, bool utc = false);

// The label of an instant written in a strftime-style `format` as date::format writes it (every
// field zero-padded, %q the quarter number, seconds without a fraction when the instant has
// none, an offset %z as +0000): "Jan 1961" for "%b %Y". "" when date.h cannot write the format.
// The inverse of parse_label for the forms label_forms proposes; a caller checks it against the
// labels it continues (datasets/series.hpp future_labels).
std::string format_label(Instant t, const std::string& format);

// Fields of an instant, for plots and calendar arithmetic.
struct CivilTime {
    int year = 1970;
    unsigned month = 1, day = 1;  // 1-based
    unsigned weekday = 4;         // 0 Sunday .. 6 Saturday
    Instant time_of_day = 0;      // milliseconds since midnight
};
CivilTime civil(Instant t);

// The instant of a civil date (month and day must be valid) at a time of day.
Instant make_instant(int year, unsigned month, unsigned day, Instant time_of_day = 0);

// Days in a month of a year (28..31).
unsigned days_in_month(int year, unsigned month);

// The year as a real number (2019.5 is about July 2nd, 2019), for time axes of plots.
double fractional_year(Instant t);

}  // namespace elman
