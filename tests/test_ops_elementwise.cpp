#include <catch2/catch.hpp>

#include <xtensor/xmath.hpp>

#include "check.hpp"

using namespace elman;
using elman::test::randn;
using elman::test::require_gradcheck;

using Vars = std::vector<Var<double>>;

namespace {

// Shape pairs that broadcast: equal, a trailing vector, stretched 1s on both sides, 0-D.
const std::vector<std::pair<Shape, Shape>> broadcast_pairs = {
    {{2, 3}, {2, 3}}, {{2, 3}, {3}},       {{3}, {2, 3}},    {{2, 1, 4}, {3, 1}},
    {{1, 3}, {2, 1}}, {{}, {2, 3}},        {{2, 3}, {}},     {{}, {}},
    {{4, 1}, {4, 5}}, {{2, 3, 4}, {1, 4}},
};

// Values bounded away from zero (|v| >= 0.5) with random signs: safe divisors.
Tensor<double> away_from_zero(const Shape& shape, std::uint64_t seed)
{
    Tensor<double> r = randn(shape, seed);
    Tensor<double> out = xt::where(r >= 0.0, 0.5 + r, r - 0.5);
    return out;
}

}  // namespace

TEST_CASE("add: broadcasts a row vector over every row", "[ops][elementwise]")
{
    Tape<double> tape;
    auto a = tape.variable(Tensor<double>{{1, 2, 3}, {4, 5, 6}});
    auto b = tape.variable(Tensor<double>{10, 20, 30});
    REQUIRE((a + b).value() == Tensor<double>{{11, 22, 33}, {14, 25, 36}});
    // Summed back over the broadcast rows: d/db Σ(a + b) = number of rows.
    tape.backward(sum(a + b));
    REQUIRE(b.grad() == Tensor<double>{2, 2, 2});
    REQUIRE(a.grad() == Tensor<double>{{1, 1, 1}, {1, 1, 1}});
}

TEST_CASE("sub, mul, div: forward values with broadcasting", "[ops][elementwise]")
{
    Tape<double> tape;
    auto col = tape.variable(Tensor<double>{{2, 4}});           // [1,2]
    Tensor<double> c{1, 2};
    c.reshape({2, 1});
    auto row = tape.variable(c);                                  // [2,1] = [[1],[2]]
    // col − row: [[2−1, 4−1], [2−2, 4−2]]
    REQUIRE((col - row).value() == Tensor<double>{{1, 3}, {0, 2}});
    REQUIRE((col * row).value() == Tensor<double>{{2, 4}, {4, 8}});
    REQUIRE((col / row).value() == Tensor<double>{{2, 4}, {1, 2}});
    auto s = tape.variable(scalar_tensor(3.0));
    REQUIRE((s * col).value() == Tensor<double>{{6, 12}});
    REQUIRE((-col).value() == Tensor<double>{{-2, -4}});
}

TEST_CASE("mul: [2,1,4] * [3,1] gives [2,3,4] with every product", "[ops][elementwise]")
{
    Tape<double> tape;
    Tensor<double> a = Tensor<double>::from_shape({2, 1, 4});
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t k = 0; k < 4; ++k) a(i, 0, k) = 10.0 * i + k;
    Tensor<double> b{2, 3, 5};
    b.reshape({3, 1});
    auto y = mul(tape.variable(a), tape.variable(b)).value();
    REQUIRE(y.shape() == std::vector<std::size_t>{2, 3, 4});
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 3; ++j)
            for (std::size_t k = 0; k < 4; ++k) REQUIRE(y(i, j, k) == (10.0 * i + k) * b(j, 0));
}

TEST_CASE("scalar forms: a + s, a − s, s − a, a·s, a / s, s / a", "[ops][elementwise]")
{
    Tape<double> tape;
    auto a = tape.variable(Tensor<double>{1, 2, 4});
    REQUIRE((a + 1.0).value() == Tensor<double>{2, 3, 5});
    REQUIRE((1.0 + a).value() == Tensor<double>{2, 3, 5});
    REQUIRE((a - 1.0).value() == Tensor<double>{0, 1, 3});
    REQUIRE((10.0 - a).value() == Tensor<double>{9, 8, 6});
    REQUIRE((a * 3.0).value() == Tensor<double>{3, 6, 12});
    REQUIRE((3.0 * a).value() == Tensor<double>{3, 6, 12});
    REQUIRE((a / 2.0).value() == Tensor<double>{0.5, 1, 2});
    REQUIRE((8.0 / a).value() == Tensor<double>{8, 4, 2});
}

TEST_CASE("add, sub, mul, div: gradients pass gradcheck for broadcast shapes",
          "[ops][elementwise][gradcheck]")
{
    std::uint64_t seed = 100;
    for (const auto& [sa, sb] : broadcast_pairs) {
        INFO("shapes " << shape_str(sa) << " and " << shape_str(sb));
        const Tensor<double> a = randn(sa, seed++);
        const Tensor<double> b = randn(sb, seed++);
        const Tensor<double> nz = away_from_zero(sb, seed++);
        require_gradcheck([](Tape<double>&, const Vars& v) { return add(v[0], v[1]); }, {a, b});
        require_gradcheck([](Tape<double>&, const Vars& v) { return sub(v[0], v[1]); }, {a, b});
        require_gradcheck([](Tape<double>&, const Vars& v) { return mul(v[0], v[1]); }, {a, b});
        require_gradcheck([](Tape<double>&, const Vars& v) { return div(v[0], v[1]); }, {a, nz});
    }
}

