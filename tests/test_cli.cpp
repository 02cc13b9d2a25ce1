// End-to-end tests of the `elman` program: run it as a user would (ELMAN_CLI is its path, set
// by tools/CMakeLists.txt) and check its files, its output and its errors.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "forecast/shard.hpp"
#include "temp_dir.hpp"

#ifdef ELMAN_CLI
#include "cli_run.hpp"
#endif

namespace fs = std::filesystem;

#ifdef ELMAN_CLI

namespace {

using elman::test::CliRun;
using elman::test::lines_of;
using elman::test::read_file;
using elman::test::run_cli;

struct TempDir : elman::test::TempDir {
    TempDir() : elman::test::TempDir("elman_test_cli") {}
};

void write_csv(const fs::path& p, const std::string& text)
{
    std::ofstream out(p);
    out << text;
}

// A monthly CSV of n values, with `bad` replacing value number bad_at (0-based) when given.
std::string monthly_csv(std::size_t n, std::size_t bad_at = SIZE_MAX, const std::string& bad = "")
{
    std::ostringstream os;
    os << "month,value\n";
    for (std::size_t t = 0; t < n; ++t) {
        char period[48];
        std::snprintf(period, sizeof period, "%04zu-%02zu", 1990 + t / 12, t % 12 + 1);
        os << period << ",";
        if (t == bad_at)
            os << bad;
        else
            os << 100.0 + 10.0 * std::sin(static_cast<double>(t) * 0.5236) + 0.3 * t;
        os << "\n";
    }
    return os.str();
}

// Fast settings for tests that check files and errors, not accuracy.
const std::string fast = " --quiet --epochs 15 --seeds 1 --ensemble 2";

void require_one_line_error(const CliRun& r, const fs::path& out_dir, const std::string& mentions)
{
    INFO("stderr: " << r.err);
    CHECK(r.status != 0);
    const auto lines = lines_of(r.err);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].rfind("elman: error: ", 0) == 0);
    CHECK(lines[0].find(mentions) != std::string::npos);
    CHECK_FALSE(fs::exists(out_dir));
    // Nothing left next to it either (no temporary directories).
    for (const auto& e : fs::directory_iterator(out_dir.parent_path()))
        CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
}

}  // namespace

TEST_CASE("cli: forecast on a builtin series writes every file and parseable metrics",
          "[cli]")
{
    TempDir tmp;
    const fs::path out = tmp.path / "nile";
    const CliRun r = run_cli("forecast --builtin nile_flow --out '" + out.string() + "'" + fast,
                      tmp.path);
    INFO("stderr: " << r.err);
    REQUIRE(r.status == 0);
    for (const char* f : {"metrics.json", "forecast.csv", "forecast.svg", "loss.svg",
                          "model/pipeline.json"})
        CHECK(fs::is_regular_file(out / f));

    const auto j = nlohmann::json::parse(read_file(out / "metrics.json"));
    CHECK(j.at("n_train").get<int>() == 80);
    CHECK(j.at("n_test").get<int>() == 20);
    CHECK(j.at("season").get<int>() == 1);
    for (const char* protocol : {"one_step", "multi_step"})
        for (const char* method : {"elman", "naive", "seasonal_naive", "drift"})
            for (const char* metric : {"rmse", "mae", "mape", "mase"}) {
                INFO(protocol << "." << method << "." << metric);
                const auto& v = j.at(protocol).at(method).at(metric);
                REQUIRE(v.is_number());
                CHECK(std::isfinite(v.get<double>()));
                CHECK(v.get<double>() >= 0.0);
            }
    // ANCHORS.md: naive one-step MASE 0.970 on nile_flow.
    CHECK(j["one_step"]["naive"]["mase"].get<double>() == Approx(0.970).margin(0.001));

    const auto csv = lines_of(read_file(out / "forecast.csv"));
    REQUIRE(csv.size() == 21);
    CHECK(csv[0].rfind("period,actual,elman_one_step", 0) == 0);
    CHECK(csv[1].rfind("1951,", 0) == 0);
    for (const char* svg : {"forecast.svg", "loss.svg"})
        CHECK(read_file(out / svg).find("<svg") != std::string::npos);
}

