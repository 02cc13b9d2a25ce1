// One committed CSV per date form, frequency, dialect and failure (tests/fixtures/csv/, made by
// make_fixtures.py with synthetic values), each read as `elman forecast` reads it, with its
// expected frequency, season, first label and next labels, or its error.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "core/error.hpp"
#include "datasets/csv.hpp"

using namespace elman;
using Catch::Contains;

namespace {

struct Opts {
    std::string column = {};
    std::vector<std::string> period_columns = {};
    bool interpolate = false, ignore_gaps = false, sort = false, dayfirst = false;
    std::string date_format = {};
    std::vector<std::string> na_values = {};
};

struct Case {
    const char* file = "";
    Opts opts = {};
    const char* frequency = "";  // frequency_name; "unknown" for no calendar
    std::size_t season = 0;
    std::string first = {};      // the first period label
    std::vector<std::string> next = {};  // future_periods(s, 2)
    std::size_t n = 0;           // 0: not checked
    const char* note = nullptr;  // a note contains it
    const char* error = nullptr; // the error contains it (then nothing else is checked)
};

std::string fixture(const char* file) { return std::string(ELMAN_SOURCE_DIR) + "/tests/fixtures/csv/" + file; }

Series load(const Case& c)
{
    CsvOptions o;
    o.column = c.opts.column;
    o.period_columns = c.opts.period_columns;
    o.missing = c.opts.interpolate ? Missing::interpolate : Missing::error;
    o.gaps = c.opts.interpolate ? Gaps::interpolate : c.opts.ignore_gaps ? Gaps::keep : Gaps::error;
    o.sort = c.opts.sort;
    o.dayfirst = c.opts.dayfirst;
    o.date_format = c.opts.date_format;
    o.na_values = c.opts.na_values;
    return load_csv(fixture(c.file), o);
}

void expect_error(const char* file, const Opts& o, const char* error)
{
    Case c{file, o};
    c.error = error;
    INFO(file);
    REQUIRE_THROWS_WITH(load(c), Contains(error));
}

void check(const Case& c)
{
    INFO(c.file);
    if (c.error) {
        REQUIRE_THROWS_WITH(load(c), Contains(c.error));
        return;
    }
    const Series s = load(c);
    std::string notes;
    for (const auto& n : s.notes) notes += n + "\n";
    INFO("notes:\n" << notes);
    CHECK(frequency_name(s.time.calendar) == c.frequency);
    CHECK(s.season == c.season);
    CHECK(s.periods.front() == c.first);
    CHECK(future_periods(s, 2) == c.next);
    if (c.n) CHECK(s.values.size() == c.n);
    if (c.note) CHECK_THAT(notes, Contains(c.note));
    for (double v : s.values) REQUIRE(std::isfinite(v));
}

// A file of these bytes in the temporary folder, removed at scope exit: for the variants of a
// form that a test spells out inline.
struct Inline {
    std::filesystem::path path;
    explicit Inline(const std::string& bytes)
    {
        static int counter = 0;
        path = std::filesystem::temp_directory_path() /
               ("elman_test_csv_files_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".csv");
        std::ofstream(path, std::ios::binary) << bytes;
    }
    ~Inline() { std::filesystem::remove(path); }
};

std::string notes_of(const Series& s)
{
    std::string all;
    for (const auto& n : s.notes) all += n + "\n";
    return all;
}

}  // namespace

TEST_CASE("csv files: every date form gives its frequency, season and future labels", "[csv][files]")
{
    const std::vector<Case> cases{
        {"fred_monthly.csv", {}, "monthly", 12, "2019-01-01", {"2025-01-01", "2025-02-01"}, 72},
        {"month_end.csv", {}, "monthly", 12, "2019-01-31", {"2021-01-31", "2021-02-28"}, 24},
        {"monthly_day15.csv", {}, "monthly", 12, "2019-01-15", {"2021-01-15", "2021-02-15"}},
        {"monthly_ym.csv", {}, "monthly", 12, "2019-01", {"2021-01", "2021-02"}},
        {"quarterly_q.csv", {}, "quarterly", 4, "2015Q1", {"2020-Q1", "2020-Q2"}, 20},
        {"quarterly_dates.csv", {}, "quarterly", 4, "2015-01-01", {"2020-01-01", "2020-04-01"}, 20},
        {"yearly.csv", {}, "yearly", 1, "1990", {"2020", "2021"}, 30},
        {"bom_crlf.csv", {}, "yearly", 1, "1990", {"2020", "2021"}, 30},
        {"weekly_sunday.csv", {}, "weekly", 52, "2020-01-05", {"2020-08-02", "2020-08-09"}},
        {"daily.csv", {}, "daily", 7, "2021-01-01", {"2021-03-02", "2021-03-03"}, 60},
        {"business_days.csv", {}, "business-daily", 5, "2021-01-04", {"2021-03-01", "2021-03-02"}, 40},
        {"hourly_iso_z.csv", {}, "hourly", 24, "2015-01-02T00:00:00.000Z",
         {"2015-01-05T00:00:00Z", "2015-01-05T01:00:00Z"}, 72},
        {"half_hourly.csv", {}, "30-minute", 48, "2010-01-02 00:00:00", {"2010-01-04 00:00:00", "2010-01-04 00:30:00"}},
        {"quarter_hourly_dmy.csv", {}, "15-minute", 96, "31-12-2002 01:00", {"2003-01-01 02:00", "2003-01-01 02:15"},
         100, "(day first): line 2 '31-12-2002 01:00' cannot be %m-%d-%Y %H:%M"},
        {"us_slash.csv", {}, "daily", 7, "1/1/1985", {"1985-02-10", "1985-02-11"}, 40, "(month first)"},
        {"mm_dd_yyyy_monthly.csv", {}, "monthly", 12, "01-01-1985", {"1987-01-01", "1987-02-01"}, 24,
         "the only reading of labels like '01-01-1985' that gives a regular series"},
        {"dmy_slash.csv", {}, "daily", 7, "05/01/2023", {"2023-02-04", "2023-02-05"}, 30, "(day first)"},
        {"month_names.csv", {}, "monthly", 12, "Jan 2020", {"2022-01", "2022-02"}},
        {"year_month_name.csv", {}, "monthly", 12, "1949-Jan", {"1951-01", "1951-02"}},
        {"ambiguous.csv", {.dayfirst = true}, "monthly", 12, "01/02/2020", {"2020-05-01", "2020-06-01"}, 3},
        {"shampoo_style.csv", {.date_format = "%y-%m"}, "monthly", 12, "1-01", {"2004-01", "2004-02"}, 36},
        {"index.csv", {}, "unknown", 1, "0", {"50", "51"}, 50},
        {"one_column.csv", {}, "unknown", 1, "0", {"30", "31"}, 30, "the file has one column"},
    };
    for (const Case& c : cases) check(c);
}

TEST_CASE("csv files: labels that are no dates are errors naming --date-format and --dayfirst", "[csv][files]")
{
    expect_error("ambiguous.csv", {}, "cannot tell whether the dates are day first or month first");
    expect_error("ambiguous.csv", {}, "give --dayfirst or --date-format %m/%d/%Y");
    expect_error("shampoo_style.csv", {}, "'1-01' is neither a date elman reads");
    expect_error("shampoo_style.csv", {}, "e.g. --date-format %y-%m reads '1-01' as 2001-01");
    expect_error("words.csv", {}, "column 'label': 'alpha' is neither a date elman reads");
}

TEST_CASE("csv files: the period column is found past row ids, and combined from parts", "[csv][files]")
{
    check({"rowid_then_date.csv", {}, "daily", 7, "2011-01-01", {"2011-02-10", "2011-02-11"}, 40,
           "the periods are column 2 'dteday', which holds dates; column 1 'instant' is a row index"});
    check({"pandas_index.csv", {}, "monthly", 12, "2000-01-01", {"2002-07-01", "2002-08-01"}, 30,
           "column 1 'Unnamed: 0' is a row index"});
    expect_error("date_hour.csv", {}, "period '2011-01-01' repeats line 2's '2011-01-01': each period must appear "
                                         "once (rows at several times of one date? combine the date with column 'hr': "
                                         "--period-column dteday,hr)");
    check({"date_hour.csv", {.period_columns = {"dteday", "hr"}}, "hourly", 24, "2011-01-01 00:00",
           {"2011-01-03 12:00", "2011-01-03 13:00"}, 60});
    check({"ymdh.csv", {.column = "pm25"}, "hourly", 24, "2011-01-01 03:00", {"2011-01-03 12:00", "2011-01-03 13:00"}, 57,
           "the periods combine columns year, month, day, hour"});
    expect_error("ymdh.csv", {}, "several value columns (pm25, TEMP); choose one with --column");
    check({"date_time_columns.csv", {.period_columns = {"Date", "Time"}}, "1-minute", 1440, "16/12/2006 17:24:00",
           {"2006-12-16 18:04:00", "2006-12-16 18:05:00"}, 40});
}

TEST_CASE("csv files: dialects, quoting, thousands and decimal commas", "[csv][files]")
{
    const Series eu = load({"semicolon_decimal_comma.csv"});
    REQUIRE(eu.values[0] == 100.0);
    REQUIRE(eu.values[1] == 105.5);
    REQUIRE(eu.frequency == Frequency::daily);
    check({"semicolon_decimal_comma.csv", {}, "daily", 7, "01.01.2021", {"2021-02-10", "2021-02-11"}, 40,
           "numbers read with a decimal comma (sniffed; --decimal . to change)"});
    check({"tab.tsv", {}, "monthly", 12, "2019-01", {"2021-01", "2021-02"}, 24, "cells separated by tab"});
    check({"pipe.csv", {}, "monthly", 12, "2019-01", {"2021-01", "2021-02"}, 24, "cells separated by '|'"});
    REQUIRE(load({"quoted_thousands.csv"}).values[1] == 105500.0);
    REQUIRE(load({"decimal_comma_thousands.csv"}).values[1] == 105500.0);
    const Series typo = load({"typographic_header.csv"});
    REQUIRE(typo.name == "Sales");
    REQUIRE(typo.time.period_column == "Month");
    REQUIRE(load({"multiline_header.csv"}).name == "Sales\n(units)");
    check({"comments.csv", {}, "monthly", 12, "2019-01", {"2021-01", "2021-02"}, 24,
           "skipped 2 comment lines (#) before the header"});
    expect_error("header_wrong_delimiter.csv", {}, ":2: the row has 1 cell ('2019-01,100.0'), the header 2 cells "
                                                      "('Month', 'Sales') (cells split at ';'); give the delimiter "
                                                      "with --delimiter");
    expect_error("ragged_row.csv", {}, ":7: the row has 3 cells ('2019-06', '1', '107.5')");
    expect_error("unclosed_quote.csv", {}, ":7:2: unterminated double quote");
}

TEST_CASE("csv files: missing markers, trimmed ends, footers and bad rows", "[csv][files]")
{
    expect_error("na_markers.csv", {}, ":12:2: column 'value': missing value 'N/A' inside the series; "
                                          "--interpolate fills it");
    check({"na_markers.csv", {.interpolate = true}, "monthly", 12, "2019-04", {"2020-12", "2021-01"}, 20,
           "dropped 3 rows (line 2-4) with missing values at the start"});
    REQUIRE(load({"custom_na.csv"}).values[12] == -999);
    const Series custom = load({"custom_na.csv", {.interpolate = true, .na_values = {"-999"}}});
    REQUIRE(custom.values[12] == Approx((custom.values[11] + custom.values[13]) / 2));
    expect_error("custom_na.csv", {.na_values = {"-999"}}, "missing value '-999' inside the series");
    check({"fred_missing_dot.csv", {}, "monthly", 12, "2019-01-01", {"2020-11-01", "2020-12-01"}, 22,
           "dropped 2 rows (line 24-25) with missing values at the end"});
    check({"footer.csv", {}, "monthly", 12, "2019-01", {"2021-01", "2021-02"}, 24,
           "skipped 2 footer lines after the last data row: line 27 'Source: made-up figures for elman's test...', "
           "line 28 'Copyright nobody'"});
    check({"footer_total.csv", {}, "monthly", 12, "2019-01", {"2021-01", "2021-02"}, 24,
           "skipped 1 footer line after the last data row: line 26 'Total,2500.5'"});
    expect_error("bad_row_middle.csv", {}, ":13: period 'oops' is not a date in the form of the rows before "
                                              "('2019-01', %Y-%m)");
}

TEST_CASE("csv files: order, duplicates, gaps and irregular spacing", "[csv][files]")
{
    expect_error("descending.csv", {}, ":3: the rows run backwards in time ('2021-02-28' comes before line 2's "
                                          "'2021-03-01'); --sort sorts them oldest first");
    check({"descending.csv", {.sort = true}, "daily", 7, "2021-01-01", {"2021-03-02", "2021-03-03"}, 60,
           "rows sorted by time (--sort)"});
    expect_error("duplicate_dates.csv", {}, ":22: period '2021-01-20' repeats line 21's '2021-01-20'");
    expect_error("duplicate_dates.csv", {.sort = true}, "repeats");
    expect_error("unordered.csv", {}, ":13: period '2021-01-11' comes before line 12's '2021-01-12': rows must be in "
                                         "time order (--sort sorts them)");
    check({"unordered.csv", {.sort = true}, "daily", 7, "2021-01-01", {"2021-01-31", "2021-02-01"}, 30});
    expect_error("daily_gaps.csv", {}, "the daily series misses 4 periods: 1 after line 11 '2021-01-10' (from "
                                          "2021-01-11), 3 after line 30 '2021-01-30' (from 2021-01-31); --interpolate "
                                          "fills them by linear interpolation, --ignore-gaps keeps the rows");
    check({"daily_gaps.csv", {.interpolate = true}, "daily", 7, "2021-01-01", {"2021-03-02", "2021-03-03"}, 60,
           "filled 4 periods missing from the daily series"});
    check({"daily_gaps.csv", {.ignore_gaps = true}, "daily", 7, "2021-01-01", {"2021-03-02", "2021-03-03"}, 56,
           "kept as consecutive observations (--ignore-gaps)"});
    expect_error("irregular.csv", {}, ":22: period '2021-05-23' is not a whole number of weekly steps after line "
                                         "21's '2021-05-14'");
    check({"irregular.csv", {.ignore_gaps = true}, "weekly", 52, "2021-01-01", {"2021-10-08", "2021-10-15"}, 40,
           "irregular periods kept as consecutive observations"});
}

TEST_CASE("csv files: integer periods written as decimals by pandas are read as integers, with a note", "[csv][files]")
{
    const Inline ym("year,month,Sales\n1964.0,1.0,2815\n1964.0,2.0,2672\n1964.0,3.0,2755\n1964.0,4.0,2721\n");
    const Series s = load_csv(ym.path.string());
    REQUIRE(s.periods.front() == "1964-01");
    REQUIRE(s.frequency == Frequency::monthly);
    REQUIRE(s.values == std::vector<double>{2815, 2672, 2755, 2721});
    REQUIRE_THAT(notes_of(s), Contains("columns 'year', 'month' hold whole numbers written as decimals ('1964.0', as "
                                       "pandas writes an integer column that had a missing value): read as integers"));
    const Inline y("Year,Sales\n1990.0,5\n1991.0,6\n1992.0,7\n1993.0,8\n");
    const Series yearly = load_csv(y.path.string());
    REQUIRE(yearly.frequency == Frequency::yearly);
    REQUIRE(yearly.periods.front() == "1990");
    REQUIRE(future_periods(yearly, 1) == std::vector<std::string>{"1994"});
    REQUIRE_THAT(notes_of(yearly), Contains("column 'Year' holds whole numbers written as decimals ('1990.0'"));
    // Quarters too; a year that is not whole is no year: an error naming the option that reads it.
    const Inline yq("yr,qtr,v\n2001.0,1.0,5\n2001.0,2.0,6\n2001.0,3.0,7\n2001.0,4.0,8\n2002.0,1.0,9\n");
    REQUIRE(load_csv(yq.path.string()).frequency == Frequency::quarterly);
    const Inline t("t,v\n1.0,5\n2.0,6\n3.0,7\n4.0,8\n");
    REQUIRE_THROWS_WITH(load_csv(t.path.string()), Contains("whole numbers are written as decimals") &&
                                                     Contains("--period-column year,month"));
    CsvOptions named;
    named.period_columns = {"t"};
    REQUIRE_THROWS_WITH(load_csv(t.path.string(), named), Contains(":2: period '1.0' is not an integer index"));
}

TEST_CASE("csv files: values like '2,815' read as thousands say so when nothing in the file tells", "[csv][files]")
{
    const Inline all("month,v\n2020-01,\"2,815\"\n2020-02,\"2,672\"\n2020-03,\"2,755\"\n2020-04,981\n");
    const Series s = load_csv(all.path.string());
    REQUIRE(s.values == std::vector<double>{2815, 2672, 2755, 981});
    REQUIRE_THAT(notes_of(s), Contains("read 3 values like '2,815' (line 2) with ',' as the thousands separator") &&
                                  Contains("give --decimal , if ',' is the decimal mark"));
    for (const char* settled : {"2020-04,\"1,234.5\"\n", "2020-04,981.5\n", "2020-04,\"1,234,567\"\n"}) {
        const Inline f("month,v\n2020-01,\"2,815\"\n2020-02,\"2,672\"\n2020-03,\"2,755\"\n" + std::string(settled));
        INFO(settled);
        REQUIRE_THAT(notes_of(load_csv(f.path.string())), !Contains("thousands separator"));
    }
    CsvOptions point;
    point.decimal = '.';
    REQUIRE_THAT(notes_of(load_csv(all.path.string(), point)), !Contains("thousands separator"));
    const Inline semicolon("month;v\n2020-01;2,815\n2020-02;2,672\n2020-03;2,755\n");
    const Series eu = load_csv(semicolon.path.string());
    REQUIRE(eu.values[0] == Approx(2.815));
    REQUIRE_THAT(notes_of(eu), !Contains("thousands separator"));
}

TEST_CASE("csv files: future labels are written in the file's own form and padding", "[csv][files]")
{
    struct Next {
        const char* file;
        Opts opts;
        std::vector<std::string> next;  // future_labels(s, 2)
    };
    const std::vector<Next> cases{
        {"month_names.csv", {}, {"Jan 2022", "Feb 2022"}},
        {"year_month_name.csv", {}, {"1951-Jan", "1951-Feb"}},
        {"us_slash.csv", {}, {"2/10/1985", "2/11/1985"}},                     // no zero padding, as the file
        {"shampoo_style.csv", {.date_format = "%y-%m"}, {"4-01", "4-02"}},    // year unpadded, month padded
        {"semicolon_decimal_comma.csv", {}, {"10.02.2021", "11.02.2021"}},
        {"quarterly_q.csv", {}, {"2020Q1", "2020Q2"}},
        {"quarter_hourly_dmy.csv", {}, {"01-01-2003 02:00", "01-01-2003 02:15"}},
        {"date_time_columns.csv", {.period_columns = {"Date", "Time"}}, {"16/12/2006 18:04:00", "16/12/2006 18:05:00"}},
        {"monthly_ym.csv", {}, {"2021-01", "2021-02"}},
        // Labels with milliseconds and Z: the form cannot write them back, ISO 8601 instead.
        {"hourly_iso_z.csv", {}, {"2015-01-05T00:00:00Z", "2015-01-05T01:00:00Z"}},
        {"index.csv", {}, {"50", "51"}},
    };
    for (const Next& c : cases) {
        INFO(c.file);
        const Series s = load({c.file, c.opts});
        CHECK(future_labels(s, 2) == c.next);
    }
}
