// Period labels of a time series (the first CSV column): YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD.
// The label format gives the sampling frequency and the season length m used by seasonal
// baselines, seasonal differencing and MASE.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace elman {

enum class Frequency { yearly, quarterly, monthly, daily, unknown };

// "yearly", "quarterly", "monthly", "daily", "unknown".
std::string to_string(Frequency f);

// Observations per season: yearly 1, quarterly 4, monthly 12, daily 7 (weekly cycle), unknown 1.
std::size_t season_length(Frequency f);

// One parsed label. `ordinal` counts periods of its frequency from a fixed origin (years,
// quarters, months or days since 0000), so that consecutive periods differ by exactly 1.
struct Period {
    Frequency frequency = Frequency::unknown;
    int year = 0;
    int sub = 0;  // quarter 1..4 or month 1..12; 0 for yearly
    int day = 0;  // 1..31 for daily; 0 otherwise
    long long ordinal = 0;
};

// The period written in s, or nullopt when s has none of the four formats or names an
// impossible date (month 13, Q5, 2023-02-29). Strict: exactly 4-digit years, 2-digit months
// and days, no spaces.
std::optional<Period> parse_period(std::string_view s);

// The format a frequency is written in, for messages: "YYYY", "YYYY-Qn", "YYYY-MM", "YYYY-MM-DD".
std::string period_format(Frequency f);

// The label of a period in its own format, e.g. "1949-01"; the inverse of parse_period.
std::string format_period(const Period& p);

// The period `steps` periods after p (same frequency; not for Frequency::unknown).
Period advance(const Period& p, long long steps);

}  // namespace elman
