#include <catch2/catch.hpp>

#include <cmath>

#include <xtensor/xmath.hpp>

#include "check.hpp"

using namespace elman;
using elman::test::randn;
using elman::test::require_gradcheck;

using Vars = std::vector<Var<double>>;

namespace {

const std::vector<Shape> shapes = {{2, 3}, {}, {3, 1, 2}, {5}};

// |v| >= 0.2 with random signs: clear of relu's kink and of pow's pole at 0.
Tensor<double> away_from_zero(const Shape& shape, std::uint64_t seed)
{
    Tensor<double> r = randn(shape, seed);
    Tensor<double> out = xt::where(r >= 0.0, 0.2 + r, r - 0.2);
    return out;
}

// Values in [0.5, 2.5]: inside log's and fractional pow's domain.
Tensor<double> positive(const Shape& shape, std::uint64_t seed)
{
    return uniform<double>(shape, 0.5, 2.5, seed);
}

}  // namespace

TEST_CASE("math: forward values at points known by heart", "[ops][math]")
{
    Tape<double> tape;
    auto zero = tape.variable(Tensor<double>{0.0});
    REQUIRE(tanh(zero).item() == 0.0);
    REQUIRE(sigmoid(zero).item() == 0.5);
    REQUIRE(exp(zero).item() == 1.0);
    auto x = tape.variable(Tensor<double>{-1.0, 0.0, 2.0});
    REQUIRE(relu(x).value() == Tensor<double>{0.0, 0.0, 2.0});
    REQUIRE(square(x).value() == Tensor<double>{1.0, 0.0, 4.0});
    REQUIRE(pow(x, 3.0).value() == Tensor<double>{-1.0, 0.0, 8.0});
    auto p = tape.variable(Tensor<double>{1.0, 4.0, 9.0});
    REQUIRE(pow(p, 0.5).value() == Tensor<double>{1.0, 2.0, 3.0});
    REQUIRE(pow(p, -1.0).value()(1) == 0.25);
    auto l = tape.variable(Tensor<double>{1.0, std::exp(2.0)});
    REQUIRE(log(l).value()(0) == 0.0);
    REQUIRE(log(l).value()(1) == Approx(2.0).epsilon(1e-15));
    // tanh(ln 2) = (2 − 1/2) / (2 + 1/2) = 0.6;  σ(ln 3) = 3 / (3 + 1) = 0.75
    auto a = tape.variable(Tensor<double>{std::log(2.0), std::log(3.0)});
    REQUIRE(tanh(a).value()(0) == Approx(0.6).epsilon(1e-15));
    REQUIRE(sigmoid(a).value()(1) == Approx(0.75).epsilon(1e-15));
}

TEST_CASE("math: derivatives at known points (tanh' = 1 − y², σ' = y(1 − y), relu' = [x > 0])",
          "[ops][math]")
{
    Tape<double> tape;
    auto x = tape.variable(Tensor<double>{std::log(2.0), std::log(3.0)});
    tape.backward(sum(tanh(x) + sigmoid(x)));
    // tanh'(ln 2) = 1 − 0.36 = 0.64;  σ'(ln 3) = 0.75 · 0.25 = 0.1875
    // σ(ln 2) = 2/3 -> σ' = 2/9;  tanh(ln 3) = (3 − 1/3)/(3 + 1/3) = 0.8 -> tanh' = 0.36
    REQUIRE(x.grad()(0) == Approx(0.64 + 2.0 / 9.0).epsilon(1e-14));
    REQUIRE(x.grad()(1) == Approx(0.36 + 0.1875).epsilon(1e-14));

    Tape<double> t2;
    auto r = t2.variable(Tensor<double>{-1.0, 0.0, 3.0});
    t2.backward(sum(relu(r)));
    REQUIRE(r.grad() == Tensor<double>{0.0, 0.0, 1.0});  // subgradient 0 at 0, as Keras
}

