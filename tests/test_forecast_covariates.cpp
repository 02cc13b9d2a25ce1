// Covariates in the forecasting pipeline (forecast/covariates.hpp): past-only and known-future
// columns as extra inputs of the recurrent layer, scaled on the fitted part, kept in the model
// directory, and given for the future to predict; the many-series path.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "datasets/builtin.hpp"
#include "datasets/split.hpp"
#include "forecast/backtest.hpp"
#include "forecast/covariates.hpp"
#include "forecast/forecast.hpp"
#include "forecast/many_report.hpp"
#include "forecast/many_series.hpp"
#include "forecast/predict.hpp"
#include "forecast/split.hpp"
#include "forecast_series.hpp"
#include "temp_dir.hpp"
#include "text.hpp"

using namespace elman;
using Catch::Contains;
using namespace elman;
using namespace elman::test;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

// A monthly series of white noise y with covariates: "lead" (past-only: y[t] = lead[t − 1]) and
// "same" (known-future: y[t] = same[t]); y alone cannot be forecast, with either covariate it can.
Series with_covariates(std::size_t n)
{
    Series s = monthly(n, 0, 1);
    std::mt19937_64 g(7);
    const auto uniform = [&] { return static_cast<double>(g() >> 11) * 0x1p-53 * 2.0 - 1.0; };
    std::vector<double> lead(n + 1);
    for (double& v : lead) v = uniform();
    s.covariate_names = {"lead", "same"};
    s.covariates.assign(2, std::vector<double>(n));
    for (std::size_t t = 0; t < n; ++t) {
        s.values[t] = lead[t];
        s.covariates[0][t] = lead[t + 1];
        s.covariates[1][t] = lead[t];
    }
    return s;
}

// One candidate (no log, no differences, lookback 4, season 1), one-step, trained enough to
// learn a linear map.
ForecastOptions covariate_run()
{
    ForecastOptions o = fast();
    o.epochs = 40;
    o.max_steps = 300;
    o.patience = 40;
    o.lookback = 4;
    o.lags = std::vector<std::size_t>{};
    o.log = false;
    o.season = 1;
    o.test = 30;
    o.horizon = 1;
    return o;
}

std::string write_text(const fs::path& p, const std::string& text)
{
    std::ofstream(p) << text;
    return p.string();
}

}  // namespace

TEST_CASE("covariates: they widen the recurrent layer's input to 1 + their count and change the forecast",
          "[forecast][covariates]")
{
    const Series s = with_covariates(120);
    ForecastOptions o = covariate_run();
    o.epochs = 3;
    const ForecastResult plain = run_forecast(s, o);
    o.future_covariates = {"same"};
    o.past_covariates = {"lead"};
    const ForecastResult with = run_forecast(s, o);
    REQUIRE(plain.model.members.front().inputs() == 1);
    for (const auto& m : with.model.members) {
        REQUIRE(m.inputs() == 3);
        REQUIRE(m.past_covariates == 1);
        REQUIRE(m.model.input_shape() == Shape{4, 3});
    }
    REQUIRE(with.model.past_covariates == std::vector<std::string>{"lead"});
    REQUIRE(with.one_step.at("elman") != plain.one_step.at("elman"));
}

TEST_CASE("covariates: a covariate the series follows exactly forecasts it far better than the series alone",
          "[forecast][covariates]")
{
    const Series s = with_covariates(160);
    ForecastOptions o = covariate_run();
    const double alone = run_forecast(s, o).one_step_metrics.at("elman").mase;
    o.past_covariates = {"lead"};  // y[t] = lead[t − 1]: in the window's last step
    const double past = run_forecast(s, o).one_step_metrics.at("elman").mase;
    o.past_covariates.clear();
    o.future_covariates = {"same"};  // y[t] = same[t]: its value at the forecast time
    const double future = run_forecast(s, o).one_step_metrics.at("elman").mase;
    INFO("MASE alone " << alone << ", with the past covariate " << past << ", with the future one " << future);
    CHECK(alone > 0.5);
    CHECK(past < 0.4 * alone);
    CHECK(future < 0.4 * alone);
}

TEST_CASE("covariates: unknown, doubled, non-finite or constant ones, and recursive with past ones, are said",
          "[forecast][covariates]")
{
    Series s = with_covariates(80);
    ForecastOptions o = covariate_run();
    o.epochs = 1;
    o.past_covariates = {"nope"};
    CHECK_THROWS_WITH(run_forecast(s, o), Contains("--past-covariates 'nope': the series carries no covariate of that "
                                                   "name (covariates read: lead, same)"));
    o.past_covariates = {"lead"};
    o.future_covariates = {"lead"};
    CHECK_THROWS_WITH(run_forecast(s, o), Contains("covariate 'lead' is given both as past-only"));
    o.future_covariates.clear();
    o.horizon = 3;
    o.strategy = Strategy::recursive;
    CHECK_THROWS_WITH(run_forecast(s, o), Contains("--strategy recursive cannot use past-only covariates"));
    o.strategy = Strategy::automatic;
    s.covariates[0][5] = std::nan("");
    CHECK_THROWS_WITH(run_forecast(s, o), Contains("--past-covariates 'lead': value 6 (2000-06) is nan"));
    s.covariates[0].assign(80, 2.0);
    s.covariates[0][79] = 3.0;
    const ForecastResult r = run_forecast(s, o);
    CHECK_THAT(r.notes.front(), Contains("covariate 'lead' is constant (2) on the first 40 values"));
    for (const auto& m : r.model.members) CHECK(m.outputs == 3);  // MIMO only
}

