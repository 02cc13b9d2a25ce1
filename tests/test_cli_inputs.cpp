// The `elman` program on real-world inputs: what it says about the calendar it found (on
// stderr, --quiet or not), what metrics.json and pipeline.json record, undefined metrics,
// --test 0, `predict` checking its input against the model, --folds, and covariates.
#include <catch2/catch.hpp>

#ifdef ELMAN_CLI

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_run.hpp"
#include "temp_dir.hpp"
#include "tools/forecast_plots.hpp"

namespace fs = std::filesystem;
using elman::test::CliRun;
using elman::test::lines_of;
using elman::test::read_file;
using elman::test::run_cli;

namespace {

const std::string fast = " --quiet --epochs 8 --seeds 1 --ensemble 2 --max-steps 150";

std::string fixture(const std::string& name)
{
    return "'" + (fs::path(ELMAN_SOURCE_DIR) / "tests/fixtures/csv" / name).string() + "'";
}

struct Tmp : elman::test::TempDir {
    Tmp() : elman::test::TempDir("elman_test_cli_inputs") {}
    std::string out(const std::string& name) const { return " --out '" + (path / name).string() + "'"; }
    void write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
    std::string file(const std::string& name) const { return "'" + (path / name).string() + "'"; }
};

nlohmann::json metrics(const Tmp& t, const std::string& out)
{
    return nlohmann::json::parse(read_file(t.path / out / "metrics.json"));
}

// A CSV "month,NAME" of n monthly values from 2000-01 on: level + a seasonal wave.
std::string monthly_csv(const std::string& name, std::size_t n, double level, double amplitude)
{
    std::ostringstream os;
    os << "month," << name << "\n";
    os.precision(17);
    for (std::size_t t = 0; t < n; ++t) {
        char period[48];  // room for any size_t year, as GCC -Wformat-truncation asks
        std::snprintf(period, sizeof period, "%04zu-%02zu", 2000 + t / 12, t % 12 + 1);
        os << period << "," << level + amplitude * std::sin(0.5236 * static_cast<double>(t)) << "\n";
    }
    return os.str();
}

}  // namespace

TEST_CASE("cli: the frequency and season are recorded with where they came from", "[cli][inputs]")
{
    Tmp t;
    const CliRun r = run_cli("forecast " + fixture("fred_monthly.csv") + t.out("fred") + fast, t.path);
    INFO("stderr: " << r.err);
    REQUIRE(r.status == 0);
    const auto j = metrics(t, "fred");
    CHECK(j.at("frequency") == "monthly");
    CHECK(j.at("frequency_source") == "inferred");
    CHECK(j.at("period_column") == "DATE");
    CHECK(j.at("date_format") == "%Y-%m-%d");
    CHECK(j.at("season") == 12);
    CHECK(j.at("season_source") == "default");
    CHECK(j.at("horizon") == 12);  // M4's 18, capped by the 12 test values
    CHECK(j.at("horizon_source") == "default");
    CHECK(j.at("plausible_band").at("rule").get<std::string>().find("R = max - min") != std::string::npos);
    CHECK(j.at("multi_step").at("elman").contains("outside_band"));
    const auto p = nlohmann::json::parse(read_file(t.path / "fred/model/pipeline.json"));
    CHECK(p.at("series").at("column") == "VALUE");
    CHECK(p.at("series").at("frequency") == "monthly");
    CHECK(p.at("series").at("season_source") == "default");
    const CliRun given = run_cli("forecast " + fixture("fred_monthly.csv") + " --season 6" + t.out("six") + fast, t.path);
    REQUIRE(given.status == 0);
    CHECK(metrics(t, "six").at("season_source") == "given");
}

TEST_CASE("cli: no calendar is said on stderr even with --quiet, with the season used", "[cli][inputs]")
{
    Tmp t;
    const CliRun r = run_cli("forecast " + fixture("index.csv") + t.out("index") + fast, t.path);
    INFO("stderr: " << r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out.empty());
    CHECK(r.err.find("no calendar (the periods in column 't' are a plain row index): season 1 (default; give --season "
                     "or --frequency)") != std::string::npos);
    CHECK(metrics(t, "index").at("frequency") == "unknown");
    const CliRun q = run_cli("forecast " + fixture("index.csv") + " --frequency monthly" + t.out("q") + fast, t.path);
    REQUIRE(q.status == 0);
    CHECK(q.err.find("no calendar") == std::string::npos);
    CHECK(metrics(t, "q").at("season") == 12);
    CHECK(metrics(t, "q").at("frequency_source") == "given");
}

