#include <catch2/catch.hpp>

#include <cmath>

#include "core/error.hpp"
#include "datasets/metrics.hpp"
#include "forecast/intervals.hpp"

using namespace elman;
using Catch::Contains;

TEST_CASE("metrics: RMSE, MAE, MAPE by hand", "[metrics]")
{
    const std::vector<double> a = {1, 2, 3, 4}, f = {2, 2, 2, 6};
    // errors −1, 0, 1, −2
    REQUIRE(rmse(a, f) == Approx(std::sqrt(6.0 / 4.0)));
    REQUIRE(mae(a, f) == Approx(1.0));
    // 100·(1/1 + 0 + 1/3 + 2/4)/4
    REQUIRE(mape(a, f) == Approx(100.0 * (1.0 + 1.0 / 3.0 + 0.5) / 4.0));
}

TEST_CASE("metrics: MASE scale is the in-sample seasonal-naive MAE of the training part", "[metrics]")
{
    const std::vector<double> train = {1, 3, 2, 5, 4};
    // m = 1: |3−1|, |2−3|, |5−2|, |4−5| → 7/4;  m = 2: |2−1|, |5−3|, |4−2| → 5/3
    REQUIRE(mase_scale(train, 1) == Approx(7.0 / 4.0));
    REQUIRE(mase_scale(train, 2) == Approx(5.0 / 3.0));
    const std::vector<double> a = {1, 2, 3, 4}, f = {2, 2, 2, 6};
    REQUIRE(mase(a, f, train, 1) == Approx(1.0 / 1.75));
    const Metrics m = evaluate(a, f, train, 2);
    REQUIRE(m.mase == Approx(0.6));
    REQUIRE(m.mae == Approx(1.0));
    REQUIRE_THROWS_WITH(mase_scale(train, 5), Contains("has 5 values, a season of 5 needs more"));
}

TEST_CASE("metrics: undefined MAPE and MASE are NaN for every forecast alike, never inf or 0", "[metrics]")
{
    // A zero actual: MAPE is undefined whatever the forecast, an exact one included.
    REQUIRE(std::isnan(mape({0, 1}, {1, 1})));
    REQUIRE(std::isnan(mape({0, 1}, {0, 1})));
    REQUIRE_FALSE(is_defined(mape({0, 0}, {0, 0})));
    // A zero in-sample scale (a constant training part): MASE is undefined, exact or not.
    REQUIRE(std::isnan(mase({1}, {2}, {3, 3, 3}, 1)));
    REQUIRE(std::isnan(mase({3}, {3}, {3, 3, 3}, 1)));
    const Metrics m = evaluate({5, 5}, {5, 5}, {5, 5, 5, 5}, 1);
    REQUIRE(m.rmse == 0.0);
    REQUIRE(m.mae == 0.0);
    REQUIRE(m.mape == 0.0);
    REQUIRE_FALSE(is_defined(m.mase));
}

TEST_CASE("metrics: a series near 1e200 gives finite metrics (scaled before squaring)", "[metrics]")
{
    const std::vector<double> a = {1e200, 2e200, 3e200, 4e200}, f = {2e200, 2e200, 2e200, 6e200};
    // errors −1, 0, 1, −2 (×1e200): their squares overflow a double unless scaled.
    REQUIRE(rmse(a, f) == Approx(std::sqrt(6.0 / 4.0) * 1e200));
    REQUIRE(mae(a, f) == Approx(1e200));
    REQUIRE(mape(a, f) == Approx(100.0 * (1.0 + 1.0 / 3.0 + 0.5) / 4.0));
    REQUIRE(mase(a, f, {1e200, 3e200, 2e200, 5e200, 4e200}, 1) == Approx(1.0 / 1.75));
    // Errors near the largest double: their mean and RMSE stay finite.
    REQUIRE(rmse({1.7e308, -1.7e308}, {0, 0}) == Approx(1.7e308));
    REQUIRE(mae({1.7e308, 1.7e308}, {0, 0}) == Approx(1.7e308));
    // A non-finite forecast gives NaN, which metrics.json writes as null.
    REQUIRE_FALSE(is_defined(rmse({1, 2}, {1, std::nan("")})));
}

