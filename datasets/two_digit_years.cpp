#include "datasets/two_digit_years.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include <date/date.h>

namespace elman {

namespace {

std::optional<Instant> with_year(const CivilTime& c, int year)
{
    if (c.day > days_in_month(year, c.month)) return std::nullopt;  // 29 February in a year that is no leap year
    return make_instant(year, c.month, c.day, c.time_of_day);
}

// The full years of two-digit years `yy` that run forward (a drop of yy is the next century,
// allowed once and only across at most 10 years), ending in the latest century not after
// `this_year`; nullopt when no such reading exists.
std::optional<std::vector<int>> ordered_years(const std::vector<int>& yy, int this_year)
{
    std::vector<int> offset(yy.size(), 0);
    int wraps = 0;
    for (std::size_t i = 1; i < yy.size(); ++i) {
        if (yy[i] < yy[i - 1]) {
            if (++wraps > 1 || yy[i] + 100 - yy[i - 1] > 10) return std::nullopt;
        }
        offset[i] = 100 * wraps;
    }
    int base = (this_year / 100) * 100;
    while (base + yy.back() + offset.back() > this_year) base -= 100;
    std::vector<int> years(yy.size());
    for (std::size_t i = 0; i < yy.size(); ++i) years[i] = base + yy[i] + offset[i];
    return years;
}

// The years of `yy` all in one century, the latest that does not put the largest after
// `this_year`, for rows out of order; nullopt when they span 50 years or more (then the
// POSIX pivot's reading, across two centuries, is the nearer guess).
std::optional<std::vector<int>> one_century_years(const std::vector<int>& yy, int this_year)
{
    const auto [lo, hi] = std::minmax_element(yy.begin(), yy.end());
    if (*hi - *lo >= 50) return std::nullopt;
    int base = (this_year / 100) * 100;
    while (base + *hi > this_year) base -= 100;
    std::vector<int> years(yy.size());
    for (std::size_t i = 0; i < yy.size(); ++i) years[i] = base + yy[i];
    return years;
}

// Replaces the years of `t` (fields `c`) by `years`; false (t unchanged) when a date does not
// exist in its new year.
bool apply_years(std::vector<Instant>& t, const std::vector<CivilTime>& c, const std::vector<int>& years)
{
    std::vector<Instant> read(t.size());
    for (std::size_t i = 0; i < t.size(); ++i) {
        const auto v = with_year(c[i], years[i]);
        if (!v) return false;
        read[i] = *v;
    }
    t = std::move(read);
    return true;
}

int current_year()
{
    const auto today = date::floor<date::days>(std::chrono::system_clock::now());
    return static_cast<int>(date::year_month_day(today).year());
}

std::string year_range(int first, int last)
{
    return first == last ? std::to_string(first) : std::to_string(first) + "\u2013" + std::to_string(last);
}

}  // namespace

void settle_two_digit_years(RawRows& rows, std::vector<std::string>& notes, int this_year)
{
    if (rows.size() == 0) return;
    if (this_year == 0) this_year = current_year();
    std::string note;
    for (std::size_t f = 0; f < rows.forms.size(); ++f) {
        if (rows.forms[f].format.find("%y") == std::string::npos) continue;
        std::vector<Instant>& t = rows.instants[f];
        std::vector<CivilTime> c;
        std::vector<int> yy;
        for (Instant i : t) {
            c.push_back(civil(i));
            yy.push_back(c.back().year % 100);
        }
        auto years = ordered_years(yy, this_year);
        const bool ordered = years.has_value();
        if (!ordered) years = one_century_years(yy, this_year);
        const bool applied = years && apply_years(t, c, *years);
        if (!note.empty()) continue;
        const auto [lo, hi] = std::minmax_element(t.begin(), t.end());
        const std::string range = year_range(civil(*lo).year, civil(*hi).year);
        const std::string after = "not after " + std::to_string(this_year);
        if (applied)
            note = "two-digit years read as " + range +
                   (ordered ? " (the centuries that keep the rows in time order and " + after + ")"
                            : " (one century, " + after + "; the rows are not in time order)");
        else
            note = "two-digit years read as " + range + " (00\u201368 as 20xx, 69\u201399 as 19xx: no reading in time "
                   "order, in one century, or with every date valid)";
    }
    if (!note.empty()) notes.push_back(note + "; write four-digit years to choose otherwise");
}

}  // namespace elman