TEST_CASE("cli: undefined metrics are n/a and null for every method, a constant series is exact", "[cli][inputs]")
{
    Tmp t;
    t.write("zero.csv", monthly_csv("v", 60, 0, 0));
    const CliRun r = run_cli("forecast " + t.file("zero.csv") + t.out("zero") + " --epochs 8 --seeds 1 --ensemble 2",
                             t.path);
    INFO("stderr: " << r.err);
    REQUIRE(r.status == 0);
    const auto j = metrics(t, "zero");
    for (const char* method : {"elman", "naive", "seasonal_naive", "drift"})
        for (const char* protocol : {"one_step", "multi_step"}) {
            INFO(protocol << " " << method);
            CHECK(j.at(protocol).at(method).at("mase").is_null());
            CHECK(j.at(protocol).at(method).at("mape").is_null());
            CHECK(j.at(protocol).at(method).at("rmse") == 0.0);
        }
    // The table: n/a in both MAPE and MASE columns of every row, never inf or 0.000.
    std::size_t rows = 0;
    for (const auto& line : lines_of(r.out))
        if (line.rfind("elman ", 0) == 0 || line.rfind("naive ", 0) == 0 || line.rfind("drift ", 0) == 0) {
            ++rows;
            CHECK(line.find("n/a") != std::string::npos);
            CHECK(line.find("inf") == std::string::npos);
        }
    CHECK(rows == 3);
    for (const auto& line : lines_of(read_file(t.path / "zero/forecast.csv")))
        if (line.rfind("2", 0) == 0) CHECK(line.find(",0,0,0,0,0,0,0,0,0,") != std::string::npos);
}

TEST_CASE("cli: a scale near 1e200 gives finite results and a model predict can read", "[cli][inputs]")
{
    Tmp t;
    t.write("huge.csv", monthly_csv("v", 96, 1e200, 1e199));
    const CliRun r = run_cli("forecast " + t.file("huge.csv") + t.out("huge") + fast, t.path);
    INFO("stderr: " << r.err);
    REQUIRE(r.status == 0);
    const auto j = metrics(t, "huge");
    for (const char* method : {"elman", "naive", "seasonal_naive", "drift"}) {
        CHECK(j.at("one_step").at(method).at("rmse").is_number());
        CHECK(j.at("multi_step").at(method).at("mase").is_number());
    }
    CHECK(read_file(t.path / "huge/model/pipeline.json").find("null") == std::string::npos);
    const CliRun p = run_cli("predict --model " + t.file("huge") + " " + t.file("huge.csv") + " --horizon 3", t.path);
    INFO("predict stderr: " << p.err);
    REQUIRE(p.status == 0);
    const auto lines = lines_of(p.out);
    REQUIRE(lines.size() == 4);
    CHECK(lines[1].rfind("2008-01,", 0) == 0);
    CHECK(std::isfinite(std::stod(lines[1].substr(8))));
}

TEST_CASE("cli: --test 0 fits on the whole series and writes the forecast of the next periods", "[cli][inputs]")
{
    Tmp t;
    const CliRun r = run_cli("forecast " + fixture("business_days.csv") + " --test 0" + t.out("b") + fast, t.path);
    INFO("stderr: " << r.err);
    REQUIRE(r.status == 0);
    const auto j = metrics(t, "b");
    CHECK(j.at("n_test") == 0);
    CHECK(j.at("one_step").is_null());
    CHECK(j.at("horizon") == 14);
    const auto csv = lines_of(read_file(t.path / "b/forecast.csv"));
    REQUIRE(csv.size() == 15);
    CHECK(csv[0] == "period,elman,naive,seasonal_naive,drift,lo80,hi80,lo95,hi95");
    // Business days after Friday 2021-02-26: Monday, Tuesday..., no weekend.
    CHECK(csv[1].rfind("2021-03-01,", 0) == 0);
    CHECK(csv[6].rfind("2021-03-08,", 0) == 0);
    // The model predicts the same business days.
    const CliRun p = run_cli("predict --model " + t.file("b") + " " + fixture("business_days.csv") + " --horizon 6",
                             t.path);
    REQUIRE(p.status == 0);
    CHECK(lines_of(p.out)[6].rfind("2021-03-08,", 0) == 0);
}

