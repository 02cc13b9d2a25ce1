#include <catch2/catch.hpp>

#include <cmath>

#include "core/error.hpp"
#include "datasets/builtin.hpp"
#include "datasets/transforms.hpp"

using namespace elman;
using Catch::Contains;

namespace {

void require_close(const std::vector<double>& a, const std::vector<double>& b, double tol)
{
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) REQUIRE(std::abs(a[i] - b[i]) <= tol * std::max(1.0, std::abs(b[i])));
}

}  // namespace

TEST_CASE("log_transform: exp undoes it, a non-positive value is named with its index", "[transforms]")
{
    const std::vector<double> y = {112, 118, 132.5, 0.001};
    require_close(exp_transform(log_transform(y)), y, 1e-12);
    REQUIRE(log_transform(y)[0] == std::log(112.0));
    REQUIRE_THROWS_WITH(log_transform({3, 2, 0, -1}), Contains("value 0 at index 2 is not positive"));
    REQUIRE_THROWS_WITH(log_transform({3, -2.5}), Contains("value -2.5 at index 1"));
}

TEST_CASE("difference: lag 1 and seasonal lag by hand", "[transforms]")
{
    REQUIRE(difference({1, 4, 9, 16}) == std::vector<double>{3, 5, 7});
    REQUIRE(difference({1, 4, 9, 16, 25}, 3) == std::vector<double>{15, 21});
    REQUIRE_THROWS_WITH(difference({1, 2}, 2), Contains("length 2 has no lag-2 differences"));
}

TEST_CASE("undifference: exact inverse of difference given the first lag values", "[transforms]")
{
    const std::vector<double> y = {5, 3, 8, 13, 2, 7, 11, 4};
    for (std::size_t lag : {1u, 3u}) {
        const std::vector<double> head(y.begin(), y.begin() + lag), rest(y.begin() + lag, y.end());
        REQUIRE(undifference(head, difference(y, lag), lag) == rest);
    }
    REQUIRE_THROWS_WITH(undifference({1}, {1, 2}, 3), Contains("needs the last 3 values"));
}

TEST_CASE("undifference: zero differences forecast naive and seasonal naive recursively", "[transforms]")
{
    const std::vector<double> history = {1, 2, 3, 4, 10, 20, 30, 40};
    // lag 1: ŷ_{T+h} = y_T; lag 4: ŷ_{T+h} = y_{T+h−4k}, the last season repeated.
    REQUIRE(undifference(history, std::vector<double>(3, 0.0), 1) == std::vector<double>{40, 40, 40});
    REQUIRE(undifference(history, std::vector<double>(6, 0.0), 4) ==
            std::vector<double>{10, 20, 30, 40, 10, 20});
    // Constant differences accumulate: a linear trend.
    REQUIRE(undifference(history, {1, 1, 1}, 1) == std::vector<double>{41, 42, 43});
}

TEST_CASE("Differencing: (1−B)(1−B^12) on the airline series inverts exactly", "[transforms]")
{
    const std::vector<double> y = log_transform(load_builtin("airline_passengers").values);
    const Differencing d({1, 12});
    REQUIRE(d.order() == 13);
    const std::vector<double> z = d.apply(y);
    REQUIRE(z.size() == y.size() - 13);
    // By hand: z_t = y_{t+13} − y_{t+12} − y_{t+1} + y_t.
    REQUIRE(z[0] == Approx(y[13] - y[12] - y[1] + y[0]).margin(1e-14));
    // Multi-step from origin 120: all 24 test values back from their double differences.
    const std::size_t T = 120;
    const std::vector<double> history(y.begin(), y.begin() + T);
    const std::vector<double> future_diffs(z.begin() + (T - 13), z.end());
    require_close(d.invert(history, future_diffs), std::vector<double>(y.begin() + T, y.end()), 1e-12);
    // One step: each value from its true history.
    for (std::size_t t = 20; t < y.size(); t += 17) {
        const std::vector<double> h(y.begin(), y.begin() + t);
        REQUIRE(std::abs(d.invert(h, {z[t - 13]})[0] - y[t]) <= 1e-12);
    }
    REQUIRE_THROWS_WITH(d.invert({1, 2, 3}, {0}), Contains("needs at least 13 history values"));
}
