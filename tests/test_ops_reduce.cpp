#include <catch2/catch.hpp>

#include "check.hpp"

using namespace elman;
using elman::test::randn;
using elman::test::require_gradcheck;

using Vars = std::vector<Var<double>>;

TEST_CASE("sum, mean: whole tensor gives a 0-D result", "[ops][reduce]")
{
    Tape<double> tape;
    auto x = tape.variable(Tensor<double>{{1, 2}, {3, 4}});
    auto s = sum(x);
    auto m = mean(x);
    REQUIRE(s.shape().empty());
    REQUIRE(s.item() == 10.0);
    REQUIRE(m.shape().empty());
    REQUIRE(m.item() == 2.5);
}

TEST_CASE("sum, mean: along an axis, negative axes counting from the end", "[ops][reduce]")
{
    Tape<double> tape;
    auto x = tape.variable(Tensor<double>{{1, 2}, {3, 4}});
    REQUIRE(sum(x, 0).value() == Tensor<double>{4, 6});
    REQUIRE(sum(x, 1).value() == Tensor<double>{3, 7});
    REQUIRE(sum(x, -1).value() == Tensor<double>{3, 7});
    REQUIRE(sum(x, -2).value() == Tensor<double>{4, 6});
    REQUIRE(mean(x, 0).value() == Tensor<double>{2, 3});
    REQUIRE(mean(x, -1).value() == Tensor<double>{1.5, 3.5});
    // x3[i, j, k] = 6i + 2j + k:  Σ_j = [[0+2+4, 1+3+5], [6+8+10, 7+9+11]]
    Tensor<double> x3{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    x3.reshape({2, 3, 2});
    auto v = tape.variable(x3);
    REQUIRE(sum(v, 1).value() == Tensor<double>{{6, 9}, {24, 27}});
    REQUIRE(sum(v, 0).value() == Tensor<double>{{6, 8}, {10, 12}, {14, 16}});
    REQUIRE(sum(v, 2).value() == Tensor<double>{{1, 5, 9}, {13, 17, 21}});
    REQUIRE(mean(v, 1).value() == Tensor<double>{{2, 3}, {8, 9}});
    auto one = tape.variable(Tensor<double>{1, 2, 3});
    auto r = sum(one, 0);
    REQUIRE(r.shape().empty());
    REQUIRE(r.item() == 6.0);
}

TEST_CASE("sum, mean: backward spreads dy evenly (1 for sum, 1/N for mean)", "[ops][reduce]")
{
    Tape<double> tape;
    auto x = tape.variable(randn({2, 4}, 1));
    tape.backward(mean(x));
    REQUIRE(x.grad() == Tensor<double>(xt::ones<double>({2, 4}) * 0.125));
}

TEST_CASE("sum, mean: gradients pass gradcheck whole and along every axis",
          "[ops][reduce][gradcheck]")
{
    const Tensor<double> x = randn({2, 3, 4}, 10);
    require_gradcheck([](Tape<double>&, const Vars& v) { return sum(v[0]); }, {x});
    require_gradcheck([](Tape<double>&, const Vars& v) { return mean(v[0]); }, {x});
    require_gradcheck([](Tape<double>&, const Vars& v) { return sum(v[0]); }, {randn({}, 11)});
    require_gradcheck([](Tape<double>&, const Vars& v) { return mean(tanh(v[0])); },
                      {randn({5}, 12)});
    for (int axis = -3; axis < 3; ++axis) {
        INFO("axis " << axis);
        require_gradcheck([axis](Tape<double>&, const Vars& v) { return sum(v[0], axis); }, {x});
        require_gradcheck([axis](Tape<double>&, const Vars& v) { return mean(v[0], axis); }, {x});
    }
    // Reductions chained: a mean over the batch of a sum over time.
    require_gradcheck(
        [](Tape<double>&, const Vars& v) { return mean(sum(square(v[0]), 1), 0); }, {x});
}

TEST_CASE("sum, mean: float forward", "[ops][reduce]")
{
    Tape<float> tape;
    auto x = tape.variable(Tensor<float>{{1, 2}, {3, 4}});
    REQUIRE(sum(x).item() == 10.0f);
    REQUIRE(mean(x, 0).value() == Tensor<float>{2, 3});
}

TEST_CASE("sum, mean: an axis out of range names the op, axis and shape",
          "[ops][reduce][errors]")
{
    Tape<double> tape;
    auto x = tape.variable(randn({2, 3}, 20));
    REQUIRE_THROWS_AS(sum(x, 2), Error);
    REQUIRE_THROWS_WITH(sum(x, 2), Catch::Contains("sum") && Catch::Contains("axis 2") &&
                                       Catch::Contains("[2,3]"));
    REQUIRE_THROWS_WITH(sum(x, -3), Catch::Contains("sum") && Catch::Contains("axis -3") &&
                                        Catch::Contains("[2,3]"));
    REQUIRE_THROWS_WITH(mean(x, 5), Catch::Contains("mean") && Catch::Contains("axis 5") &&
                                        Catch::Contains("[2,3]"));
    auto s = tape.variable(scalar_tensor(1.0));
    REQUIRE_THROWS_WITH(sum(s, 0), Catch::Contains("sum") && Catch::Contains("[]"));
    auto empty = tape.variable(Tensor<double>::from_shape({0, 3}));
    REQUIRE_THROWS_WITH(mean(empty), Catch::Contains("mean") && Catch::Contains("[0,3]"));
    REQUIRE_THROWS_WITH(mean(empty, 0), Catch::Contains("mean") && Catch::Contains("[0,3]"));
}