TEST_CASE("cli: predict refuses another column or frequency and warns about values far outside", "[cli][inputs]")
{
    Tmp t;
    t.write("cars.csv", monthly_csv("Sales", 96, 15000, 3000));
    REQUIRE(run_cli("forecast " + t.file("cars.csv") + t.out("cars") + fast, t.path).status == 0);
    t.write("champagne.csv", monthly_csv("Perrin Freres monthly champagne sales", 96, 5000, 2000));
    const CliRun col = run_cli("predict --model " + t.file("cars") + " " + t.file("champagne.csv"), t.path);
    CHECK(col.status != 0);
    CHECK(col.err.find("the model was fitted on column 'Sales' of monthly data; champagne.csv:Perrin Freres monthly "
                       "champagne sales is column 'Perrin Freres monthly champagne sales'") != std::string::npos);
    // The same column name: the value at the model's last training period tells them apart.
    t.write("renamed.csv", monthly_csv("Sales", 96, 5000, 2000));
    const CliRun same_name = run_cli("predict --model " + t.file("cars") + " " + t.file("renamed.csv") + " --horizon 2", t.path);
    CHECK(same_name.status == 0);
    CHECK(same_name.err.find("elman: warning: at 2005-12, the last period the model was fitted on, renamed.csv:Sales is ") !=
          std::string::npos);
    const CliRun own = run_cli("predict --model " + t.file("cars") + " " + t.file("cars.csv") + " --horizon 2", t.path);
    CHECK(own.status == 0);
    CHECK(own.err == "elman: note: cars.csv: read as the model's series was (" + (t.path / "cars/model/pipeline.json").string() +
                         "): --column Sales\n");
    t.write("daily.csv", "day,Sales\n2021-01-01,15000\n2021-01-02,15100\n2021-01-03,15050\n2021-01-04,14900\n"
                         "2021-01-05,15000\n2021-01-06,15100\n2021-01-07,15050\n2021-01-08,14900\n2021-01-09,15000\n"
                         "2021-01-10,15100\n2021-01-11,15050\n2021-01-12,14900\n2021-01-13,15000\n2021-01-14,15100\n"
                         "2021-01-15,15050\n2021-01-16,14900\n2021-01-17,15000\n2021-01-18,15100\n2021-01-19,15050\n"
                         "2021-01-20,14900\n2021-01-21,15000\n2021-01-22,15100\n2021-01-23,15050\n2021-01-24,14900\n"
                         "2021-01-25,15000\n2021-01-26,15100\n2021-01-27,15050\n2021-01-28,14900\n");
    const CliRun freq = run_cli("predict --model " + t.file("cars") + " " + t.file("daily.csv"), t.path);
    CHECK(freq.status != 0);
    CHECK(freq.err.find("is daily (fit a model on daily data)") != std::string::npos);
    t.write("big.csv", monthly_csv("Sales", 96, 1e9, 1e8));
    const CliRun far = run_cli("predict --model " + t.file("cars") + " " + t.file("big.csv") + " --horizon 2", t.path);
    CHECK(far.status == 0);
    CHECK(far.err.find("elman: warning: 96 of 96 values of big.csv:Sales lie outside") != std::string::npos);
}

TEST_CASE("cli: predict reads the file as the model's series was read and labels the future as the file does",
          "[cli][inputs]")
{
    Tmp t;
    static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::ostringstream os;
    os << "Month,Sales,Price\n";
    for (std::size_t i = 0; i < 60; ++i)  // Jul 2002 missing: a gap
        if (i != 30)
            os << months[i % 12] << " " << 2000 + i / 12 << "," << 100 + 20 * std::sin(0.5236 * static_cast<double>(i))
               << ",5\n";
    t.write("gappy.csv", os.str());
    const CliRun f = run_cli("forecast " + t.file("gappy.csv") + " --column Sales --ignore-gaps --test 0" + t.out("m") + fast,
                             t.path);
    INFO("forecast stderr: " << f.err);
    REQUIRE(f.status == 0);
    CHECK(lines_of(read_file(t.path / "m/forecast.csv"))[1].rfind("Jan 2005,", 0) == 0);
    // Neither --column nor --ignore-gaps: both from the model, said in one note, no gap error.
    const CliRun p = run_cli("predict --model " + t.file("m") + " " + t.file("gappy.csv") + " --horizon 2", t.path);
    INFO("predict stderr: " << p.err);
    REQUIRE(p.status == 0);
    CHECK(p.err.find("gappy.csv: read as the model's series was (") != std::string::npos);
    CHECK(p.err.find("): --column Sales --ignore-gaps\n") != std::string::npos);
    CHECK(p.err.find("error") == std::string::npos);
    const auto lines = lines_of(p.out);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].rfind("period,Sales_forecast,", 0) == 0);
    CHECK(lines[1].rfind("Jan 2005,", 0) == 0);  // the file's form, as forecast.csv has it
    CHECK(lines[2].rfind("Feb 2005,", 0) == 0);
    // An option given to predict wins over the model's.
    const CliRun q = run_cli("predict --model " + t.file("m") + " " + t.file("gappy.csv") + " --interpolate --horizon 1",
                             t.path);
    REQUIRE(q.status == 0);
    CHECK(q.err.find("): --column Sales\n") != std::string::npos);
    CHECK(q.err.find("filled 1 period missing from the monthly series") != std::string::npos);
}

