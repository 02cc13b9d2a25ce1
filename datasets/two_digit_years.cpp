#include "datasets/two_digit_years.hpp"

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
        const auto years = ordered_years(yy, this_year);
        std::vector<Instant> read(t.size());
        for (std::size_t i = 0; years && i < t.size(); ++i) {
            const auto v = with_year(c[i], (*years)[i]);
            if (!v) break;
            read[i] = *v;
            if (i + 1 == t.size()) t = read;
        }
        if (!note.empty()) continue;
        const int first = civil(t.front()).year, last = civil(t.back()).year;
        note = years ? "two-digit years read as " + year_range(first, last) +
                           " (the century that keeps the rows in time order and not after " + std::to_string(this_year) + ")"
                     : "two-digit years read as 1969\u20132068 (00\u201368 as 20xx, 69\u201399 as 19xx): the rows are "
                       "in no time order with any other century";
    }
    if (!note.empty()) notes.push_back(note + "; write four-digit years to choose otherwise");
}

}  // namespace elman
