// Period labels (datasets/period.hpp): the forms a label's shape allows, parsing with date.h,
// impossible dates, and ISO 8601 labels of instants.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "datasets/period.hpp"

using namespace elman;
using Catch::Contains;

namespace {

std::vector<std::string> formats(const std::string& label)
{
    std::vector<std::string> out;
    for (const DateForm& f : label_forms(label)) out.push_back(f.format);
    return out;
}

// The instant of a label in its only form, as an ISO label at `r`.
std::string read(const std::string& label, Resolution r = Resolution::second)
{
    const auto forms = label_forms(label);
    REQUIRE(forms.size() == 1);
    const auto t = parse_label(label, forms[0]);
    REQUIRE(t.has_value());
    return format_instant(*t, r, forms[0].utc);
}

}  // namespace

TEST_CASE("period: each date form of the issue has a form and reads the right instant", "[period]")
{
    using R = Resolution;
    REQUIRE(read("1949", R::year) == "1949");
    REQUIRE(read("1949-02", R::day) == "1949-02-01");
    REQUIRE(read("201902", R::day) == "2019-02-01");
    REQUIRE(read("20190228", R::day) == "2019-02-28");
    REQUIRE(read("2019-Q3", R::quarter) == "2019-Q3");
    REQUIRE(read("2019Q4", R::day) == "2019-10-01");
    REQUIRE(read("Q2 2019", R::day) == "2019-04-01");
    REQUIRE(read("2019-01-31", R::day) == "2019-01-31");
    REQUIRE(read("2019/01/31", R::day) == "2019-01-31");
    REQUIRE(read("2019.01.31", R::day) == "2019-01-31");
    REQUIRE(read("2010-01-02 00:30") == "2010-01-02 00:30:00");
    REQUIRE(read("2010-01-02 23:59:58") == "2010-01-02 23:59:58");
    REQUIRE(read("2010-01-02 07:08:09.250") == "2010-01-02 07:08:09");
    REQUIRE(read("2015-01-02T00:00:00.000Z") == "2015-01-02T00:00:00Z");
    // An offset is subtracted: the instant is UTC.
    REQUIRE(read("2015-01-02T01:30:00+01:00") == "2015-01-02T00:30:00Z");
    REQUIRE(read("2015-01-02T01:30:00-0230") == "2015-01-02T04:00:00Z");
    REQUIRE(read("Jan 2020", R::day) == "2020-01-01");
    REQUIRE(read("January 2020", R::day) == "2020-01-01");
    REQUIRE(read("1949-Jan", R::day) == "1949-01-01");
    REQUIRE(read("Mar-49", R::day) == "2049-03-01");  // date.h's %y: 00-68 are 20xx
    REQUIRE(read("Jan 5, 2020", R::day) == "2020-01-05");
    REQUIRE(read("5-Jan-2020", R::day) == "2020-01-05");
    REQUIRE(read("2020-Jan-05", R::day) == "2020-01-05");
    REQUIRE(read("31.12.2002", R::day) == "2002-12-31");  // D.M.Y: day first, the only order
}

TEST_CASE("period: day and month in either order are two forms the data decides between", "[period]")
{
    REQUIRE(formats("1/2/1985") == std::vector<std::string>{"%m/%d/%Y", "%d/%m/%Y"});
    REQUIRE(formats("01-02-1985") == std::vector<std::string>{"%m-%d-%Y", "%d-%m-%Y"});
    REQUIRE(formats("31-12-2002 01:00") == std::vector<std::string>{"%m-%d-%Y %H:%M", "%d-%m-%Y %H:%M"});
    REQUIRE(formats("1/2/85") == std::vector<std::string>{"%m/%d/%y", "%d/%m/%y"});
    for (const DateForm& f : label_forms("1/2/1985")) REQUIRE(f.ambiguous);
    // The wrong order of a day above 12 names an impossible date.
    const auto forms = label_forms("13/01/2023");
    REQUIRE_FALSE(parse_label("13/01/2023", forms[0]).has_value());
    REQUIRE(format_instant(*parse_label("13/01/2023", forms[1]), Resolution::day) == "2023-01-13");
}