TEST_CASE("cli: predict forecasts the values after the series with the saved model", "[cli]")
{
    TempDir tmp;
    const fs::path out = tmp.path / "air";
    REQUIRE(run_cli("forecast --builtin airline_passengers --test 12 --out '" + out.string() + "'" +
                    fast,
                tmp.path)
                .status == 0);
    const CliRun r = run_cli("predict --model '" + out.string() + "' --builtin airline_passengers "
                      "--horizon 3",
                      tmp.path);
    INFO("stderr: " << r.err);
    REQUIRE(r.status == 0);
    const auto lines = lines_of(r.out);
    REQUIRE(lines.size() == 4);
    CHECK(lines[1].rfind("1961-01,", 0) == 0);
    CHECK(lines[3].rfind("1961-03,", 0) == 0);
    for (std::size_t i = 1; i < 4; ++i) {
        const double v = std::stod(lines[i].substr(lines[i].find(',') + 1));
        // Passenger numbers of that era: hundreds, never negative.
        CHECK(v > 200.0);
        CHECK(v < 1000.0);
    }
}

TEST_CASE("cli: --cell lstm and gru train every model with that cell, pipeline.json says so, predict reads it back", "[cli]")
{
    TempDir tmp;
    const auto all = lines_of(read_file(fs::path(ELMAN_SOURCE_DIR) / "datasets/data/nile_flow.csv"));
    std::string head;
    for (std::size_t i = 0; i <= 80; ++i) head += all[i] + "\n";
    write_csv(tmp.path / "train.csv", head);
    for (const std::string cell : {"lstm", "gru"}) {
        INFO(cell);
        const fs::path out = tmp.path / cell;
        const CliRun r = run_cli("forecast --builtin nile_flow --cell " + cell + " --lookback 6 --diff none --no-log"
                                 " --strategy recursive --out '" + out.string() + "'" + fast, tmp.path);
        INFO("stderr: " << r.err);
        REQUIRE(r.status == 0);
        const auto pipeline = nlohmann::json::parse(read_file(out / "model/pipeline.json"));
        REQUIRE_FALSE(pipeline.at("members").empty());
        for (const auto& m : pipeline.at("members")) CHECK(m.at("cell") == cell);
        const std::string kind = cell == "lstm" ? "\"LSTM\"" : "\"GRU\"";
        CHECK(read_file(out / "model/member_0/model.json").find(kind) != std::string::npos);
        const CliRun p = run_cli("predict --model '" + out.string() + "' '" + (tmp.path / "train.csv").string() + "'", tmp.path);
        INFO("predict stderr: " << p.err);
        REQUIRE(p.status == 0);
        CHECK(lines_of(p.out).size() == 7);
    }
    const CliRun bad = run_cli("forecast --builtin nile_flow --cell elman --out '" + (tmp.path / "x").string() + "'" + fast, tmp.path);
    CHECK(bad.status != 0);
    CHECK_THAT(bad.err, Catch::Contains("--cell"));
}

TEST_CASE("cli: predict with the saved model reproduces the multi-step forecast", "[cli]")
{
    TempDir tmp;
    const fs::path out = tmp.path / "nile";
    REQUIRE(run_cli("forecast --builtin nile_flow --out '" + out.string() + "'" + fast, tmp.path)
                .status == 0);
    // The training part alone (80 of the 100 rows) as the series to continue: the first
    // rolling origin of the multi-step forecast (yearly data: 6 values ahead).
    const auto all = lines_of(read_file(fs::path(ELMAN_SOURCE_DIR) / "datasets/data/nile_flow.csv"));
    REQUIRE(all.size() == 101);
    std::string head;
    for (std::size_t i = 0; i <= 80; ++i) head += all[i] + "\n";
    write_csv(tmp.path / "train.csv", head);
    const CliRun r = run_cli("predict --model '" + out.string() + "' '" +
                          (tmp.path / "train.csv").string() + "'",
                      tmp.path);
    INFO("stderr: " << r.err);
    REQUIRE(r.status == 0);
    const auto pred = lines_of(r.out);
    const auto csv = lines_of(read_file(out / "forecast.csv"));
    REQUIRE(pred.size() == 7);
    REQUIRE(csv.size() == 21);
    // forecast.csv: period, actual, 4 one-step columns, then elman_multi_step.
    auto field = [](const std::string& line, std::size_t k) {
        std::stringstream ss(line);
        std::string f;
        for (std::size_t i = 0; i <= k; ++i) std::getline(ss, f, ',');
        return f;
    };
    CHECK(field(csv[0], 6) == "elman_multi_step");
    CHECK(field(csv[0], 10) == "multi_step_lead");
    for (std::size_t i = 1; i <= 6; ++i) {
        CHECK(field(csv[i], 10) == std::to_string(i));
        CHECK(field(pred[i], 0) == field(csv[i], 0));
        // The same models and history; forecast.csv's blocks run as one batch, predict as one
        // window: float32 GEMMs of other shapes round differently (~1e-8 relative).
        CHECK(std::stod(field(pred[i], 1)) == Approx(std::stod(field(csv[i], 6))).epsilon(1e-6));
    }
}

