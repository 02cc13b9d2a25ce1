#include <catch2/catch.hpp>

#include <cmath>

#include "check.hpp"

using namespace elman;
using Catch::Contains;
using elman::test::randn;
using elman::test::require_gradcheck;

TEST_CASE("softmax: values along the last axis sum to 1 and match e^x / Σ e^x", "[softmax]")
{
    Tape<double> tape;
    auto y = softmax(tape.constant(Tensor<double>{{1.0, 2.0, 3.0}, {0.0, 0.0, 0.0}}));
    const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
    REQUIRE(y.value()(0, 0) == Approx(std::exp(1.0) / z).epsilon(1e-15));
    REQUIRE(y.value()(0, 2) == Approx(std::exp(3.0) / z).epsilon(1e-15));
    REQUIRE(y.value()(1, 1) == Approx(1.0 / 3.0).epsilon(1e-15));
    auto l = log_softmax(tape.constant(Tensor<double>{{1.0, 2.0, 3.0}}));
    REQUIRE(l.value()(0, 1) == Approx(2.0 - std::log(z)).epsilon(1e-15));
}

TEST_CASE("softmax: an axis other than the last normalises along that axis", "[softmax]")
{
    Tape<double> tape;
    const Tensor<double> x = randn({2, 3, 4}, 5);
    auto y = softmax(tape.constant(x), 1);
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t k = 0; k < 4; ++k) {
            double s = 0;
            for (std::size_t j = 0; j < 3; ++j) s += y.value()(b, j, k);
            REQUIRE(s == Approx(1.0).epsilon(1e-14));
        }
    auto l = log_softmax(tape.constant(x), -2);
    for (std::size_t i = 0; i < x.size(); ++i)
        REQUIRE(l.value().data()[i] == Approx(std::log(y.value().data()[i])).epsilon(1e-13));
}

TEST_CASE("softmax: large and very negative inputs stay finite (the max is subtracted)", "[softmax]")
{
    Tape<float> tape;
    // e^1000 overflows any float; softmax(x) = softmax(x − 1000)
    auto y = softmax(tape.constant(Tensor<float>{1000.0f, 1001.0f, 1002.0f}));
    auto y0 = softmax(tape.constant(Tensor<float>{0.0f, 1.0f, 2.0f}));
    for (std::size_t i = 0; i < 3; ++i) REQUIRE(y.value()(i) == Approx(y0.value()(i)).epsilon(1e-6));
    // softmax underflows to 0 for the first class; log_softmax keeps the exact −1000
    auto l = log_softmax(tape.constant(Tensor<float>{-1000.0f, 0.0f}));
    REQUIRE(std::isfinite(l.value()(0)));
    REQUIRE(l.value()(0) == Approx(-1000.0f));
    REQUIRE(l.value()(1) == Approx(0.0f).margin(1e-6));
}

TEST_CASE("softmax, log_softmax: gradcheck in float64 along every axis", "[softmax][gradcheck]")
{
    const Tensor<double> x = randn({2, 3, 4}, 17);
    for (int axis : {0, 1, 2, -1}) {
        INFO("axis " << axis);
        require_gradcheck([axis](Tape<double>&, const auto& v) { return softmax(v[0], axis); }, {x});
        require_gradcheck([axis](Tape<double>&, const auto& v) { return log_softmax(v[0], axis); }, {x});
    }
    // a softmax feeding a log: the composition the probability losses differentiate
    require_gradcheck([](Tape<double>&, const auto& v) { return log(softmax(v[0])); }, {randn({3, 5}, 2)});
}

TEST_CASE("softmax: a scalar, an axis out of range or an empty axis are errors naming the op", "[softmax]")
{
    Tape<double> tape;
    REQUIRE_THROWS_WITH(softmax(tape.constant(scalar_tensor(1.0))),
                        Contains("softmax") && Contains("scalar"));
    REQUIRE_THROWS_WITH(log_softmax(tape.constant(randn({2, 3}, 1)), 2),
                        Contains("log_softmax: axis 2 is out of range for shape [2,3]"));
    REQUIRE_THROWS_WITH(softmax(tape.constant(Tensor<double>::from_shape({2, 0}))),
                        Contains("softmax: axis -1 of shape [2,0] is empty"));
}
