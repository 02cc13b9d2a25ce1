// The forecasting pipeline on the inputs that used to give silent wrong answers: a scale near
// 1e200, non-finite values, constant and all-zero series, default horizons and test parts by frequency,
// rolling-origin multi-step, --test 0, the plausibility band, and what pipeline.json keeps; the
// MIMO strategy, the prediction intervals and rolling-origin backtests (covariates:
// test_forecast_covariates.cpp).
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
using namespace elman::test;
using Catch::Contains;
namespace fs = std::filesystem;


TEST_CASE("forecast: a series near 1e200 gives finite forecasts, metrics and model", "[forecast][inputs]")
{
    const Series s = monthly(96, 1e200, 1e199);
    ForecastResult r = run_forecast(s, fast());
    for (const auto& name : forecast_methods()) {
        INFO(name);
        require_finite(r.one_step.at(name));
        require_finite(r.multi_step.at(name));
        const Metrics& m = r.one_step_metrics.at(name);
        REQUIRE(std::isfinite(m.rmse));
        REQUIRE(std::isfinite(m.mase));
    }
    // The scale does not change the seasonal naive baseline's MASE (a ratio of errors).
    const ForecastResult small = run_forecast(monthly(96, 1, 0.1), fast());
    REQUIRE(r.one_step_metrics.at("seasonal_naive").mase ==
            Approx(small.one_step_metrics.at("seasonal_naive").mase).epsilon(1e-9));
    elman::test::TempDir tmp("elman_test_forecast_inputs");
    r.model.save((tmp.path / "model").string());
    const std::string json = elman::test::read_file(tmp.path / "model" / "pipeline.json");
    REQUIRE(json.find("null") == std::string::npos);
    ForecastModel back = ForecastModel::load((tmp.path / "model").string());
    require_finite(back.multi_step(s.values, 6));
}

TEST_CASE("forecast: values that cannot be differenced, or are not finite, are errors naming them", "[forecast][inputs]")
{
    Series s = monthly(60, 10, 1);
    s.values[7] = 2e300;
    REQUIRE_THROWS_WITH(run_forecast(s, fast()), Contains("value 8 (2000-08) is 2e+300: values beyond ±1e300 overflow"));
    s.values[7] = std::nan("");
    REQUIRE_THROWS_WITH(run_forecast(s, fast()), Contains("value 8 (2000-08) is nan; fill missing values first (--interpolate)"));
}