TEST_CASE("cli: summary prints the Keras table with the parameter counts", "[cli]")
{
    TempDir tmp;
    const CliRun r = run_cli("summary --input-dim 2 --units 4 --dense 3", tmp.path);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("SimpleRNN") != std::string::npos);
    CHECK(r.out.find("Dense") != std::string::npos);
    // units·(input_dim + units + 1) + (units·dense + dense) = 4·7 + 15
    CHECK(r.out.find(std::to_string(4 * (2 + 4 + 1) + 4 * 3 + 3)) != std::string::npos);
}

TEST_CASE("cli: a second forecast into the same directory replaces it whole", "[cli]")
{
    TempDir tmp;
    const fs::path out = tmp.path / "out";
    fs::create_directories(out);  // an empty folder may be written into
    const std::string cmd = "forecast --builtin nile_flow --out '" + out.string() + "'" + fast;
    REQUIRE(run_cli(cmd, tmp.path).status == 0);
    fs::remove(out / "forecast.csv");
    write_csv(out / "loss.svg", "an older run's plot\n");  // listed in the manifest: elman's own
    REQUIRE(run_cli(cmd, tmp.path).status == 0);
    CHECK(fs::exists(out / "metrics.json"));
    CHECK(fs::exists(out / "forecast.csv"));
    CHECK(read_file(out / "loss.svg") != "an older run's plot\n");
    for (const auto& e : fs::directory_iterator(tmp.path))
        CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
}

TEST_CASE("cli: forecast never deletes files it did not write in --out", "[cli]")
{
    TempDir tmp;
    const fs::path out = tmp.path / "out";
    fs::create_directories(out / "sub");
    write_csv(out / "thesis.tex", "keep me\n");
    write_csv(out / "data.csv", monthly_csv(60));
    // The input CSV inside --out, and the user's files next to it: refused before any training.
    const CliRun r = run_cli("forecast '" + (out / "data.csv").string() + "' --out '" + out.string() + "'" + fast, tmp.path);
    CHECK(r.status != 0);
    CHECK_THAT(r.err, Catch::Contains("holds '") && Catch::Contains("which elman did not write there"));
    CHECK(read_file(out / "thesis.tex") == "keep me\n");
    CHECK(fs::is_directory(out / "sub"));
    // A file added to an earlier output folder is as much the user's.
    const fs::path out2 = tmp.path / "out2";
    const std::string cmd = "forecast --builtin nile_flow --out '" + out2.string() + "'" + fast;
    REQUIRE(run_cli(cmd, tmp.path).status == 0);
    write_csv(out2 / "notes.txt", "mine\n");
    CHECK(run_cli(cmd, tmp.path).status != 0);
    CHECK(read_file(out2 / "notes.txt") == "mine\n");
    // The current directory is never an output folder.
    const CliRun dot = run_cli("forecast --builtin nile_flow --out ." + fast, tmp.path);
    CHECK(dot.status != 0);
    CHECK_THAT(dot.err, Catch::Contains("current directory"));
}

TEST_CASE("cli: a failing forecast leaves an existing output directory untouched", "[cli]")
{
    TempDir tmp;
    const fs::path out = tmp.path / "out";
    fs::create_directories(out);
    write_csv(out / "keep.txt", "keep me\n");
    const CliRun r = run_cli("forecast --builtin nile_flow --lr 0 --out '" + out.string() + "'" + fast,
                      tmp.path);
    CHECK(r.status != 0);
    CHECK(read_file(out / "keep.txt") == "keep me\n");
}