TEST_CASE("cli: the table keeps its columns for huge scores, a missing calendar is said once", "[cli][inputs]")
{
    Tmp t;
    // Flat training values, then a jump: every method's MASE is in the millions.
    std::ostringstream os;
    os << "v\n";
    os.precision(17);
    for (std::size_t i = 0; i < 60; ++i)
        os << (i < 48 ? 100 + 1e-4 * std::sin(static_cast<double>(i)) : 5000.0 + static_cast<double>(i)) << "\n";
    t.write("jump.csv", os.str());
    const CliRun r = run_cli("forecast " + t.file("jump.csv") + " --no-period --test 12 --epochs 2 --seeds 1 --ensemble 1 "
                             "--max-steps 20" + t.out("j"), t.path);
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.status == 0);
    const auto lines = lines_of(r.out);
    std::size_t header = 0;
    while (header < lines.size() && lines[header].rfind("method ", 0) != 0) ++header;
    REQUIRE(header + 4 < lines.size());
    for (std::size_t i = header + 1; i < header + 5; ++i) {
        INFO(lines[i]);
        CHECK(lines[i].size() == lines[header].size());
    }
    CHECK(r.out.find("e+") != std::string::npos);  // a score too wide for %.3f, in fewer digits
    const std::string both = r.out + r.err;
    const auto first = both.find("no calendar");
    REQUIRE(first != std::string::npos);
    CHECK(both.find("no calendar", first + 1) == std::string::npos);
}

TEST_CASE("cli: files out of order, with gaps or with ambiguous dates are refused, naming the flag", "[cli][inputs]")
{
    Tmp t;
    struct Case {
        std::string file, args, mentions;
    };
    for (const Case& c : {Case{"descending.csv", "", "--sort"}, Case{"daily_gaps.csv", "", "--interpolate"},
                          Case{"ambiguous.csv", "", "--dayfirst"}, Case{"shampoo_style.csv", "", "--date-format %y-%m"},
                          Case{"words.csv", "", "--no-period"}, Case{"date_hour.csv", " --column cnt", "--period-column dteday,hr"},
                          Case{"index.csv", " --lookback 1 --test 45", "a smaller --test"}}) {
        INFO(c.file << c.args);
        const CliRun r = run_cli("forecast " + fixture(c.file) + c.args + t.out("never") + fast, t.path);
        CHECK(r.status == 1);
        const auto lines = lines_of(r.err);
        REQUIRE_FALSE(lines.empty());
        CHECK(lines.back().rfind("elman: error: ", 0) == 0);
        CHECK(lines.back().find(c.mentions) != std::string::npos);
        CHECK(lines.back().find("Missing::") == std::string::npos);
        CHECK_FALSE(fs::exists(t.path / "never"));
    }
    // A remedy that cannot work is not offered: the lookback is already 1.
    const CliRun r = run_cli("forecast " + fixture("index.csv") + " --lookback 1 --test 45" + t.out("never") + fast, t.path);
    CHECK(r.err.find("--lookback") == std::string::npos);
}

