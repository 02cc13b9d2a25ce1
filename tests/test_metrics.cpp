#include <catch2/catch.hpp>

#include <cmath>

#include "core/error.hpp"
#include "datasets/metrics.hpp"

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
