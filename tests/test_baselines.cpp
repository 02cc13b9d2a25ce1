#include <catch2/catch.hpp>

#include <cmath>

#include "core/error.hpp"
#include "datasets/baselines.hpp"
#include "datasets/builtin.hpp"
#include "datasets/metrics.hpp"
#include "datasets/split.hpp"

using namespace elman;
using Catch::Contains;

namespace {

// value rounds to `printed` at `decimals` decimal places (the precision ANCHORS.md prints),
// directly or through one more decimal first: ANCHORS.md prints sunspots' one-step drift RMSE
// 33.34503 as 33.4, i.e. 33.345 → 33.35 → 33.4.
bool matches_printed(double value, double printed, int decimals)
{
    const double unit = std::pow(10.0, -decimals);
    const double twice = std::round(std::round(value / (unit / 10.0)) / 10.0) * unit;
    return std::abs(value - printed) <= 0.5 * unit + 1e-9 || std::abs(twice - printed) <= 1e-9;
}

struct Expected {
    double mase;
    double rmse;
    int rmse_decimals;
};

// One baseline in one protocol on a builtin series, checked against ANCHORS.md.
void check_anchor(const std::string& name, std::size_t n_test_expected, Baseline b, bool one_step,
                  Expected e)
{
    const Series s = load_builtin(name);
    const std::size_t n_test = name == "airline_passengers" ? 24 : default_test_size(s.values.size(), s.season);
    REQUIRE(n_test == n_test_expected);
    const std::size_t T = s.values.size() - n_test;
    const std::vector<double> train(s.values.begin(), s.values.begin() + T);
    const std::vector<double> test(s.values.begin() + T, s.values.end());
    const std::vector<double> f = one_step ? baseline_one_step(b, s.values, T, s.season)
                                           : baseline_multi_step(b, train, n_test, s.season);
    const Metrics m = evaluate(test, f, train, s.season);
    INFO(name << " " << to_string(b) << (one_step ? " one-step" : " multi-step") << ": MASE "
              << m.mase << " RMSE " << m.rmse);
    REQUIRE(matches_printed(m.mase, e.mase, 3));
    REQUIRE(matches_printed(m.rmse, e.rmse, e.rmse_decimals));
}

}  // namespace

TEST_CASE("baselines: naive, seasonal naive and drift by hand", "[baselines]")
{
    const std::vector<double> y = {1, 3, 2, 6, 5, 9};
    // one-step from n_train 4: naive y_{t−1}; seasonal (m 2) y_{t−2}; drift y_{t−1} + (y_{t−1} − y_0)/(t − 1)
    REQUIRE(baseline_one_step(Baseline::naive, y, 4) == std::vector<double>{6, 5});
    REQUIRE(baseline_one_step(Baseline::seasonal_naive, y, 4, 2) == std::vector<double>{2, 6});
    const auto d = baseline_one_step(Baseline::drift, y, 4);
    REQUIRE(d[0] == Approx(6.0 + 5.0 / 3.0));
    REQUIRE(d[1] == Approx(5.0 + 4.0 / 4.0));
    const std::vector<double> train = {1, 3, 2, 6};
    REQUIRE(baseline_multi_step(Baseline::naive, train, 3) == std::vector<double>{6, 6, 6});
    REQUIRE(baseline_multi_step(Baseline::seasonal_naive, train, 5, 2) ==
            std::vector<double>{2, 6, 2, 6, 2});
    // slope (6 − 1)/3
    const auto m = baseline_multi_step(Baseline::drift, train, 2);
    REQUIRE(m[0] == Approx(6.0 + 5.0 / 3.0));
    REQUIRE(m[1] == Approx(6.0 + 10.0 / 3.0));
    REQUIRE_THROWS_WITH(baseline_multi_step(Baseline::seasonal_naive, train, 2, 12),
                        Contains("needs at least 12 training values, got 4"));
}

TEST_CASE("split: ANCHORS.md test sizes (whole years for monthly data)", "[baselines]")
{
    REQUIRE(default_test_size(144, 12) == 24);
    REQUIRE(default_test_size(468, 12) == 96);
    REQUIRE(default_test_size(100, 1) == 20);
    REQUIRE(default_test_size(309, 1) == 62);
    const SplitSizes s = split_fractions(100, 0.1, 0.2);
    REQUIRE(s.train == 70);
    REQUIRE(s.val == 10);
    REQUIRE(s.test == 20);
    const Split parts = split_series({1, 2, 3, 4, 5}, split_sizes(5, 1, 2));
    REQUIRE(parts.train == std::vector<double>{1, 2});
    REQUIRE(parts.val == std::vector<double>{3});
    REQUIRE(parts.test == std::vector<double>{4, 5});
    REQUIRE_THROWS_WITH(split_sizes(5, 2, 3), Contains("leave no training point"));
}

TEST_CASE("baselines: ANCHORS.md one-step figures on airline_passengers", "[baselines][anchors]")
{
    check_anchor("airline_passengers", 24, Baseline::naive, true, {1.547, 51.8, 1});
    check_anchor("airline_passengers", 24, Baseline::seasonal_naive, true, {1.665, 50.0, 1});
    check_anchor("airline_passengers", 24, Baseline::drift, true, {1.539, 51.9, 1});
}

TEST_CASE("baselines: ANCHORS.md multi-step figures on airline_passengers", "[baselines][anchors]")
{
    check_anchor("airline_passengers", 24, Baseline::naive, false, {4.033, 137.3, 1});
    check_anchor("airline_passengers", 24, Baseline::seasonal_naive, false, {2.494, 77.0, 1});
    check_anchor("airline_passengers", 24, Baseline::drift, false, {3.206, 115.7, 1});
}

TEST_CASE("baselines: ANCHORS.md figures on co2_mauna_loa", "[baselines][anchors]")
{
    check_anchor("co2_mauna_loa", 96, Baseline::naive, true, {0.960, 1.32, 2});
    check_anchor("co2_mauna_loa", 96, Baseline::seasonal_naive, true, {1.120, 1.50, 2});
    check_anchor("co2_mauna_loa", 96, Baseline::drift, true, {0.936, 1.32, 2});
    check_anchor("co2_mauna_loa", 96, Baseline::naive, false, {5.133, 7.37, 2});
    check_anchor("co2_mauna_loa", 96, Baseline::seasonal_naive, false, {4.764, 6.76, 2});
    check_anchor("co2_mauna_loa", 96, Baseline::drift, false, {1.879, 2.73, 2});
}

TEST_CASE("baselines: ANCHORS.md figures on nile_flow", "[baselines][anchors]")
{
    check_anchor("nile_flow", 20, Baseline::naive, true, {0.970, 153.1, 1});
    check_anchor("nile_flow", 20, Baseline::drift, true, {0.976, 153.8, 1});
    check_anchor("nile_flow", 20, Baseline::naive, false, {0.760, 123.1, 1});
    check_anchor("nile_flow", 20, Baseline::drift, false, {0.780, 122.3, 1});
}

TEST_CASE("baselines: ANCHORS.md figures on sunspots_yearly", "[baselines][anchors]")
{
    check_anchor("sunspots_yearly", 62, Baseline::naive, true, {1.554, 33.3, 1});
    check_anchor("sunspots_yearly", 62, Baseline::drift, true, {1.562, 33.4, 1});
    check_anchor("sunspots_yearly", 62, Baseline::naive, false, {3.003, 56.1, 1});
    check_anchor("sunspots_yearly", 62, Baseline::drift, false, {3.285, 62.3, 1});
}