TEST_CASE("cli: --interpolate says what it filled and no method is scored on a filled test value", "[cli][inputs]")
{
    Tmp t;
    std::string csv = monthly_csv("v", 48, 100, 20);
    const auto at = csv.find("\n2003-08,");  // line 45, inside the last 12 values (the test part)
    csv.replace(at + 9, csv.find('\n', at + 1) - at - 9, "NA");
    t.write("na.csv", csv);
    const CliRun r = run_cli("forecast " + t.file("na.csv") + " --interpolate --test 12" + t.out("na") + fast, t.path);
    INFO("stderr: " << r.err);
    REQUIRE(r.status == 0);
    CHECK(r.err.find("filled 1 missing value by linear interpolation (--interpolate): line 45 '2003-08'") !=
          std::string::npos);
    const auto j = metrics(t, "na");
    const std::string notes = j.at("notes").dump();
    CHECK(notes.find("line 45 '2003-08'") != std::string::npos);
    CHECK(notes.find("1 of the 12 test values were filled by --interpolate ('2003-08'): every method's metrics "
                     "and interval scores leave them out, scoring the other 11") != std::string::npos);
    // naive's one-step MAE over the 11 real actuals, from forecast.csv; with the filled one it differs.
    double sum = 0, filled_error = 0;
    for (const auto& line : lines_of(read_file(t.path / "na/forecast.csv"))) {
        if (line.rfind("2003-", 0) != 0) continue;
        std::istringstream cells(line);
        std::string period, actual, elman_f, naive_f;
        std::getline(cells, period, ',');
        std::getline(cells, actual, ',');
        std::getline(cells, elman_f, ',');
        std::getline(cells, naive_f, ',');
        const double e = std::abs(std::stod(actual) - std::stod(naive_f));
        (period == "2003-08" ? filled_error : sum) += e;
    }
    REQUIRE(filled_error > 0);
    CHECK(j.at("one_step").at("naive").at("mae").get<double>() == Approx(sum / 11).epsilon(1e-9));
}

TEST_CASE("cli: --folds K writes every fold's scores, their mean and sd, beside the last fold's outputs", "[cli][backtest]")
{
    Tmp t;
    const std::string one = " --strategy recursive --lookback 4 --diff none --no-log";
    const CliRun r = run_cli("forecast --builtin nile_flow --folds 2 --fold-step 5" + one + t.out("n") + fast, t.path);
    INFO("stderr: " << r.err);
    REQUIRE(r.status == 0);
    const auto b = nlohmann::json::parse(read_file(t.path / "n/backtest.json"));
    CHECK(b.at("step") == 5);
    CHECK_FALSE(b.at("interrupted").get<bool>());
    REQUIRE(b.at("folds").size() == 2);
    CHECK(b.at("folds")[0].at("n") == 95);
    CHECK(b.at("folds")[1].at("n") == 100);
    CHECK(b.at("folds")[1].at("n_train") == metrics(t, "n").at("n_train"));
    const double m0 = b.at("folds")[0].at("multi_step").at("elman").at("mase");
    const double m1 = b.at("folds")[1].at("multi_step").at("elman").at("mase");
    CHECK(b.at("summary").at("multi_step.elman.mase").at("mean").get<double>() == Approx((m0 + m1) / 2));
    // fold × protocol × method, and the interval scores on elman's rows only.
    const auto csv = lines_of(read_file(t.path / "n/folds.csv"));
    REQUIRE(csv.size() == 1 + 2 * 2 * 4);
    CHECK(csv[1].rfind("1,", 0) == 0);
    CHECK(csv[1].find(",one_step,elman,") != std::string::npos);
    CHECK(csv[2].substr(csv[2].size() - 4) == ",,,,");

    CHECK(run_cli("forecast --builtin nile_flow --folds 0" + t.out("z") + fast, t.path).err.find("--folds must be >= 1") !=
          std::string::npos);
    CHECK(run_cli("forecast --builtin nile_flow --fold-step 3" + t.out("z") + fast, t.path).err.find(
              "--fold-step needs --folds") != std::string::npos);
    const CliRun many = run_cli("forecast --builtin nile_flow --folds 30" + t.out("z") + fast, t.path);
    CHECK(many.status != 0);
    CHECK(many.err.find("try fewer --folds") != std::string::npos);
    CHECK_FALSE(fs::exists(t.path / "z"));
}