TEST_CASE("metrics: mismatched or empty inputs are errors", "[metrics]")
{
    REQUIRE_THROWS_WITH(rmse({1, 2}, {1}), Contains("rmse: 2 actual values but 1 forecasts"));
    REQUIRE_THROWS_WITH(mae({}, {}), Contains("no values"));
}

TEST_CASE("intervals: coverage, width and MSIS (M4's interval score scaled like MASE) by hand", "[metrics][intervals]")
{
    const std::vector<double> actual{10, 20, 30};
    IntervalBounds b;
    b.lo80 = {9, 21, 25};
    b.hi80 = {11, 22, 35};
    b.lo95 = {8, 15, 20};
    b.hi95 = {12, 25, 40};
    // Scale: the in-sample naive MAE of {1, 2, 4, 7} = (1 + 2 + 3)/3 = 2.
    const IntervalScores s = score_intervals(actual, b, {1, 2, 4, 7}, 1);
    CHECK(s.coverage80 == Approx(2.0 / 3.0));
    CHECK(s.width80 == Approx(13.0 / 3.0));
    // 20 lies 1 below [21, 22]: width 1 + (2/0.2)·1 = 11; widths 2 and 10 for the others.
    CHECK(s.msis80 == Approx((2.0 + 11.0 + 10.0) / 3.0 / 2.0));
    CHECK(s.coverage95 == 1.0);
    CHECK(s.width95 == Approx(34.0 / 3.0));
    CHECK(s.msis95 == Approx(34.0 / 3.0 / 2.0));
    // A constant training part has no scale: MSIS is undefined, coverage still counts.
    const IntervalScores c = score_intervals(actual, b, {5, 5, 5}, 1);
    CHECK(std::isnan(c.msis95));
    CHECK(c.coverage95 == 1.0);
}

TEST_CASE("intervals: the conformal quantile is the ceil((n + 1)(1 - alpha))-th normalized score", "[metrics][intervals]")
{
    // 20 one-step residuals ±1..±20 with no spread: s_1 = their RMS, scores |e|/s_1.
    std::vector<std::vector<double>> e, sd;
    double ss = 0;
    for (int k = 1; k <= 20; ++k) {
        e.push_back({k % 2 ? double(k) : -double(k)});
        sd.push_back({0.0});
        ss += double(k) * k;
    }
    const Conformal c = calibrate_conformal(e, sd);
    const double s1 = std::sqrt(ss / 20);
    REQUIRE(c.scale.size() == 1);
    CHECK(c.scale[0] == Approx(s1));
    CHECK(c.scores == 20);
    CHECK(c.q80 * s1 == Approx(17.0));  // ceil(21 · 0.8) = 17
    CHECK(c.q95 * s1 == Approx(20.0));  // ceil(21 · 0.95) = 20
    // Ten residuals are too few for the 95% rank (11 > 10): the normal quantile of the scores'
    // RMS, which is 1 when the scale is the residuals' own RMS.
    e.resize(10);
    sd.resize(10);
    CHECK(calibrate_conformal(e, sd).q95 == Approx(1.959963984540054));
    // The per-lead scale never decreases: RMS 2 at lead 1 and 1 at lead 2 pool to 1.5 at both.
    const Conformal two = calibrate_conformal({{2, 1}, {-2, -1}}, {{0, 0}, {0, 0}});
    CHECK(two.scale == std::vector<double>{1.5, 1.5});
    // Beyond the calibrated leads the scale grows as the random walk's sqrt(h/H).
    CHECK(two.scale_at(8) == Approx(1.5 * 2.0));
    // No finite residual: an error, never an interval of NaN.
    CHECK_THROWS_WITH(calibrate_conformal({{std::nan("")}}, {{0.0}}), Catch::Contains("no finite validation residual"));
}