TEST_CASE("tanh, sigmoid, exp, square: gradients pass gradcheck", "[ops][math][gradcheck]")
{
    std::uint64_t seed = 200;
    for (const Shape& s : shapes) {
        INFO("shape " << shape_str(s));
        const Tensor<double> x = randn(s, seed++);
        require_gradcheck([](Tape<double>&, const Vars& v) { return tanh(v[0]); }, {x});
        require_gradcheck([](Tape<double>&, const Vars& v) { return sigmoid(v[0]); }, {x});
        require_gradcheck([](Tape<double>&, const Vars& v) { return exp(v[0]); }, {x});
        require_gradcheck([](Tape<double>&, const Vars& v) { return square(v[0]); }, {x});
    }
}

TEST_CASE("relu, log, pow: gradients pass gradcheck inside their domains",
          "[ops][math][gradcheck]")
{
    std::uint64_t seed = 300;
    for (const Shape& s : shapes) {
        INFO("shape " << shape_str(s));
        const Tensor<double> x = away_from_zero(s, seed++);
        const Tensor<double> p = positive(s, seed++);
        require_gradcheck([](Tape<double>&, const Vars& v) { return relu(v[0]); }, {x});
        require_gradcheck([](Tape<double>&, const Vars& v) { return log(v[0]); }, {p});
        require_gradcheck([](Tape<double>&, const Vars& v) { return pow(v[0], 3.0); }, {x});
        require_gradcheck([](Tape<double>&, const Vars& v) { return pow(v[0], -2.0); }, {x});
        require_gradcheck([](Tape<double>&, const Vars& v) { return pow(v[0], 0.5); }, {p});
        require_gradcheck([](Tape<double>&, const Vars& v) { return pow(v[0], 2.5); }, {p});
    }
}

TEST_CASE("math: a composition (σ(x)·log(1 + eˣ)) passes gradcheck", "[ops][math][gradcheck]")
{
    require_gradcheck(
        [](Tape<double>&, const Vars& v) { return sigmoid(v[0]) * log(exp(v[0]) + 1.0); },
        {randn({3, 4}, 400)});
}

TEST_CASE("math: float forward agrees with std:: functions", "[ops][math]")
{
    Tape<float> tape;
    auto x = tape.variable(Tensor<float>{-0.5f, 0.25f, 1.5f});
    const auto t = tanh(x).value();
    const auto e = exp(x).value();
    for (std::size_t i = 0; i < 3; ++i) {
        const float v = x.value()(i);
        REQUIRE(t(i) == Approx(std::tanh(v)).epsilon(1e-6));
        REQUIRE(e(i) == Approx(std::exp(v)).epsilon(1e-6));
    }
}

TEST_CASE("log: a value <= 0 names the op and the shape", "[ops][math][errors]")
{
    Tape<double> tape;
    auto z = tape.variable(Tensor<double>{{1.0, 2.0}, {0.0, 3.0}});
    REQUIRE_THROWS_AS(log(z), Error);
    REQUIRE_THROWS_WITH(log(z), Catch::Contains("log") && Catch::Contains("[2,2]"));
    auto n = tape.variable(Tensor<double>{1.0, -2.0, 3.0});
    REQUIRE_THROWS_WITH(log(n), Catch::Contains("log") && Catch::Contains("[3]"));
    auto nan = tape.variable(Tensor<double>{std::nan("")});
    REQUIRE_THROWS_WITH(log(nan), Catch::Contains("log"));
}

TEST_CASE("pow: a negative base under a fractional exponent names the op and the shape",
          "[ops][math][errors]")
{
    Tape<double> tape;
    auto x = tape.variable(Tensor<double>{{1.0, -2.0, 3.0}, {4.0, 5.0, 6.0}});
    REQUIRE_THROWS_AS(pow(x, 0.5), Error);
    REQUIRE_THROWS_WITH(pow(x, 0.5), Catch::Contains("pow") && Catch::Contains("[2,3]"));
    REQUIRE_NOTHROW(pow(x, 2.0));  // an integer exponent is fine for negatives
    auto z = tape.variable(Tensor<double>{0.0, 1.0});
    REQUIRE_THROWS_WITH(pow(z, -1.0), Catch::Contains("pow") && Catch::Contains("[2]"));
    REQUIRE_THROWS_WITH(pow(z, 0.5), Catch::Contains("pow") && Catch::Contains("[2]"));
}