TEST_CASE("cli: each bad input gives one error line, a non-zero exit and no output", "[cli]")
{
    TempDir tmp;
    const fs::path out = tmp.path / "never";
    const std::string o = " --out '" + out.string() + "'" + fast;
    const fs::path good = tmp.path / "good.csv";
    write_csv(good, monthly_csv(60));
    const std::string g = "forecast '" + good.string() + "'";
    auto bad_csv = [&](const std::string& name, const std::string& cell) {
        const fs::path p = tmp.path / name;
        write_csv(p, monthly_csv(60, 30, cell));
        return "forecast '" + p.string() + "'";
    };
    struct Case {
        std::string args, mentions;
    };
    const std::vector<Case> cases{
        {"forecast '" + (tmp.path / "missing.csv").string() + "'", "missing.csv"},
        {g + " --column nope", "nope"},
        {g + " --test 58", "short"},
        {g + " --test 40", "short"},
        {bad_csv("text.csv", "abc"), "text.csv:32"},
        {bad_csv("nan.csv", "nan"), "nan.csv:32"},
        {bad_csv("inf.csv", "inf"), "inf.csv:32"},
        {g + " --no-such-option", "--no-such-option"},
        {g + " --log --no-log", "--log"},
        {"forecast --builtin sunspots_yearly --log", "--log"},
        {g + " --units 0", "--units"},
        {g + " --lookback 0", "--lookback"},
        {g + " --lr 0", "--lr"},
        {g + " --lr -0.5", "--lr"},
        {g + " --epochs 0", "--epochs"},
        {g + " --test 12 --horizon 13", "--horizon"},
        {"forecast --builtin no_such_series", "no_such_series"},
        {g + " --units abc", "--units"},
        {g + " --units -2", "--units: must be 0 or more, not -2"},
        {g + " --horizon 0", "--horizon"},
    };
    for (const Case& c : cases) {
        INFO("elman " << c.args);
        require_one_line_error(run_cli(c.args + o, tmp.path), out, c.mentions);
    }
}

namespace {

// Five monthly series in long format (id, ds, y), 48 values each; "tiny" has 6 when `short_one`.
std::string long_csv(bool short_one)
{
    std::ostringstream os;
    os << "id,ds,y\n";
    const std::vector<std::string> ids{"north", "south", "east", "west", "a/b"};
    for (std::size_t k = 0; k < ids.size(); ++k)
        for (std::size_t t = 0; t < 48; ++t)
            os << (ids[k].find('/') != std::string::npos ? "\"" + ids[k] + "\"" : ids[k]) << "," << 2000 + t / 12 << "-"
               << (t % 12 < 9 ? "0" : "") << t % 12 + 1 << ","
               << 50.0 * (k + 1) + 8.0 * std::sin(0.5236 * static_cast<double>(t + k)) + 0.2 * t << "\n";
    if (short_one)
        for (std::size_t t = 0; t < 6; ++t) os << "tiny,2000-0" << t + 1 << "," << t << "\n";
    return os.str();
}

const std::string many_fast = " --quiet --epochs 2 --seeds 1 --ensemble 1 --max-steps 10 --threads 1";

}  // namespace

TEST_CASE("cli: several series write one directory each, summary.csv and the aggregate, a short one fails alone",
          "[cli][many]")
{
    TempDir tmp;
    const fs::path csv = tmp.path / "long.csv", out = tmp.path / "out";
    write_csv(csv, long_csv(true));
    const CliRun r = run_cli("forecast '" + csv.string() + "' --id-column id -o '" + out.string() + "'" + many_fast,
                             tmp.path);
    INFO("stderr: " << r.err);
    REQUIRE(r.status == 0);
    CHECK(r.err.find("series 'tiny' failed") != std::string::npos);
    for (const char* d : {"north", "south", "east", "west"}) CHECK(fs::is_regular_file(out / d / "forecast.csv"));
    const auto rows = lines_of(read_file(out / "summary.csv"));
    REQUIRE(rows.size() == 7);
    CHECK(rows[6].rfind("tiny,tiny,failed,", 0) == 0);
    const auto j = nlohmann::json::parse(read_file(out / "metrics.json"));
    CHECK(j.at("aggregate").at("succeeded") == 5);
    CHECK(j.at("aggregate").at("failed") == 1);
    CHECK(j.at("aggregate").at("one_step").at("elman").at("series") == 5);
    CHECK(j.at("aggregate").at("one_step_vs").at("elman vs naive").at("series") == 5);
    const std::string dir_ab = j.at("series").at(4).at("dir");
    CHECK(dir_ab.rfind("a_b-", 0) == 0);
    CHECK(fs::is_directory(out / dir_ab));

    // Every series failing is an error, and nothing is written.
    const fs::path only = tmp.path / "only_tiny.csv", none = tmp.path / "none";
    write_csv(only, "id,ds,y\ntiny,2000-01,1\ntiny,2000-02,2\ntiny,2000-03,3\n");
    require_one_line_error(
        run_cli("forecast '" + only.string() + "' --id-column id -o '" + none.string() + "'" + many_fast, tmp.path),
        none, "every series failed");
}