TEST_CASE("covariates: predict needs the known-future values for every period, read from a CSV that follows the "
          "series",
          "[forecast][covariates]")
{
    const Series s = with_covariates(80);
    ForecastOptions o = covariate_run();
    o.epochs = 2;
    o.horizon = 3;
    o.test = 29;  // the last rolling block runs a period past the series, where "same" is unknown
    o.strategy = Strategy::recursive;
    o.future_covariates = {"same"};
    ForecastResult r = run_forecast(s, o);
    require_finite(r.multi_step.at("elman"));
    REQUIRE_THROWS_WITH(forecast_after(r.model, s, 3),
                        Contains("the model takes the known-future covariate 'same': give its values for the 3 "
                                 "periods to forecast (--future FILE.csv"));
    Series bare = s;
    bare.covariate_names.clear();
    bare.covariates.clear();
    REQUIRE_THROWS_WITH(forecast_after(r.model, bare, 3), Contains("covariate 'same', which the series 'value' does not carry"));
    elman::test::TempDir tmp("elman_test_forecast_covariates");
    const std::string head = "month,same\n", ok = "2006-09,0.5\n2006-10,-0.5\n2006-11,0.25\n";
    Series more = s;
    REQUIRE_THROWS_WITH(append_future_covariates(more, write_text(tmp.path / "short.csv", head + "2006-09,0.5\n2006-10,1\n"),
                                                 {"same"}, 3),
                        Contains("short.csv: 2 future periods, but the forecast needs the next 3 (after 2006-08)"));
    REQUIRE_THROWS_WITH(append_future_covariates(more, write_text(tmp.path / "late.csv", head + "2006-10,0.5\n2006-11,1\n2006-12,1\n"),
                                                 {"same"}, 3),
                        Contains("late.csv: data row 1 is period '2006-10', expected '2006-09'"));
    REQUIRE_THROWS_WITH(append_future_covariates(more, write_text(tmp.path / "text.csv", head + "2006-09,0.5\n2006-10,high\n2006-11,1\n"),
                                                 {"same"}, 3),
                        Contains("text.csv"));
    REQUIRE_THROWS_WITH(append_future_covariates(more, write_text(tmp.path / "other.csv", "month,price\n" + ok), {"same"}, 3),
                        Contains("other.csv"));
    append_future_covariates(more, write_text(tmp.path / "future.csv", head + ok), {"same"}, 3);
    REQUIRE(more.covariates[1].size() == 83);
    const Prediction p = forecast_after(r.model, more, 3);
    REQUIRE(p.values.size() == 3);
    require_finite(p.values);
    o.test = 0;  // fitted on every value, forecast after them from the appended future values
    const ForecastResult all = run_forecast(more, o);
    REQUIRE(all.future.at("elman").size() == 3);
    require_finite(all.future.at("elman"));
    o.horizon = 4;
    REQUIRE_THROWS_WITH(run_forecast(more, o), Contains("covariate 'same' has 3 (give a CSV of the future periods with --future)"));
}

TEST_CASE("covariates: the model directory keeps their names and scalers, and load refuses a mismatch",
          "[forecast][covariates]")
{
    const Series s = with_covariates(80);
    ForecastOptions o = covariate_run();
    o.epochs = 2;
    o.past_covariates = {"lead"};
    o.future_covariates = {"same"};
    ForecastResult r = run_forecast(s, o);
    elman::test::TempDir tmp("elman_test_forecast_covariates");
    const std::string dir = (tmp.path / "model").string();
    r.model.save(dir);
    ForecastModel back = ForecastModel::load(dir);
    CHECK(back.past_covariates == std::vector<std::string>{"lead"});
    CHECK(back.future_covariates == std::vector<std::string>{"same"});
    CHECK(back.members.front().covariate_mean == r.model.members.front().covariate_mean);
    CHECK(back.members.front().covariate_scale == r.model.members.front().covariate_scale);
    const Covariates x = select_covariates(s, {"lead"}, {"same"});
    CHECK(back.one_step(s.values, 70, x) == r.model.one_step(s.values, 70, x));
    CHECK_THROWS_WITH(back.one_step(s.values, 70), Contains("was fitted with 1 past and 1 future covariates, got 0 and 0"));
    std::string json = elman::test::read_file(fs::path(dir) / "pipeline.json");
    json.replace(json.find("\"lead\""), 6, "");  // the model no longer names its past covariate
    std::ofstream(fs::path(dir) / "pipeline.json") << json;
    CHECK_THROWS_WITH(ForecastModel::load(dir), Contains("member 0 has a scaler for 2 covariates, the model names 1"));
}

TEST_CASE("covariates: many series fit each series with its own, --global refuses them", "[forecast][covariates][many]")
{
    ForecastOptions o = covariate_run();
    o.epochs = 1;
    o.past_covariates = {"lead"};
    std::vector<SeriesRead> in(2);
    for (std::size_t i = 0; i < 2; ++i) {
        in[i].id = "s" + std::to_string(i);
        in[i].series = with_covariates(60 + 10 * i);
    }
    ManyOptions mo;
    mo.forecast = o;
    const ManyResult r = run_many(in, mo);
    REQUIRE(r.aggregate.succeeded == 2);
    CHECK(r.series[1].local->model.members.front().inputs() == 2);
    mo.global = true;
    CHECK_THROWS_WITH(run_many(in, mo), Contains("--global does not take covariates yet"));
}
