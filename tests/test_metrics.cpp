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

TEST_CASE("metrics: a zero actual makes MAPE infinite, never NaN", "[metrics]")
{
    REQUIRE(std::isinf(mape({0, 1}, {1, 1})));
    REQUIRE(std::isinf(mase({1}, {2}, {3, 3, 3}, 1)));
    REQUIRE(mase({1}, {1}, {3, 3, 3}, 1) == 0.0);
}

TEST_CASE("metrics: mismatched or empty inputs are errors", "[metrics]")
{
    REQUIRE_THROWS_WITH(rmse({1, 2}, {1}), Contains("rmse: 2 actual values but 1 forecasts"));
    REQUIRE_THROWS_WITH(mae({}, {}), Contains("no values"));
}
