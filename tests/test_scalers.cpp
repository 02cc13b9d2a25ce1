#include <catch2/catch.hpp>

#include <cmath>

#include "core/error.hpp"
#include "datasets/scalers.hpp"

using namespace elman;
using Catch::Contains;

TEST_CASE("MinMaxScaler: maps each feature's training range onto [0, 1]", "[scalers]")
{
    const Tensor<double> x = {{1.0, 10.0}, {3.0, 20.0}, {5.0, 40.0}};
    MinMaxScaler s;
    const Tensor<double> z = s.fit_transform(x);
    REQUIRE(z(0, 0) == 0.0);
    REQUIRE(z(1, 0) == Approx(0.5));
    REQUIRE(z(2, 0) == Approx(1.0));
    REQUIRE(z(1, 1) == Approx(1.0 / 3.0));
    REQUIRE(s.data_min() == std::vector<double>{1.0, 10.0});
    REQUIRE(s.data_max() == std::vector<double>{5.0, 40.0});
}

TEST_CASE("MinMaxScaler: feature_range and data outside the training range", "[scalers]")
{
    MinMaxScaler s(-1.0, 1.0);
    s.fit(std::vector<double>{2.0, 4.0, 6.0});
    // Fitted on the training part only: a test value above the training max maps above 1.
    const std::vector<double> z = s.transform(std::vector<double>{2.0, 4.0, 10.0});
    REQUIRE(z[0] == Approx(-1.0));
    REQUIRE(z[1] == Approx(0.0).margin(1e-15));
    REQUIRE(z[2] == Approx(3.0));
    REQUIRE_THROWS_WITH(MinMaxScaler(1.0, 1.0), Contains("feature_range"));
}

TEST_CASE("scalers: inverse_transform undoes transform to 1e-12", "[scalers]")
{
    const Tensor<double> train = {{112.0, -3.5}, {118.0, 0.25}, {132.0, 7.0}, {129.0, 2.0}};
    const Tensor<double> test = {{148.0, -10.0}, {136.0, 3.3}};
    MinMaxScaler mm;
    mm.fit(train);
    StandardScaler st;
    st.fit(train);
    for (const Tensor<double>& back : {mm.inverse_transform(mm.transform(test)),
                                       st.inverse_transform(st.transform(test))})
        for (std::size_t i = 0; i < test.size(); ++i)
            REQUIRE(std::abs(back.data()[i] - test.data()[i]) <= 1e-12 * std::abs(test.data()[i]));
}

TEST_CASE("StandardScaler: population standard deviation, as scikit-learn", "[scalers]")
{
    StandardScaler s;
    const std::vector<double> z = s.fit(std::vector<double>{1, 2, 3, 4}).transform(std::vector<double>{1, 4});
    // mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25
    REQUIRE(s.mean()[0] == 2.5);
    REQUIRE(s.scale()[0] == Approx(std::sqrt(1.25)));
    REQUIRE(z[0] == Approx(-1.5 / std::sqrt(1.25)));
    REQUIRE(z[1] == Approx(1.5 / std::sqrt(1.25)));
}

TEST_CASE("scalers: a constant feature gets scale 1, no division by zero", "[scalers]")
{
    const Tensor<double> x = {{7.0, 1.0}, {7.0, 2.0}, {7.0, 3.0}};
    StandardScaler st;
    const Tensor<double> z = st.fit_transform(x);
    REQUIRE(st.scale()[0] == 1.0);
    REQUIRE(z(1, 0) == 0.0);
    MinMaxScaler mm;
    const Tensor<double> m = mm.fit_transform(x);
    REQUIRE(m(2, 0) == 0.0);
    REQUIRE(std::isfinite(mm.transform(Tensor<double>{{9.0, 1.0}})(0, 0)));
    REQUIRE(mm.inverse_transform(m)(1, 0) == 7.0);
}

TEST_CASE("scalers: unfitted or feature-count mismatch is an error", "[scalers]")
{
    StandardScaler st;
    REQUIRE_THROWS_WITH(st.transform(Tensor<double>{1.0, 2.0}), Contains("not fitted"));
    st.fit(Tensor<double>{{1.0, 2.0}, {3.0, 4.0}});
    REQUIRE_THROWS_WITH(st.transform(Tensor<double>{{1.0, 2.0, 3.0}}),
                        Contains("fitted on 2 features, got [1,3]"));
}