TEST_CASE("period: impossible dates and labels of no date shape are rejected", "[period]")
{
    for (const char* s : {"1949-13", "2019-00", "2019-Q5", "2023-02-29", "2023-04-31", "2019-01-01 24:00",
                          "2019-01-01 12:60", "2019-13-01", "00/00/2000"}) {
        INFO(s);
        bool parsed = false;
        for (const DateForm& f : label_forms(s)) parsed = parsed || parse_label(s, f).has_value();
        REQUIRE_FALSE(parsed);
    }
    for (const char* s : {"", "abc", "1-01", "49", "12345", "2019-", "1,000", "3.14", "Q9", "day one",
                          "2019-01-01T10", "-2019", "2019-01-01 10:00 junk", "Sept 2020x"}) {
        INFO(s);
        REQUIRE(label_forms(s).empty());
    }
    REQUIRE(format_instant(*parse_label("2024-02-29", label_forms("2024-02-29")[0]), Resolution::day) == "2024-02-29");
}

TEST_CASE("period: a --date-format form reads what it names and knows its resolution", "[period]")
{
    const DateForm f = form_from_format("%y-%m");
    REQUIRE(f.resolution == Resolution::month);
    REQUIRE(format_instant(*parse_label("1-01", f), Resolution::month) == "2001-01");
    REQUIRE(form_from_format("%d.%m.%Y %H:%M").resolution == Resolution::minute);
    REQUIRE(form_from_format("%Y").resolution == Resolution::year);
    REQUIRE(form_from_format("%Y-Q%q").resolution == Resolution::quarter);
    REQUIRE(format_instant(*parse_label("2019-Q2", form_from_format("%Y-Q%q")), Resolution::day) == "2019-04-01");
    REQUIRE(form_from_format("%d/%m/%Y").day_first);
    REQUIRE_FALSE(parse_label("2019-01-01", form_from_format("%d/%m/%Y")).has_value());
    REQUIRE_FALSE(parse_label("2019-01-01x", form_from_format("%Y-%m-%d")).has_value());
    REQUIRE_THROWS_WITH(form_from_format("%m/%d"), Contains("--date-format '%m/%d': the format names no year"));
    REQUIRE_THROWS_WITH(form_from_format("%Y %H:%M"), Contains("a time of day needs a day"));
}

TEST_CASE("period: instants are written in ISO 8601 at their resolution, before 1970 too", "[period]")
{
    const Instant t = make_instant(1969, 12, 31, 23 * 3600'000 + 30 * 60'000);
    REQUIRE(format_instant(t, Resolution::year) == "1969");
    REQUIRE(format_instant(t, Resolution::quarter) == "1969-Q4");
    REQUIRE(format_instant(t, Resolution::month) == "1969-12");
    REQUIRE(format_instant(t, Resolution::day) == "1969-12-31");
    REQUIRE(format_instant(t, Resolution::minute) == "1969-12-31 23:30");
    REQUIRE(format_instant(t, Resolution::second, true) == "1969-12-31T23:30:00Z");
    REQUIRE(civil(t).weekday == 3);  // a Wednesday
    REQUIRE(days_in_month(2024, 2) == 29);
    REQUIRE(days_in_month(1900, 2) == 28);
    REQUIRE(fractional_year(make_instant(2020, 1, 1)) == 2020.0);
    REQUIRE(fractional_year(make_instant(2021, 7, 2, 12 * 3600'000)) == Approx(2021.5));
}

TEST_CASE("period: inputs date.h 3.0.1 mis-parses are refused before it reads them (fuzz_dates)", "[period]")
{
    const DateForm seconds = form_from_format("%Y-%m-%d %H:%M:%S");
    REQUIRE_FALSE(parse_label("2019-01-01 10:00:x", seconds).has_value());  // %S without a digit
    REQUIRE_FALSE(parse_label("2019-01-01 10:00:", seconds).has_value());
    REQUIRE(parse_label("2019-01-01 10:00:05", seconds).has_value());
    const DateForm offset = form_from_format("%Y-%m-%d %H:%M%z");
    REQUIRE_FALSE(parse_label("2019-01-01 10:00-x", offset).has_value());  // a sign without hours
    REQUIRE_FALSE(parse_label("2019-01-01 10:00-0", offset).has_value());
    REQUIRE(parse_label("2019-01-01 10:00-0130", offset).has_value());
    REQUIRE_THROWS_WITH(form_from_format("%Y %a"), Contains("--date-format '%Y %a': elman reads the directives"));
    REQUIRE_THROWS_WITH(form_from_format("%Y%t"), Contains("elman reads the directives"));  // date.h: %t then a directive
    REQUIRE_THROWS_WITH(form_from_format("%Y-%m%"), Contains("nothing after a last %"));
    REQUIRE_THROWS_WITH(form_from_format("%Y-%111m"), Contains("widths of at most 2 digits"));
    REQUIRE(format_instant(*parse_label("2019-07", form_from_format("%Y-%2m")), Resolution::month) == "2019-07");
}