TEST_CASE("mul: the same Var on both sides gets both contributions (d x² = 2x)",
          "[ops][elementwise][gradcheck]")
{
    Tape<double> tape;
    auto x = tape.variable(Tensor<double>{-1.5, 2.0});
    tape.backward(sum(x * x));
    REQUIRE(x.grad() == Tensor<double>{-3.0, 4.0});
    require_gradcheck([](Tape<double>&, const Vars& v) { return div(v[0], v[0] * v[0]); },
                      {away_from_zero({2, 3}, 1)});
}

TEST_CASE("neg and scalar forms: gradients pass gradcheck", "[ops][elementwise][gradcheck]")
{
    for (const Shape& s : {Shape{2, 3}, Shape{}, Shape{3, 1, 2}}) {
        INFO("shape " << shape_str(s));
        const Tensor<double> x = randn(s, 7);
        const Tensor<double> nz = away_from_zero(s, 8);
        require_gradcheck([](Tape<double>&, const Vars& v) { return neg(v[0]); }, {x});
        require_gradcheck([](Tape<double>&, const Vars& v) { return add_scalar(v[0], 2.5); }, {x});
        require_gradcheck([](Tape<double>&, const Vars& v) { return mul_scalar(v[0], -1.5); }, {x});
        require_gradcheck([](Tape<double>&, const Vars& v) { return rsub_scalar(v[0], 0.7); }, {x});
        require_gradcheck([](Tape<double>&, const Vars& v) { return rdiv_scalar(v[0], 1.3); },
                          {nz});
        require_gradcheck([](Tape<double>&, const Vars& v) { return v[0] / 4.0 - 1.0; }, {x});
    }
}

TEST_CASE("elementwise: float forward matches the double one", "[ops][elementwise]")
{
    Tape<float> tape;
    auto a = tape.variable(Tensor<float>{{1, 2, 3}, {4, 5, 6}});
    auto b = tape.variable(Tensor<float>{2, 4, 8});
    REQUIRE((a + b).value() == Tensor<float>{{3, 6, 11}, {6, 9, 14}});
    REQUIRE((a * b).value() == Tensor<float>{{2, 8, 24}, {8, 20, 48}});
    REQUIRE((a / b).value() == Tensor<float>{{0.5f, 0.5f, 0.375f}, {2, 1.25f, 0.75f}});
    REQUIRE((a - b).value() == Tensor<float>{{-1, -2, -5}, {2, 1, -2}});
}

TEST_CASE("add, sub, mul, div: shapes that do not broadcast name the op and both shapes",
          "[ops][elementwise][errors]")
{
    Tape<double> tape;
    auto a = tape.variable(randn({2, 3}, 1));
    auto b = tape.variable(randn({4}, 2));
    auto c = tape.variable(randn({3, 3}, 3));
    REQUIRE_THROWS_AS(a + b, Error);
    REQUIRE_THROWS_WITH(add(a, b), Catch::Contains("add") && Catch::Contains("[2,3]") &&
                                       Catch::Contains("[4]"));
    REQUIRE_THROWS_WITH(sub(a, b), Catch::Contains("sub") && Catch::Contains("[2,3]") &&
                                       Catch::Contains("[4]"));
    REQUIRE_THROWS_WITH(mul(a, b), Catch::Contains("mul") && Catch::Contains("[2,3]") &&
                                       Catch::Contains("[4]"));
    REQUIRE_THROWS_WITH(div(a, b), Catch::Contains("div") && Catch::Contains("[2,3]") &&
                                       Catch::Contains("[4]"));
    REQUIRE_THROWS_WITH(mul(a, c), Catch::Contains("mul") && Catch::Contains("[2,3]") &&
                                       Catch::Contains("[3,3]"));
}

TEST_CASE("div: a zero divisor is an error, not an inf", "[ops][elementwise][errors]")
{
    Tape<double> tape;
    auto a = tape.variable(randn({2, 3}, 1));
    auto b = tape.variable(Tensor<double>{1.0, 0.0, 2.0});
    REQUIRE_THROWS_AS(a / b, Error);
    REQUIRE_THROWS_WITH(a / b, Catch::Contains("div") && Catch::Contains("zero") &&
                                   Catch::Contains("[3]"));
    auto z = tape.variable(Tensor<double>{{1, 2}, {0, 3}});
    REQUIRE_THROWS_WITH(1.0 / z, Catch::Contains("rdiv_scalar") && Catch::Contains("[2,2]"));
    REQUIRE_THROWS_WITH(a / 0.0, Catch::Contains("div") && Catch::Contains("[2,3]"));
}