TEST_CASE("cli: forecast.svg draws a very long series as its envelope, in a file of a plot's size", "[cli][inputs]")
{
    Tmp t;
    elman::Series s;
    s.name = "v";
    for (std::size_t i = 0; i < 60000; ++i) {
        s.periods.push_back(std::to_string(i));
        s.values.push_back(std::sin(0.01 * static_cast<double>(i)) + (i == 31234 ? 5.0 : 0.0));
    }
    elman::ForecastResult r;
    r.n_train = s.values.size();
    r.horizon = 4;
    r.future["elman"] = {0, 0.1, 0.2, 0.3};
    r.future["naive"] = {0, 0, 0, 0};
    elman::cli::plot_forecasts(t.path, s, "long.csv:v", r);
    const std::string svg = read_file(t.path / "forecast.svg");
    CHECK(svg.size() < 600'000);  // 60,000 points unthinned: several MB
    // PLplot writes text as character references (&#x6c;): decoded, the title says what was thinned.
    std::string text;
    for (std::size_t i = 0; i < svg.size(); ++i) {
        if (svg.compare(i, 3, "&#x") == 0) {
            const std::size_t end = svg.find(';', i);
            text += static_cast<char>(std::stoi(svg.substr(i + 3, end - i - 3), nullptr, 16));
            i = end;
        } else if (svg.compare(i, 7, "</text>") == 0) {
            text += '\n';
        }
    }
    CHECK(text.find("lowest and highest of every 30 values") != std::string::npos);
}

TEST_CASE("cli: a known-future covariate is fitted, recorded, and predict needs its values from --future",
          "[cli][covariates]")
{
    Tmp t;
    // 72 months; a policy dummy from 2002-07 on lifts sales by 50.
    std::ostringstream os, bare;
    os << "month,sales,policy\n";
    bare << "month,sales\n";
    for (std::size_t k = 0; k < 72; ++k) {
        char period[48];
        std::snprintf(period, sizeof period, "%04zu-%02zu", 2000 + k / 12, k % 12 + 1);
        const int policy = k >= 30;
        const double v = 100 + 10 * std::sin(0.5236 * static_cast<double>(k)) + 50 * policy;
        os << period << "," << v << "," << policy << "\n";
        bare << period << "," << v << "\n";
    }
    t.write("sales.csv", os.str());
    t.write("bare.csv", bare.str());
    const std::string one = " --lookback 12 --diff none --no-log --strategy recursive --horizon 3";
    const CliRun fit = run_cli("forecast " + t.file("sales.csv") + " --future-covariates policy --test 12" + one +
                                   t.out("m") + fast,
                               t.path);
    INFO("stderr: " << fit.err);
    REQUIRE(fit.status == 0);
    const auto pipeline = nlohmann::json::parse(read_file(t.path / "m/model/pipeline.json"));
    CHECK(pipeline.at("covariates").at("future") == nlohmann::json::array({"policy"}));
    const std::string model = "predict --model " + t.file("m") + " --horizon 3 ";
    const CliRun none = run_cli(model + t.file("sales.csv"), t.path);
    CHECK(none.status != 0);
    // one line of error, after the note on the options taken from the model (its column)
    const auto none_lines = lines_of(none.err);
    REQUIRE_FALSE(none_lines.empty());
    CHECK(none_lines.back().rfind("elman: error: predict: the model takes the known-future covariate", 0) == 0);
    CHECK(none.err.find("elman: error:") == none.err.rfind("elman: error:"));
    CHECK(none.err.find("the model takes the known-future covariate 'policy': give its values for the 3 periods to "
                        "forecast (--future FILE.csv") != std::string::npos);
    const CliRun missing = run_cli(model + t.file("bare.csv"), t.path);
    CHECK(missing.status != 0);
    CHECK(missing.err.find("policy") != std::string::npos);
    t.write("future.csv", "month,policy\n2006-01,1\n2006-02,1\n2006-03,1\n");
    const CliRun p = run_cli(model + t.file("sales.csv") + " --future " + t.file("future.csv"), t.path);
    INFO("predict stderr: " << p.err);
    REQUIRE(p.status == 0);
    const auto rows = lines_of(p.out);
    REQUIRE(rows.size() == 4);
    CHECK(rows[1].rfind("2006-01,", 0) == 0);
    const CliRun all = run_cli("forecast " + t.file("sales.csv") + " --future-covariates policy --test 0" + one +
                                   t.out("all") + fast,
                               t.path);
    CHECK(all.status != 0);
    CHECK(all.err.find("give a CSV of the future periods with --future") != std::string::npos);
    const CliRun with_test = run_cli("forecast " + t.file("sales.csv") + " --future-covariates policy --future " +
                                         t.file("future.csv") + one + t.out("t") + fast,
                                     t.path);
    CHECK(with_test.status != 0);
    CHECK(with_test.err.find("--future is for a forecast after the series (--test 0)") != std::string::npos);
}

#endif  // ELMAN_CLI
