// The forecasting pipeline on the inputs that used to give silent wrong answers: a scale near
// 1e200, non-finite values, constant and all-zero series, default horizons by frequency,
// rolling-origin multi-step, --test 0, the plausibility band, and what pipeline.json keeps; the
// MIMO strategy, the prediction intervals and rolling-origin backtests.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "datasets/builtin.hpp"
#include "forecast/backtest.hpp"
#include "forecast/forecast.hpp"
#include "forecast/predict.hpp"
#include "temp_dir.hpp"
#include "text.hpp"

using namespace elman;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

ForecastOptions fast()
{
    ForecastOptions o;
    o.epochs = 8;
    o.seeds = 1;
    o.ensemble = 2;
    o.max_steps = 150;
    o.threads = 2;
    return o;
}

// A monthly series of n values: level + amplitude·(seasonal wave) + a slow trend.
Series monthly(std::size_t n, double level, double amplitude)
{
    Series s;
    s.name = "value";
    s.time.calendar = parse_frequency("monthly");
    s.time.calendar.resolution = Resolution::month;
    s.time.frequency_source = Source::inferred;
    for (std::size_t t = 0; t < n; ++t) {
        const int y = 2000 + static_cast<int>(t / 12);
        const unsigned m = static_cast<unsigned>(t % 12) + 1;
        s.time.instants.push_back(make_instant(y, m, 1));
        s.periods.push_back(format_instant(s.time.instants.back(), Resolution::month));
        s.values.push_back(level + amplitude * (std::sin(0.5236 * static_cast<double>(t)) + 0.01 * static_cast<double>(t)));
    }
    s.frequency = Frequency::monthly;
    s.season = 12;
    return s;
}

void require_finite(const std::vector<double>& v)
{
    for (double x : v) REQUIRE(std::isfinite(x));
}

}  // namespace

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

TEST_CASE("forecast: a constant series is forecast exactly; its MASE is undefined for every method", "[forecast][inputs]")
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
