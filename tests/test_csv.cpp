#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "core/error.hpp"
#include "datasets/csv.hpp"
#include "datasets/csv_series.hpp"
#include "datasets/period.hpp"

using namespace elman;
using Catch::Contains;

namespace {

// A CSV file with exactly these bytes in a fresh temporary folder, removed at scope exit.
struct TempCsv {
    std::filesystem::path path;
    explicit TempCsv(const std::string& bytes, const std::string& name = "series.csv")
    {
        static int counter = 0;
        const auto dir = std::filesystem::temp_directory_path() /
                         ("elman_test_csv_" + std::to_string(::getpid()) + "_" +
                          std::to_string(counter++));
        std::filesystem::create_directories(dir);
        path = dir / name;
        std::ofstream(path, std::ios::binary) << bytes;
    }
    ~TempCsv() { std::filesystem::remove_all(path.parent_path()); }
    std::string str() const { return path.string(); }
};

// The message of the elman::Error that load() throws, or "no error".
template <class Load>
std::string error_of(Load load)
{
    try {
        load();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

std::string load_error(const TempCsv& f, const CsvOptions& o = {})
{
    return error_of([&] { load_csv(f.str(), o); });
}

}  // namespace

TEST_CASE("csv: a monthly file loads with its periods, values and season 12", "[csv]")
{
    TempCsv f("month,passengers\n1949-01,112\n1949-02,118.5\n1949-03,-1e2\n");
    const Series s = load_csv(f.str());
    REQUIRE(s.name == "passengers");
    REQUIRE(s.periods == std::vector<std::string>{"1949-01", "1949-02", "1949-03"});
    REQUIRE(s.values == std::vector<double>{112, 118.5, -100});
    REQUIRE(s.frequency == Frequency::monthly);
    REQUIRE(s.season == 12);
}

TEST_CASE("csv: UTF-8 BOM, CRLF line ends, quotes and a trailing empty line are accepted", "[csv]")
{
    TempCsv f("\xEF\xBB\xBFyear,\"flow, m3\"\r\n1871,1120\r\n1872,\"1160\"\r\n\r\n");
    const Series s = load_csv(f.str());
    REQUIRE(s.name == "flow, m3");
    REQUIRE(s.periods.front() == "1871");
    REQUIRE(s.values == std::vector<double>{1120, 1160});
    REQUIRE(s.frequency == Frequency::yearly);
    REQUIRE(s.season == 1);
}

TEST_CASE("csv: the value column is chosen by name or by index", "[csv]")
{
    TempCsv f("period,a,b\n2000-Q1,1,10\n2000-Q2,2,20\n");
    CsvOptions by_name;
    by_name.column = "b";
    REQUIRE(load_csv(f.str(), by_name).values == std::vector<double>{10, 20});
    CsvOptions by_index;
    by_index.column_index = 1;
    const Series s = load_csv(f.str(), by_index);
    REQUIRE(s.name == "a");
    REQUIRE(s.frequency == Frequency::quarterly);
    REQUIRE(s.season == 4);
    REQUIRE_THROWS_WITH(load_csv(f.str()), Contains("several value columns (a, b)"));
}

TEST_CASE("csv: a frame holds several columns side by side", "[csv]")
{
    TempCsv f("day,x,y,z\n2024-01-01,1,2,3\n2024-01-02,4,5,6\n2024-01-03,7,8,9\n");
    const Frame fr = load_csv_frame(f.str(), {"z", "x"});
    REQUIRE(fr.columns == std::vector<std::string>{"z", "x"});
    REQUIRE(fr.frequency == Frequency::daily);
    REQUIRE(fr.season == 7);
    const Tensor<double> m = fr.matrix();
    REQUIRE(m.shape() == Shape{3, 2});
    REQUIRE(m(2, 0) == 9);
    REQUIRE(m(1, 1) == 4);
    REQUIRE(fr.column("x").values == std::vector<double>{1, 4, 7});
    REQUIRE_THROWS_WITH(fr.column("y"), Contains("available columns: z, x"));
}

TEST_CASE("csv: a non-numeric cell names file, line, column number and name", "[csv]")
{
    TempCsv f("month,passengers\n1949-01,112\n1949-02,11x8\n");
    const std::string msg = load_error(f);
    REQUIRE_THAT(msg, Contains(f.str() + ":3:2: column 'passengers'"));
    REQUIRE_THAT(msg, Contains("found '11x8', expected a number"));
}

TEST_CASE("csv: missing values inside the series are errors unless interpolated, inf always is", "[csv]")
{
    TempCsv empty("month,v\n1949-01,1\n1949-02,\n1949-03,3\n");
    REQUIRE_THAT(load_error(empty), Contains(empty.str() + ":3:2: column 'v': missing value '' inside the series; "
                                                           "--interpolate fills it"));
    TempCsv nan("month,v\n1949-01,1\n1949-02,2\n1949-03,nan\n1949-04,5\n");
    REQUIRE_THAT(load_error(nan), Contains(nan.str() + ":4:2: column 'v': missing value 'nan'"));
    TempCsv inf("month,v\n1949-01,1\n1949-02,-inf\n1949-03,3\n");
    REQUIRE_THAT(load_error(inf), Contains(inf.str() + ":3:2: column 'v': found '-inf', expected a finite number"));

    CsvOptions o;
    o.missing = Missing::interpolate;
    REQUIRE(load_csv(empty.str(), o).values == std::vector<double>{1, 2, 3});
    // 2 → 5 over three steps: 3, 4.
    TempCsv run("year,v\n2000,2\n2001,NA\n2002,NaN\n2003,5\n");
    REQUIRE(load_csv(run.str(), o).values == std::vector<double>{2, 3, 4, 5});
    REQUIRE_THAT(load_error(inf, o), Contains("expected a finite number"));
}

TEST_CASE("csv: missing values at the start and the end are trimmed with a note", "[csv]")
{
    TempCsv f("year,v\n2000,\n2001,NA\n2002,1\n2003,2\n2004,?\n");
    const Series s = load_csv(f.str());
    REQUIRE(s.values == std::vector<double>{1, 2});
    REQUIRE(s.periods == std::vector<std::string>{"2002", "2003"});
    REQUIRE(s.notes.size() == 2);
    REQUIRE_THAT(s.notes[0], Contains("dropped 2 rows (line 2-3) with missing values at the start"));
    REQUIRE_THAT(s.notes[1], Contains("dropped 1 row (line 6) with missing values at the end"));
    TempCsv none("year,v\n2000,\n2001,NA\n");
    REQUIRE_THAT(load_error(none), Contains("every row has a missing value in column 'v'"));
}

TEST_CASE("csv: interpolating between values near ±1e308 stays finite", "[csv]")
{
    // v[a] + w·(v[b] − v[a]) would overflow to inf here (a case fuzz_csv found).
    CsvOptions o;
    o.missing = Missing::interpolate;
    TempCsv wide("year,v\n2000,1e308\n2001,\n2002,-1e308\n");
    REQUIRE(load_csv(wide.str(), o).values == std::vector<double>{1e308, 0.0, -1e308});
}

TEST_CASE("csv: a row with the wrong number of cells is an error naming the cells parsed", "[csv]")
{
    TempCsv short_row("year,a,b\n2000,1,2\n2001,3\n2002,4,5\n");
    CsvOptions a;
    a.column = "a";
    REQUIRE_THAT(load_error(short_row, a),
                 Contains(short_row.str() + ":3: the row has 2 cells ('2001', '3'), the header 3 cells ('year', 'a', 'b')"));
    // At the end too: a row that starts with a period is a bad data row, not a footer.
    TempCsv long_row("year,a\n2000,1\n2001,3,4\n");
    REQUIRE_THAT(load_error(long_row), Contains(long_row.str() + ":3: the row has 3 cells ('2001', '3', '4')"));
}

TEST_CASE("csv: header problems are reported", "[csv]")
{
    TempCsv dup("year,v,v\n2000,1,2\n");
    REQUIRE_THAT(load_error(dup), Contains(dup.str() + ":1:3: column 'v': duplicate column name (also column 2)"));
    TempCsv ok("year,flow\n2000,1\n");
    CsvOptions o;
    o.column = "volume";
    const std::string msg = load_error(ok, o);
    REQUIRE_THAT(msg, Contains(ok.str() + ":1: no column 'volume'"));
    REQUIRE_THAT(msg, Contains("available columns: year, flow"));
    CsvOptions bad_index;
    bad_index.column_index = 5;
    REQUIRE_THAT(load_error(ok, bad_index), Contains("no column with index 5"));
}

TEST_CASE("csv: an empty file, a header alone and a missing file are errors", "[csv]")
{
    TempCsv empty("");
    REQUIRE_THAT(load_error(empty), Contains(empty.str() + ":1: empty file"));
    TempCsv header("year,v\n");
    REQUIRE_THAT(load_error(header), Contains(header.str() + ":2: no data rows"));
    REQUIRE_THROWS_WITH(load_csv("/nonexistent/elman.csv"),
                        Contains("/nonexistent/elman.csv: cannot open"));
}

TEST_CASE("csv: periods keep the first rows' form, in order and without gaps", "[csv]")
{
    TempCsv mixed("month,v\n1949-01,1\n1949,2\n1949-03,3\n");
    REQUIRE_THAT(load_error(mixed), Contains(mixed.str() + ":3: period '1949' is not a date in the form of the rows "
                                                           "before ('1949-01', %Y-%m)"));
    TempCsv gap("month,v\n1949-10,1\n1949-11,1\n1949-12,2\n1950-02,3\n");
    REQUIRE_THAT(load_error(gap), Contains(gap.str() + ": the monthly series misses 1 period: 1 after line 4 "
                                                       "'1949-12' (from 1950-01); --interpolate fills them"));
    TempCsv back("year,v\n2001,1\n2000,2\n1999,3\n");
    REQUIRE_THAT(load_error(back), Contains(back.str() + ":3: the rows run backwards in time"));
    REQUIRE_THAT(load_error(back), Contains("--sort"));
    TempCsv bad_month("month,v\n1949-11,1\n1949-13,2\n1950-01,3\n");
    REQUIRE_THAT(load_error(bad_month), Contains(bad_month.str() + ":3: period '1949-13' is not a date"));
}

TEST_CASE("csv: labels that are neither dates nor an index are an error naming --date-format", "[csv]")
{
    TempCsv f("t,v\nday one,1\nday two,2\n");
    REQUIRE_THAT(load_error(f), Contains(f.str() + ":2:1: column 't': 'day one' is neither a date elman reads") &&
                                    Contains("--date-format") && Contains("--no-period"));
    CsvOptions no_period;
    no_period.has_period = false;
    no_period.column = "v";
    const Series n = load_csv(f.str(), no_period);
    REQUIRE(n.periods == std::vector<std::string>{"0", "1"});
    REQUIRE_FALSE(n.time.calendar.known());
}

TEST_CASE("csv: a blank line between data rows and an unclosed quote are errors", "[csv]")
{
    TempCsv blank("year,v\n2000,1\n\n2001,2\n");
    REQUIRE_THAT(load_error(blank), Contains(blank.str() + ":3: empty line between data rows"));
    TempCsv quote("year,v\n2000,\"1\n");
    REQUIRE_THAT(load_error(quote), Contains(quote.str() + ":2:2:"));
    REQUIRE_THAT(load_error(quote), Contains("unterminated double quote"));
}

namespace {

// Three monthly series in long format (id, period, value), B shorter and starting later.
const char* long_file = "unique_id,ds,y\n"
                        "A,2020-01,1\nA,2020-02,2\nA,2020-03,3\nA,2020-04,4\n"
                        "B,2020-03,10\nB,2020-04,11\nB,2020-05,12\n"
                        "C,2020-01,5\nC,2020-02,6\nC,2020-03,7\n";

CsvOptions with_id(const std::string& id)
{
    CsvOptions o;
    o.id_column = id;
    return o;
}

}  // namespace

TEST_CASE("many series: a long file splits by its id column, each series with its own periods", "[csv][many]")
{
    const TempCsv f(long_file);
    const SeriesFile file = load_csv_long(f.str(), with_id("unique_id"));
    REQUIRE(file.series.size() == 3);
    CHECK(file.series[0].id == "A");
    CHECK(file.series[1].id == "B");
    CHECK(file.series[2].id == "C");
    for (const auto& s : file.series) REQUIRE(s.series);
    CHECK(file.series[0].series->values == std::vector<double>{1, 2, 3, 4});
    CHECK(file.series[1].series->values == std::vector<double>{10, 11, 12});
    CHECK(file.series[1].series->periods.front() == "2020-03");
    CHECK(file.series[1].series->name == "y");
    CHECK(frequency_name(file.series[2].series->time.calendar) == "monthly");
}

TEST_CASE("many series: rows of the series may interleave, order is each id's first row", "[csv][many]")
{
    const TempCsv f("store,month,sales\nx,2020-01,1\ny,2020-01,7\nx,2020-02,2\ny,2020-02,8\nx,2020-03,3\n");
    const SeriesFile file = load_csv_long(f.str(), with_id("store"));
    REQUIRE(file.series.size() == 2);
    CHECK(file.series[0].id == "x");
    CHECK(file.series[0].series->values == std::vector<double>{1, 2, 3});
    CHECK(file.series[1].series->values == std::vector<double>{7, 8});
    // Two numeric columns besides the id: --column picks the value column, or it is an error.
    const TempCsv two("store,month,sales,price\nx,2020-01,1,5\nx,2020-02,2,6\n");
    CHECK_THROWS_WITH(load_csv_long(two.str(), with_id("store")), Contains("--column"));
    CsvOptions o = with_id("store");
    o.column = "price";
    CHECK(load_csv_long(two.str(), o).series[0].series->values == std::vector<double>{5, 6});
}

TEST_CASE("many series: a gap in one series is that series' error, naming its line, the others are read",
          "[csv][many]")
{
    const TempCsv f("id,ds,y\nA,2020-01,1\nA,2020-02,2\nA,2020-03,3\nB,2020-01,1\nB,2020-03,3\nB,2020-04,4\n");
    const SeriesFile file = load_csv_long(f.str(), with_id("id"));
    REQUIRE(file.series.size() == 2);
    CHECK(file.series[0].series);
    CHECK_FALSE(file.series[1].series);
    CHECK_THAT(file.series[1].error, Contains("misses 1 period") && Contains("line 5"));
}

TEST_CASE("many series: a bad cell names file, line, column and series, a missing id column is named",
          "[csv][many]")
{
    const TempCsv f("id,ds,y\nA,2020-01,1\nA,2020-02,2\nB,2020-01,x1\nB,2020-02,3\n");
    CHECK_THROWS_WITH(load_csv_long(f.str(), with_id("id")),
                      Contains("series.csv:4:3: column 'y' of series 'B': found 'x1', expected a number"));
    CHECK_THROWS_WITH(load_csv_long(f.str(), with_id("store")), Contains("no id column 'store'"));
    const TempCsv empty("id,ds,y\nA,2020-01,1\n,2020-02,2\n");
    CHECK_THROWS_WITH(load_csv_long(empty.str(), with_id("id")), Contains(":3:1: column 'id': empty series id"));
}

TEST_CASE("many series: value columns of a wide file are series of their own, missing ends trimmed alone",
          "[csv][many]")
{
    const TempCsv f("month,a,b,c\n2020-01,1,,5\n2020-02,2,20,6\n2020-03,3,30,7\n2020-04,4,40,\n");
    const SeriesFile all = load_csv_columns(f.str(), {}, {});
    REQUIRE(all.series.size() == 3);
    CHECK(all.series[0].series->values == std::vector<double>{1, 2, 3, 4});
    CHECK(all.series[1].series->values == std::vector<double>{20, 30, 40});
    CHECK(all.series[1].series->periods.front() == "2020-02");
    CHECK(all.series[2].series->values == std::vector<double>{5, 6, 7});
    const SeriesFile two = load_csv_columns(f.str(), {"c", "a"}, {});
    REQUIRE(two.series.size() == 2);
    CHECK(two.series[0].id == "c");
    CHECK_THROWS_WITH(load_csv_columns(f.str(), {"a", "zz"}, {}), Contains("no column 'zz'"));
}

TEST_CASE("many series: covariate columns are read alongside the values, one value per period", "[csv][many]")
{
    const TempCsv f("month,sales,price,promo\n2020-01,10,1.5,0\n2020-02,12,1.4,1\n2020-03,11,1.6,0\n");
    CsvOptions o;
    o.column = "sales";
    o.covariates = {"promo", "price"};
    const Series s = load_csv(f.str(), o);
    CHECK(s.values == std::vector<double>{10, 12, 11});
    CHECK(s.covariate_names == std::vector<std::string>{"promo", "price"});
    CHECK(s.covariates[0] == std::vector<double>{0, 1, 0});
    CHECK(s.covariates[1] == std::vector<double>{1.5, 1.4, 1.6});
    o.covariates = {"sales"};
    CHECK_THROWS_WITH(load_csv(f.str(), o), Contains("'sales'"));
    o.covariates = {"nope"};
    CHECK_THROWS_WITH(load_csv(f.str(), o), Contains("nope"));
}

TEST_CASE("csv: a file that is not UTF-8 is refused at its line and byte, saying to save it as UTF-8", "[csv]")
{
    TempCsv latin1("Datum;Temp\xE9rature\n2020-01;1,5\n2020-02;2,5\n2020-03;3,5\n", "latin1.csv");
    const std::string e = load_error(latin1);
    REQUIRE_THAT(e, Contains(latin1.str() + ":1:11: byte 0xE9 is not UTF-8"));
    REQUIRE_THAT(e, Contains("Temp\\xE9rature"));
    REQUIRE_THAT(e, Contains("save the file as UTF-8"));
    REQUIRE(e.find('\xE9') == std::string::npos);  // never the raw byte
    TempCsv later("month,v\n2020-01,1\n2020-02,2 \x96 note\n");
    REQUIRE_THAT(load_error(later), Contains(later.str() + ":3:11: byte 0x96 is not UTF-8"));
    TempCsv overlong("month,v\n2020-01,1\xC0\xAF\n2020-02,2\n");
    REQUIRE_THAT(load_error(overlong), Contains(":2:10: byte 0xC0 is not UTF-8"));
    const std::string h = "Date,Value\n2020-01,1\n";
    std::string le = "\xFF\xFE", be = "\xFE\xFF";
    for (char c : h) {
        le += std::string{c, '\0'};
        be += std::string{'\0', c};
    }
    TempCsv utf16le(le), utf16be(be), no_bom(le.substr(2));
    REQUIRE_THAT(load_error(utf16le), Contains(utf16le.str() + ":1:1: the file is UTF-16 (little-endian, byte order "
                                                               "mark FF FE), not UTF-8; save the file as UTF-8"));
    REQUIRE_THAT(load_error(utf16be), Contains(":1:1: the file is UTF-16 (big-endian"));
    const std::string nul = load_error(no_bom);
    REQUIRE_THAT(nul, Contains(no_bom.str() + ":1:2: NUL byte (0x00) in 'D\\x00a\\x00"));
    REQUIRE(nul.find('\0') == std::string::npos);
    TempCsv accented("Datum,Température\n2020-01,1\n2020-02,2\n2020-03,3\n");
    REQUIRE(load_csv(accented.str()).name == "Température");
}

TEST_CASE("csv: bare CR line ends are read, a directory is named as one", "[csv]")
{
    TempCsv f("month,v\r2020-01,1\r2020-02,2\r2020-03,3\r");
    const Series s = load_csv(f.str());
    REQUIRE(s.values == std::vector<double>{1, 2, 3});
    REQUIRE(s.periods.back() == "2020-03");
    REQUIRE_THAT(load_error(f, {}), Contains("no error"));
    const std::string dir = f.path.parent_path().string();
    REQUIRE_THROWS_WITH(load_csv(dir), dir + ": is a directory, expected a CSV file");
}

namespace {

// "Month,v" rows "Jan-64", "Feb-64", ... for `months` months from January of two-digit `yy`.
std::string two_digit_monthly(int yy, int months)
{
    static const char* names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::string csv = "Month,v\n";
    for (int i = 0; i < months; ++i) {
        char label[16];
        std::snprintf(label, sizeof label, "%s-%02d", names[i % 12], (yy + i / 12) % 100);
        csv += std::string(label) + "," + std::to_string(100 + i % 7) + "\n";
    }
    return csv;
}

std::string notes_of(const Series& s)
{
    std::string all;
    for (const auto& n : s.notes) all += n + "\n";
    return all;
}

}  // namespace

TEST_CASE("csv: two-digit years take the century that keeps the rows in order and in the past, with a note", "[csv]")
{
    TempCsv sixties(two_digit_monthly(64, 105));  // Jan-64 .. Sep-72: the POSIX pivot splits it at 68/69
    const Series a = load_csv(sixties.str());
    REQUIRE(a.values.size() == 105);
    REQUIRE(future_periods(a, 1) == std::vector<std::string>{"1972-10"});
    REQUIRE_THAT(notes_of(a), Contains("two-digit years read as 1964\u20131972"));
    TempCsv fifties(two_digit_monthly(50, 132));  // Jan-50 .. Dec-60: the pivot reads 2050-2060
    const Series b = load_csv(fifties.str());
    REQUIRE(future_periods(b, 1) == std::vector<std::string>{"1961-01"});
    REQUIRE_THAT(notes_of(b), Contains("two-digit years read as 1950\u20131960"));
    TempCsv crossing(two_digit_monthly(98, 60));  // Jan-98 .. Dec-02 crosses into 20xx once
    const Series c = load_csv(crossing.str());
    REQUIRE(future_periods(c, 1) == std::vector<std::string>{"2003-01"});
    REQUIRE_THAT(notes_of(c), Contains("two-digit years read as 1998\u20132002"));
    TempCsv recent(two_digit_monthly(10, 24));
    REQUIRE_THAT(notes_of(load_csv(recent.str())), Contains("two-digit years read as 2010\u20132011"));
    TempCsv shuffled("Month,v\nFeb-70,2\nJan-64,1\nMar-72,3\n");  // out of order: one century, then --sort
    CsvOptions sort;
    sort.sort = true;
    sort.gaps = Gaps::keep;
    const Series d = load_csv(shuffled.str(), sort);
    REQUIRE(d.periods == std::vector<std::string>{"Jan-64", "Feb-70", "Mar-72"});
    REQUIRE_THAT(notes_of(d), Contains("two-digit years read as 1964\u20131972 (one century, not after"));
    TempCsv four_digit("Month,v\nJan-1964,1\nFeb-1964,2\nMar-1964,3\n");
    REQUIRE_THAT(notes_of(load_csv(four_digit.str())), !Contains("two-digit"));
}

TEST_CASE("csv: a file without a header row is refused with the header line to add", "[csv]")
{
    TempCsv monthly("1964-01,2815\n1964-02,2672\n1964-03,2755\n1964-04,2721\n");
    REQUIRE_THAT(load_error(monthly), Contains(monthly.str() + ":1: the first line ('1964-01', '2815') is data, not a "
                                                               "header") &&
                                          Contains("Add one naming the columns as line 1, e.g. 'period,value'"));
    TempCsv european("01.01.2020;1.5\n02.01.2020;2.5\n03.01.2020;3.5\n04.01.2020;4.5\n");
    REQUIRE_THAT(load_error(european), Contains(":1: the first line ('01.01.2020', '1.5') is data") &&
                                           Contains("e.g. 'period;value'"));
    TempCsv one_column("112\n118\n132\n129\n");
    REQUIRE_THAT(load_error(one_column), Contains(":1: the first line ('112') is data, not a header"));
    TempCsv numeric_name("Month,2815\n1964-01,1\n1964-02,2\n1964-03,3\n");
    REQUIRE(load_csv(numeric_name.str()).name == "2815");
}

namespace {

std::string file_notes(const SeriesFile& f)
{
    std::string all;
    for (const auto& n : f.notes) all += n + "\n";
    return all;
}

}  // namespace

TEST_CASE("many series: headerless files are refused as for one series, long and wide", "[csv][many]")
{
    TempCsv wide("2020-01,1,5\n2020-02,2,6\n2020-03,3,7\n2020-04,4,8\n");
    REQUIRE_THAT(error_of([&] { load_csv_columns(wide.str(), {}, {}); }),
                 Contains(wide.str() + ":1: the first line ('2020-01', '1', '5') is data, not a header") &&
                     Contains("e.g. 'period,value2,value3'"));
    // Named columns that the "header" cannot have: the reason is the missing header, not the name.
    REQUIRE_THAT(error_of([&] { load_csv_columns(wide.str(), {"sales"}, {}); }), Contains(":1: the first line"));
    TempCsv long_rows("A,2020-01,1\nA,2020-02,2\nB,2020-01,7\nB,2020-02,8\n");
    REQUIRE_THAT(error_of([&] { load_csv_long(long_rows.str(), with_id("id")); }),
                 Contains(":1: the first line ('A', '2020-01', '1') is data") && Contains("e.g. 'id,period,value'"));
    // A real header whose names are not the data's kinds is read.
    TempCsv named("id,2020,2021\nA,1,2\nB,3,4\n");
    REQUIRE_THAT(error_of([&] { load_csv_long(named.str(), with_id("id")); }), !Contains("is data, not a header"));
}

TEST_CASE("many series: two-digit years, filled values, non-UTF-8 and bare CR are read as for one series",
          "[csv][many]")
{
    // Two series Jan-64..Sep-72 in a long file: each read in the 1960s-70s, the note said once.
    std::string rows = "id,Month,v\n";
    for (const char* id : {"A", "B"}) {
        const std::string one = two_digit_monthly(64, 105);
        std::size_t at = one.find('\n') + 1;
        while (at < one.size()) {
            const std::size_t end = one.find('\n', at);
            rows += std::string(id) + "," + one.substr(at, end - at) + "\n";
            at = end + 1;
        }
    }
    TempCsv yy(rows);
    const SeriesFile f = load_csv_long(yy.str(), with_id("id"));
    REQUIRE(f.series.size() == 2);
    for (const auto& s : f.series) {
        REQUIRE(s.series);
        REQUIRE(future_periods(*s.series, 1) == std::vector<std::string>{"1972-10"});
        REQUIRE_THAT(notes_of(*s.series), !Contains("two-digit"));
    }
    REQUIRE_THAT(file_notes(f), Contains("two-digit years read as 1964\u20131972"));
    // --interpolate: the made-up value is recorded for the series that had it, with a note.
    TempCsv gap("month,a,b\n2020-01,1,10\n2020-02,2,NA\n2020-03,3,30\n2020-04,4,40\n");
    CsvOptions interpolate;
    interpolate.missing = Missing::interpolate;
    interpolate.gaps = Gaps::interpolate;
    const SeriesFile w = load_csv_columns(gap.str(), {}, interpolate);
    REQUIRE(w.series[0].series->filled.empty());
    REQUIRE(w.series[1].series->filled == std::vector<std::size_t>{1});
    REQUIRE(w.series[1].series->values[1] == 20);
    REQUIRE_THAT(notes_of(*w.series[1].series), Contains("filled 1 missing value by linear interpolation "
                                                         "(--interpolate): line 3 '2020-02'"));
    TempCsv long_gap("id,month,y\nA,2020-01,1\nA,2020-02,\nA,2020-03,3\nB,2020-01,5\nB,2020-02,6\n");
    const SeriesFile lg = load_csv_long(long_gap.str(), [] {
        CsvOptions o = with_id("id");
        o.missing = Missing::interpolate;
        return o;
    }());
    REQUIRE(lg.series[0].series->filled == std::vector<std::size_t>{1});
    REQUIRE(lg.series[1].series->filled.empty());
    // The file's encoding and line ends: as load_csv.
    TempCsv latin1("id;Datum;Temp\xE9rature\nA;2020-01;1\nA;2020-02;2\n");
    REQUIRE_THAT(error_of([&] { load_csv_long(latin1.str(), with_id("id")); }),
                 Contains(":1:14: byte 0xE9 is not UTF-8") && Contains("save the file as UTF-8"));
    REQUIRE_THAT(error_of([&] { load_csv_columns(latin1.str(), {}, {}); }), Contains("byte 0xE9 is not UTF-8"));
    TempCsv cr("month,a,b\r2020-01,1,5\r2020-02,2,6\r2020-03,3,7\r");
    const SeriesFile c = load_csv_columns(cr.str(), {}, {});
    REQUIRE(c.series.size() == 2);
    REQUIRE(c.series[1].series->values == std::vector<double>{5, 6, 7});
}