TEST_CASE("forecast: a series too short for its season, or models that all diverge, are errors naming the flag", "[forecast][inputs]")
{
    Series s = monthly(12, 10, 1);
    REQUIRE_THROWS_WITH(run_forecast(s, fast()), Contains("series of 12 values is too short: a lookback of 12 needs more "
                                                          "than 21 training values (a smaller --season needs fewer)"));
    ForecastOptions o = fast();
    o.lr = 1e30;  // every model's first step overflows its loss
    const std::string what = [&] {
        try {
            run_forecast(monthly(96, 100, 10), o);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    }();
    REQUIRE_THAT(what, Contains("no candidate gave a finite forecast on the validation tail (") &&
                           Contains("diverged, dropped: fit: ") && Contains("); try a smaller --lr, or rescale the series"));
}

TEST_CASE("forecast: a constant series is forecast exactly, its MASE is undefined for every method", "[forecast][inputs]")
{
    for (double c : {0.0, 3.25, -7.0, 1e200}) {
        INFO("constant " << c);
        Series s = monthly(60, c, 0);
        ForecastResult r = run_forecast(s, fast());
        for (const auto& name : forecast_methods()) {
            INFO(name);
            for (double f : r.one_step.at(name)) REQUIRE(f == c);
            for (double f : r.multi_step.at(name)) REQUIRE(f == c);
            REQUIRE(r.one_step_metrics.at(name).rmse == 0.0);
            REQUIRE_FALSE(is_defined(r.one_step_metrics.at(name).mase));
            REQUIRE_FALSE(is_defined(r.multi_step_metrics.at(name).mase));
            // MAPE: 0 for exact forecasts of non-zero actuals, undefined with zero actuals.
            REQUIRE(is_defined(r.one_step_metrics.at(name).mape) == (c != 0.0));
        }
        for (const ForecastMember& m : r.model.members) REQUIRE(m.constant);
    }
}

TEST_CASE("forecast: the multi-step horizon follows the frequency, capped by the test part", "[forecast][inputs]")
{
    ForecastResult r = run_forecast(monthly(120, 100, 10), fast());
    REQUIRE(r.n_test == 24);
    REQUIRE(r.horizon == 18);
    REQUIRE(r.horizon_source == Source::by_default);
    // Rolling origins: the whole test part is forecast, each value at lead 1..18.
    REQUIRE(r.multi_step.at("elman").size() == 24);
    REQUIRE(r.multi_step.at("naive")[0] == r.multi_step.at("naive")[17]);   // one origin
    REQUIRE(r.multi_step.at("naive")[18] != r.multi_step.at("naive")[17]);  // the next origin
    ForecastOptions o = fast();
    o.test = 12;
    REQUIRE(run_forecast(monthly(120, 100, 10), o).horizon == 12);
    o.horizon = 13;
    REQUIRE_THROWS_WITH(run_forecast(monthly(120, 100, 10), o), Contains("--horizon 13 exceeds the test part (12 values)"));
    const Series nile = load_builtin("nile_flow");
    REQUIRE(run_forecast(nile, fast()).horizon == 6);
}

TEST_CASE("forecast: --test 0 fits on the whole series and forecasts the periods after it", "[forecast][inputs]")
{
    ForecastOptions o = fast();
    o.test = 0;
    const Series s = monthly(72, 100, 10);
    const ForecastResult r = run_forecast(s, o);
    REQUIRE(r.n_test == 0);
    REQUIRE(r.n_train == 72);
    REQUIRE(r.one_step.empty());
    REQUIRE(r.horizon == 18);
    REQUIRE(r.future.at("elman").size() == 18);
    require_finite(r.future.at("elman"));
    REQUIRE(r.future_periods.front() == "2006-01");
    REQUIRE(r.future_periods.back() == "2007-06");
    REQUIRE(r.model.series.n == 72);
    REQUIRE(r.model.series.last_period == "2005-12");
}

TEST_CASE("forecast: the plausible band is the training range widened by itself", "[forecast][inputs]")
{
    const PlausibleBand b = PlausibleBand::of({10, 30, 20});
    REQUIRE(b.low == -10);
    REQUIRE(b.high == 50);
    REQUIRE(b.outside({-10, 50, 51, -11, 20}) == 2);
    const PlausibleBand constant = PlausibleBand::of({5, 5});
    REQUIRE(constant.low == 0);
    REQUIRE(constant.high == 10);
    REQUIRE(PlausibleBand::of({0, 0}).high == 1);
    const ForecastResult r = run_forecast(monthly(96, 100, 10), fast());
    REQUIRE(r.band.low == Approx(r.model.series.min - (r.model.series.max - r.model.series.min)));
    for (const auto& name : forecast_methods()) REQUIRE(r.outside_band.at(name) == r.band.outside(r.multi_step.at(name)));
}

TEST_CASE("forecast: pipeline.json keeps the series' column, frequency, season and range", "[forecast][inputs]")
{
    const Series s = monthly(96, 100, 10);
    ForecastResult r = run_forecast(s, fast());
    elman::test::TempDir tmp("elman_test_forecast_inputs");
    const std::string dir = (tmp.path / "model").string();
    r.model.save(dir);
    const ForecastModel m = ForecastModel::load(dir);
    REQUIRE(m.series.column == "value");
    REQUIRE(m.series.calendar == s.time.calendar);
    REQUIRE(m.series.season == 12);
    REQUIRE(m.series.season_source == Source::by_default);
    REQUIRE(m.series.frequency_source == Source::inferred);
    REQUIRE(m.series.min == r.model.series.min);
    REQUIRE(m.series.n == r.n_train);
    // A scale written as null (by an older elman from a run that failed) is named, not a JSON error.
    std::string json = elman::test::read_file(fs::path(dir) / "pipeline.json");
    const auto at = json.find("\"scale\": ", json.find("\"members\""));
    REQUIRE(at != std::string::npos);
    json.replace(at, json.find(',', at) - at, "\"scale\": null");
    std::ofstream(fs::path(dir) / "pipeline.json") << json;
    REQUIRE_THROWS_WITH(ForecastModel::load(dir), Contains("member 0's \"scale\" is null, expected a number (fit the model again)"));
}

TEST_CASE("many series: --shard splits the ids into N disjoint shards whose union is every series",
          "[forecast][many]")
{
    std::vector<std::string> ids;
    for (int i = 0; i < 200; ++i) ids.push_back("series_" + std::to_string(i));
    for (std::size_t n : {1u, 2u, 7u}) {
        std::vector<std::size_t> per(n + 1, 0);
        for (const auto& id : ids) {
            std::size_t in = 0;
            for (std::size_t k = 1; k <= n; ++k) in += Shard{k, n}.contains(id) ? (per[k]++, 1) : 0;
            REQUIRE(in == 1);
        }
        for (std::size_t k = 1; k <= n; ++k) CHECK(per[k] > 200 / n / 3);  // no shard starved
    }
    // XXH64 is fixed by its specification: the empty input's hash, seed 0 (xxhash_spec.md).
    CHECK(hex64(series_hash("")) == "ef46db3751d8e999");
    CHECK(Shard::parse("3/4").index == 3);
    CHECK_THROWS_WITH(Shard::parse("0/4"), Contains("numbered 1..4"));
    CHECK_THROWS_WITH(Shard::parse("5/4"), Contains("K must be <= N"));
    CHECK_THROWS_WITH(Shard::parse("2"), Contains("expected K/N"));
}

TEST_CASE("many series: output directories are the ids when safe, hashed when not, never shared",
          "[forecast][many]")
{
    const auto d = series_dirs({"H1", "a/b", "store 7", "Ab", "ab", ".hidden", ""});
    CHECK(d[0] == "H1");
    CHECK(d[1].rfind("a_b-", 0) == 0);
    CHECK(d[2].rfind("store_7-", 0) == 0);
    CHECK(d[3] != "Ab");  // equal but for case to "ab": both hashed
    CHECK(d[3] != d[4]);
    CHECK(d[5][0] != '.');
    CHECK(d[6].size() == 8);
}

TEST_CASE("many series: each series runs as run_forecast alone, a short one fails by itself, shards merge "
          "into the single run's aggregate",
          "[forecast][many]")
{
    ForecastOptions o = fast();
    o.epochs = 2;
    o.max_steps = 10;
    o.ensemble = 1;
    std::vector<SeriesRead> in(4);
    for (std::size_t i = 0; i < 3; ++i) {
        in[i].id = "s" + std::to_string(i);
        in[i].series = monthly(60, 100 + 50.0 * static_cast<double>(i), 10 + 5.0 * static_cast<double>(i));
    }
    in[3].id = "short";
    in[3].series = monthly(6, 1, 1);
    ManyOptions mo;
    mo.forecast = o;
    const ManyResult whole = run_many(in, mo);
    REQUIRE(whole.series.size() == 4);
    CHECK(whole.aggregate.succeeded == 3);
    CHECK(whole.aggregate.failed == 1);
    CHECK_THAT(whole.series[3].summary.error, Contains("too short"));
    const ForecastResult alone = run_forecast(*in[1].series, o);
    CHECK(whole.series[1].local->one_step_metrics.at("elman").mase == alone.one_step_metrics.at("elman").mase);

    std::vector<RunFile> runs;
    std::vector<std::string> paths;
    RunInfo info;
    info.total = 4;
    for (std::size_t k = 1; k <= 2; ++k) {
        mo.shard = {k, 2};
        const ManyResult r = run_many(in, mo);
        std::vector<SeriesSummary> sums;
        for (const auto& s : r.series) sums.push_back(s.summary);
        info.shard = mo.shard;
        elman::test::TempDir tmp("elman_test_many");
        const fs::path p = tmp.path / "metrics.json";
        std::ofstream(p) << many_metrics_json(info, sums, r.aggregate);
        runs.push_back(read_many_metrics(p.string()));
        paths.push_back("shard" + std::to_string(k));
    }
    const Merged m = merge_runs(runs, paths);
    std::vector<SeriesSummary> sums;
    for (const auto& s : whole.series) sums.push_back(s.summary);
    CHECK(summary_csv(m.series) == summary_csv(sums));
    CHECK(m.aggregate.one_step.at("elman").median == whole.aggregate.one_step.at("elman").median);
    CHECK(m.aggregate.one_step_vs.at("elman vs naive").better == whole.aggregate.one_step_vs.at("elman vs naive").better);
    CHECK_THROWS_WITH(merge_runs({runs[0]}, {paths[0]}), Contains("shard 2/2 missing"));
    runs[1].info.options = "--epochs 3";
    CHECK_THROWS_WITH(merge_runs(runs, paths), Contains("only the shards of one run merge"));
}

TEST_CASE("many series: --global trains one model on every series and reports it next to the local ones",
          "[forecast][many]")
{
    ForecastOptions o = fast();
    o.epochs = 3;
    o.max_steps = 20;
    o.ensemble = 1;
    std::vector<SeriesRead> in(3);
    for (std::size_t i = 0; i < 3; ++i) {
        in[i].id = "s" + std::to_string(i);
        // Scales 1e-3 to 1e3 apart: each series is scaled on its own.
        in[i].series = monthly(60, std::pow(1000.0, static_cast<double>(i) - 1.0), 0.1 * std::pow(1000.0, i - 1.0));
    }
    in[2].series->values[30] = std::nan("");  // fails alone, for both models
    ManyOptions mo;
    mo.forecast = o;
    mo.global = true;
    const ManyResult r = run_many(in, mo);
    REQUIRE(r.series.size() == 3);
    for (std::size_t i = 0; i < 2; ++i) {
        REQUIRE(r.series[i].global);
        const double m = r.series[i].summary.one_step.at(global_method()).mase;
        CHECK(std::isfinite(m));
        CHECK(m < r.series[i].summary.one_step.at("naive").mase);  // a clean wave: far better than naive
    }
    CHECK_THAT(r.series[2].summary.global_error, Contains("nan"));
    CHECK(r.aggregate.one_step.at(global_method()).n == 2);
    CHECK(r.aggregate.one_step_vs.count("elman vs elman_global") == 1);
    CHECK_THAT(summary_csv({r.series[0].summary}, true), Contains("one_step_mase_elman_global"));
    mo.shard = {1, 2};
    CHECK_THROWS_WITH(run_many(in, mo), Contains("--global") && Contains("--shard"));
}

namespace {

// One candidate (lookback 12, seasonal differencing, no log) in either strategy or both.
ForecastOptions one_transform(Strategy strategy)
{
    ForecastOptions o = fast();
    o.lookback = 12;
    o.log = false;
    o.lags = std::vector<std::size_t>{12};
    o.strategy = strategy;
    return o;
}

void require_nested(const IntervalBounds& b, const std::vector<double>& point)
{
    REQUIRE(b.lo80.size() == point.size());
    for (std::size_t i = 0; i < point.size(); ++i) {
        INFO("forecast " << i);
        REQUIRE(b.lo95[i] <= b.lo80[i]);
        REQUIRE(b.lo80[i] <= point[i]);
        REQUIRE(point[i] <= b.hi80[i]);
        REQUIRE(b.hi80[i] <= b.hi95[i]);
        REQUIRE(b.lo95[i] < b.hi95[i]);
    }
}

}  // namespace

TEST_CASE("forecast: MIMO members predict the horizon at once, and --strategy picks recursive, MIMO or both", "[forecast][mimo]")
{
    const Series s = monthly(120, 100, 10);
    const ForecastResult mimo = run_forecast(s, one_transform(Strategy::mimo));
    REQUIRE(mimo.candidates == 1);
    for (const auto& m : mimo.model.members) {
        REQUIRE(m.outputs == 18);
        REQUIRE(m.describe().rfind("MIMO 18, ", 0) == 0);
    }
    REQUIRE(mimo.multi_step.at("elman").size() == 24);
    require_finite(mimo.multi_step.at("elman"));
    // Beyond H the predictions are fed back H at a time: 30 values from one origin.
    ForecastModel model = mimo.model;
    require_finite(model.multi_step(s.values, 30));
    REQUIRE(model.multi_step(s.values, 30).size() == 30);

    const ForecastResult rec = run_forecast(s, one_transform(Strategy::recursive));
    REQUIRE(rec.candidates == 1);
    for (const auto& m : rec.model.members) REQUIRE(m.outputs == 1);
    ForecastResult both = run_forecast(s, one_transform(Strategy::automatic));
    REQUIRE(both.candidates == 2);
    // One-step forecasts come from the recursive members whenever there are some.
    for (const ForecastMember* m : both.model.ensemble(Ensemble::one_step)) REQUIRE(m->outputs == 1);
    REQUIRE_THROWS_WITH(parse_strategy("direct"), Contains("--strategy 'direct': expected auto, recursive or mimo"));
}

TEST_CASE("forecast: 80% and 95% intervals are nested around every forecast and scored on the test part", "[forecast][intervals]")
{
    const Series s = monthly(120, 100, 10);
    const ForecastResult r = run_forecast(s, one_transform(Strategy::automatic));
    require_nested(r.one_step_intervals, r.one_step.at("elman"));
    require_nested(r.multi_step_intervals, r.multi_step.at("elman"));
    for (const IntervalScores& sc : {r.one_step_interval_scores, r.multi_step_interval_scores}) {
        REQUIRE(sc.coverage80 >= 0.0);
        REQUIRE(sc.coverage80 <= sc.coverage95);
        REQUIRE(sc.coverage95 <= 1.0);
        REQUIRE(sc.width80 < sc.width95);
        REQUIRE(std::isfinite(sc.msis95));
    }
    // The multi-step calibration covers leads 1..H, and its scale never shrinks with the lead.
    const Conformal& c = r.model.multi_step_intervals.additive;
    REQUIRE(c.scale.size() == 18);
    for (std::size_t h = 1; h < c.scale.size(); ++h) REQUIRE(c.scale[h] >= c.scale[h - 1]);
}

TEST_CASE("forecast: a saved model gives predict the same forecast and intervals", "[forecast][intervals]")
{
    ForecastOptions o = one_transform(Strategy::automatic);
    o.test = 0;
    const Series s = monthly(96, 100, 10);
    ForecastResult r = run_forecast(s, o);
    require_nested(r.future_intervals, r.future.at("elman"));
    elman::test::TempDir tmp("elman_test_forecast_inputs");
    r.model.save((tmp.path / "model").string());
    ForecastModel m = ForecastModel::load((tmp.path / "model").string());
    const Prediction p = forecast_after(m, s, 18);
    REQUIRE(p.values.size() == 18);
    for (std::size_t i = 0; i < 18; ++i) {
        REQUIRE(p.values[i] == Approx(r.future.at("elman")[i]).epsilon(1e-9));
        REQUIRE(p.intervals.lo95[i] == Approx(r.future_intervals.lo95[i]).epsilon(1e-9));
        REQUIRE(p.intervals.hi80[i] == Approx(r.future_intervals.hi80[i]).epsilon(1e-9));
    }
}

TEST_CASE("backtest: K folds from rolling origins, each trained before its test part, with mean and sd", "[forecast][backtest]")
{
    const Series s = monthly(120, 100, 10);
    const BacktestResult b = run_backtest(s, one_transform(Strategy::recursive), BacktestOptions{3, 0});
    REQUIRE(b.step == 18);
    REQUIRE(b.folds.size() == 3);
    for (std::size_t k = 0; k < 3; ++k) {
        INFO("fold " << k + 1);
        REQUIRE(b.folds[k].n == 120 - (2 - k) * 18);
        REQUIRE(b.folds[k].n_test == 24);  // the whole series' test size in every fold
        REQUIRE(b.folds[k].n_train == b.folds[k].n - 24);
    }
    REQUIRE(b.folds[0].first_test_period == s.periods[120 - 36 - 24]);
    REQUIRE(b.folds[2].last_test_period == s.periods.back());
    REQUIRE(b.last.n_train == 96);
    std::vector<double> mase;
    for (const auto& f : b.folds) mase.push_back(f.multi_step.at("elman").mase);
    const double mean = (mase[0] + mase[1] + mase[2]) / 3;
    double ss = 0;
    for (double v : mase) ss += (v - mean) * (v - mean);
    const Spread& sp = b.summary.at("multi_step.elman.mase");
    REQUIRE(sp.folds == 3);
    REQUIRE(sp.mean == Approx(mean));
    REQUIRE(sp.sd == Approx(std::sqrt(ss / 2)));  // sample sd (ddof 1)
    REQUIRE(b.summary.count("one_step.intervals.coverage95") == 1);

    REQUIRE_THROWS_WITH(run_backtest(s, fast(), BacktestOptions{0, 0}), Contains("--folds must be >= 1"));
    REQUIRE_THROWS_WITH(run_backtest(s, fast(), BacktestOptions{7, 0}), Contains("try fewer --folds"));
    ForecastOptions none = fast();
    none.test = 0;
    REQUIRE_THROWS_WITH(run_backtest(s, none, BacktestOptions{2, 0}), Contains("--folds needs a test part"));
}

TEST_CASE("forecast: a long series' default test part is 20 horizons, with a note, and its plot is thinned",
          "[forecast][inputs]")
{
    // 20,000 hourly values: 20% would be 4008 values to forecast for a 48-hour horizon.
    Series s;
    s.name = "load";
    s.time.calendar = parse_frequency("hourly");
    s.time.frequency_source = Source::inferred;
    for (std::size_t t = 0; t < 20000; ++t) {
        s.time.instants.push_back(make_instant(2020, 1, 1) + static_cast<Instant>(t) * 60 * ms_per_minute);
        s.periods.push_back(std::to_string(t));
        s.values.push_back(std::sin(0.26 * static_cast<double>(t)));
    }
    s.season = 24;
    ForecastResult r;
    detail::plan_sizes(r, s, ForecastOptions{});
    REQUIRE(r.horizon == 48);
    REQUIRE(r.n_test == 960);
    REQUIRE(r.n_train == 19040);
    REQUIRE(r.notes.size() == 1);
    REQUIRE_THAT(r.notes[0], Contains("the test part is the last 960 values (20 horizons of 48, in whole seasons of 24), "
                                      "not 20% of 20000 (4008); give --test to change it"));
    REQUIRE(detail::fitted_size(r.n_train, 24, 48) == 19040 - 960);
    ForecastOptions given;
    given.test = 5000;
    ForecastResult g;
    detail::plan_sizes(g, s, given);
    REQUIRE(g.n_test == 5000);
    REQUIRE(g.notes.empty());
    // The shipped series keep ANCHORS.md's 20% protocol: the cap is far above them.
    ForecastResult air;
    detail::plan_sizes(air, monthly(144, 300, 100), ForecastOptions{});
    REQUIRE(air.n_test == 24);
    REQUIRE(air.notes.empty());
    REQUIRE(default_test_cap(6, 1) == 120);
    REQUIRE(default_test_cap(18, 12) == 360);
    REQUIRE(default_test_cap(13, 52) == 260);
    REQUIRE(default_test_cap(1, 168) == 168);
}
