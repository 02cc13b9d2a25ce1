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

namespace {

// Values as one feature, [n, 1].
Tensor<double> column(std::initializer_list<double> values)
{
    Tensor<double> t = Tensor<double>::from_shape({values.size(), std::size_t(1)});
    std::copy(values.begin(), values.end(), t.data());
    return t;
}

}  // namespace

TEST_CASE("scalers: data near 1e200 and ranges past the largest double fit (scaled before squaring)", "[scalers]")
{
    // Squares of 1e200 overflow a double: sklearn's formulas written naively give inf here.
    const Tensor<double> x = column({1e200, 2e200, 3e200, 4e200});
    StandardScaler st;
    const Tensor<double> z = st.fit_transform(x);
    REQUIRE(st.mean()[0] == Approx(2.5e200));
    REQUIRE(st.scale()[0] == Approx(std::sqrt(1.25) * 1e200));
    REQUIRE(z(0, 0) == Approx(-1.5 / std::sqrt(1.25)));
    REQUIRE(st.inverse_transform(z)(3, 0) == Approx(4e200));
    // For ordinary data the scaled sums give the same bits as the plain ones.
    const Tensor<double> y = column({0.1, 0.7, 2.9});
    StandardScaler plain;
    plain.fit(y);
    REQUIRE(plain.mean()[0] == (0.1 + 0.7 + 2.9) / 3);
    MinMaxScaler mm;
    const Tensor<double> wide = column({-1.5e308, 1.5e308});
    const Tensor<double> m = mm.fit_transform(wide);
    REQUIRE(m(0, 0) == Approx(0.0));
    REQUIRE(m(1, 0) == Approx(1.0));
    REQUIRE(std::isfinite(mm.scale()[0]));
}

TEST_CASE("scalers: a NaN or inf in the data is an error naming the feature", "[scalers]")
{
    StandardScaler st;
    REQUIRE_THROWS_WITH(st.fit(Tensor<double>{{1.0, 2.0}, {3.0, std::nan("")}}), Contains("feature 1 holds a non-finite value"));
    MinMaxScaler mm;
    REQUIRE_THROWS_WITH(mm.fit(column({1.0, INFINITY})), Contains("feature 0 holds inf at row 1"));
}