TEST_CASE("cli: three shards run under GNU parallel and elman merge give the single run's files", "[cli][many]")
{
    TempDir tmp;
    const fs::path csv = tmp.path / "long.csv";
    write_csv(csv, long_csv(false));
    const std::string args = " '" + csv.string() + "' --id-column id" + many_fast;
    REQUIRE(run_cli("forecast" + args + " -o '" + (tmp.path / "single").string() + "'", tmp.path).status == 0);
    const std::string cmd = "cd '" + tmp.path.string() + "' && parallel --will-cite '" + std::string(ELMAN_CLI) +
                            "' forecast" + args + " --shard {}/3 -o shard{} ::: 1 2 3";
    REQUIRE(std::system(cmd.c_str()) == 0);
    const CliRun m = run_cli("merge '" + (tmp.path / "shard1").string() + "' '" + (tmp.path / "shard2").string() +
                                 "' '" + (tmp.path / "shard3").string() + "' -o '" + (tmp.path / "merged").string() + "'",
                             tmp.path);
    INFO("stderr: " << m.err);
    REQUIRE(m.status == 0);
    const fs::path single = tmp.path / "single", merged = tmp.path / "merged";
    CHECK(read_file(merged / "summary.csv") == read_file(single / "summary.csv"));
    CHECK(read_file(merged / "metrics.json") == read_file(single / "metrics.json"));
    for (const char* d : {"north", "south", "east", "west"})
        CHECK(read_file(merged / d / "forecast.csv") == read_file(single / d / "forecast.csv"));
    // A shard with no series writes an empty summary and prints n/a, never "nan".
    std::size_t k = 1;
    while (elman::Shard{k, 40}.contains("north") || elman::Shard{k, 40}.contains("south") ||
           elman::Shard{k, 40}.contains("east") || elman::Shard{k, 40}.contains("west") ||
           elman::Shard{k, 40}.contains("a/b"))
        ++k;
    std::string loud = args;
    loud.replace(loud.find(" --quiet"), 8, "");
    const CliRun empty = run_cli("forecast" + loud + " --shard " + std::to_string(k) + "/40 -o '" +
                                     (tmp.path / "empty").string() + "'",
                                 tmp.path);
    CHECK(empty.status == 0);
    CHECK(empty.out.find("0 series") != std::string::npos);
    CHECK(empty.out.find("n/a") != std::string::npos);
    CHECK(empty.out.find("nan") == std::string::npos);
    CHECK(lines_of(read_file(tmp.path / "empty" / "summary.csv")).size() == 1);
    // A shard left out is named.
    const CliRun bad = run_cli("merge '" + (tmp.path / "shard1").string() + "' '" + (tmp.path / "shard3").string() +
                                   "' -o '" + (tmp.path / "m2").string() + "'",
                               tmp.path);
    CHECK(bad.status != 0);
    CHECK(bad.err.find("shard 2/3 missing") != std::string::npos);
}

TEST_CASE("cli: default forecast on airline passengers reaches one-step MASE 0.45", "[cli]")
{
    TempDir tmp;
    const fs::path out = tmp.path / "air";
    const CliRun r = run_cli("forecast --builtin airline_passengers --quiet --out '" + out.string() + "'",
                      tmp.path);
    INFO("stderr: " << r.err);
    REQUIRE(r.status == 0);
    const auto j = nlohmann::json::parse(read_file(out / "metrics.json"));
    const double elman = j["one_step"]["elman"]["mase"].get<double>();
    CHECK(elman <= 0.45);
    CHECK(elman < j["one_step"]["naive"]["mase"].get<double>());
    CHECK(elman < j["one_step"]["seasonal_naive"]["mase"].get<double>());
}

#endif  // ELMAN_CLI
