#include <catch2/catch.hpp>

#include "check.hpp"

using namespace elman;
using elman::test::randn;
using elman::test::require_gradcheck;

using Vars = std::vector<Var<double>>;

namespace {

// x[i, j, k] = 100 i + 10 j + k: every element names its own position.
Tensor<double> positional(std::size_t a, std::size_t b, std::size_t c)
{
    Tensor<double> x = Tensor<double>::from_shape({a, b, c});
    for (std::size_t i = 0; i < a; ++i)
        for (std::size_t j = 0; j < b; ++j)
            for (std::size_t k = 0; k < c; ++k) x(i, j, k) = 100.0 * i + 10.0 * j + k;
    return x;
}

}  // namespace

TEST_CASE("reshape: keeps the row-major order of the elements", "[ops][shape]")
{
    Tape<double> tape;
    auto x = tape.variable(Tensor<double>{{1, 2, 3}, {4, 5, 6}});
    REQUIRE(reshape(x, {3, 2}).value() == Tensor<double>{{1, 2}, {3, 4}, {5, 6}});
    REQUIRE(reshape(x, {6}).value() == Tensor<double>{1, 2, 3, 4, 5, 6});
    auto one = tape.variable(Tensor<double>{7.0});
    auto s = reshape(one, {});
    REQUIRE(s.shape().empty());
    REQUIRE(s.item() == 7.0);
}

TEST_CASE("reshape: gradients pass gradcheck", "[ops][shape][gradcheck]")
{
    require_gradcheck([](Tape<double>&, const Vars& v) { return reshape(v[0], {4, 6}); },
                      {randn({2, 3, 4}, 1)});
    require_gradcheck([](Tape<double>&, const Vars& v) { return tanh(reshape(v[0], {2, 3})); },
                      {randn({6}, 2)});
    require_gradcheck([](Tape<double>&, const Vars& v) { return reshape(v[0], {1, 1}); },
                      {randn({}, 3)});
}

TEST_CASE("transpose: 2-D swaps rows and columns", "[ops][shape]")
{
    Tape<double> tape;
    auto x = tape.variable(Tensor<double>{{1, 2, 3}, {4, 5, 6}});
    REQUIRE(transpose(x).value() == Tensor<double>{{1, 4}, {2, 5}, {3, 6}});
    REQUIRE(transpose(x, {1, 0}).value() == Tensor<double>{{1, 4}, {2, 5}, {3, 6}});
    auto same = transpose(x, {0, 1});
    REQUIRE(same.value() == x.value());
}

TEST_CASE("transpose: a permutation moves each axis where it says", "[ops][shape]")
{
    Tape<double> tape;
    auto x = tape.variable(positional(2, 3, 4));
    auto y = transpose(x, {2, 0, 1}).value();  // y[k, i, j] = x[i, j, k]
    REQUIRE(y.shape() == std::vector<std::size_t>{4, 2, 3});
    auto r = transpose(x).value();  // r[k, j, i] = x[i, j, k]
    REQUIRE(r.shape() == std::vector<std::size_t>{4, 3, 2});
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 3; ++j)
            for (std::size_t k = 0; k < 4; ++k) {
                REQUIRE(y(k, i, j) == 100.0 * i + 10.0 * j + k);
                REQUIRE(r(k, j, i) == 100.0 * i + 10.0 * j + k);
            }
}

TEST_CASE("transpose: gradients pass gradcheck", "[ops][shape][gradcheck]")
{
    require_gradcheck([](Tape<double>&, const Vars& v) { return transpose(v[0]); },
                      {randn({3, 5}, 4)});
    require_gradcheck([](Tape<double>&, const Vars& v) { return transpose(v[0], {2, 0, 1}); },
                      {randn({2, 3, 4}, 5)});
    require_gradcheck([](Tape<double>&, const Vars& v) { return transpose(v[0], {1, 2, 0}); },
                      {randn({2, 3, 4}, 6)});
    require_gradcheck([](Tape<double>&, const Vars& v) { return transpose(v[0]); },
                      {randn({2, 3, 4}, 7)});
    require_gradcheck([](Tape<double>&, const Vars& v) { return transpose(v[0]); },
                      {randn({4}, 8)});
    require_gradcheck([](Tape<double>&, const Vars& v) { return transpose(v[0]); },
                      {randn({}, 9)});
}

TEST_CASE("select: picks one slice along an axis and removes the axis", "[ops][shape]")
{
    Tape<double> tape;
    auto x = tape.variable(positional(2, 3, 4));
    // select(x, 1, 2)[i, k] = x[i, 2, k] = 100 i + 20 + k
    REQUIRE(select(x, 1, 2).value() ==
            Tensor<double>{{20, 21, 22, 23}, {120, 121, 122, 123}});
    // select(x, 0, 1)[j, k] = 100 + 10 j + k
    REQUIRE(select(x, 0, 1).value() ==
            Tensor<double>{{100, 101, 102, 103}, {110, 111, 112, 113}, {120, 121, 122, 123}});
    // select(x, -1, 3)[i, j] = 100 i + 10 j + 3
    REQUIRE(select(x, -1, 3).value() == Tensor<double>{{3, 13, 23}, {103, 113, 123}});
    auto first_neg = select(x, -3, 0);
    auto first = select(x, 0, 0);
    REQUIRE(first_neg.value() == first.value());
    auto v = tape.variable(Tensor<double>{5, 6, 7});
    auto e = select(v, 0, 2);
    REQUIRE(e.shape().empty());
    REQUIRE(e.item() == 7.0);
}

TEST_CASE("select: the gradient lands in the selected slice only", "[ops][shape]")
{
    Tape<double> tape;
    auto x = tape.variable(randn({2, 3}, 10));
    tape.backward(sum(select(x, 1, 1)));
    REQUIRE(x.grad() == Tensor<double>{{0, 1, 0}, {0, 1, 0}});
}

TEST_CASE("select: gradients pass gradcheck along every axis", "[ops][shape][gradcheck]")
{
    for (int axis = -3; axis < 3; ++axis) {
        INFO("axis " << axis);
        require_gradcheck(
            [axis](Tape<double>&, const Vars& v) { return select(v[0], axis, 1); },
            {randn({2, 3, 4}, 11)});
    }
    // Every step of a sequence selected and recombined: each element's gradient sums uses.
    require_gradcheck(
        [](Tape<double>&, const Vars& v) {
            return mul(select(v[0], 1, 0), select(v[0], 1, 2));
        },
        {randn({2, 3, 2}, 12)});
}

TEST_CASE("stack: joins along a new axis", "[ops][shape]")
{
    Tape<double> tape;
    auto a = tape.variable(Tensor<double>{1, 2});
    auto b = tape.variable(Tensor<double>{3, 4});
    auto c = tape.variable(Tensor<double>{5, 6});
    REQUIRE(stack<double>({a, b, c}, 0).value() == Tensor<double>{{1, 2}, {3, 4}, {5, 6}});
    REQUIRE(stack<double>({a, b, c}, 1).value() == Tensor<double>{{1, 3, 5}, {2, 4, 6}});
    REQUIRE(stack<double>({a, b, c}, -1).value() == Tensor<double>{{1, 3, 5}, {2, 4, 6}});
    REQUIRE(stack<double>({a, b, c}, -2).value() == Tensor<double>{{1, 2}, {3, 4}, {5, 6}});
    auto s = tape.variable(scalar_tensor(8.0));
    auto t = tape.variable(scalar_tensor(9.0));
    REQUIRE(stack<double>({s, t}, 0).value() == Tensor<double>{8, 9});
}

TEST_CASE("stack: [B,F] steps stacked on axis 1 give [B,T,F] that select takes apart",
          "[ops][shape]")
{
    Tape<double> tape;
    Vars steps;
    for (std::size_t t = 0; t < 4; ++t) steps.push_back(tape.variable(randn({2, 3}, 20 + t)));
    auto seq = stack(steps, 1);
    REQUIRE(seq.shape() == Shape{2, 4, 3});
    for (std::size_t t = 0; t < 4; ++t) {
        // Record first: a new node may move the tape's storage under earlier value() references.
        auto x_t = select(seq, 1, t);
        REQUIRE(x_t.value() == steps[t].value());
    }
}

TEST_CASE("stack: gradients pass gradcheck at every axis", "[ops][shape][gradcheck]")
{
    for (int axis = -3; axis < 3; ++axis) {
        INFO("axis " << axis);
        require_gradcheck(
            [axis](Tape<double>&, const Vars& v) {
                return stack<double>({v[0], v[1], v[2]}, axis);
            },
            {randn({2, 3}, 30), randn({2, 3}, 31), randn({2, 3}, 32)});
    }
    // The same Var twice: both slices' gradients add into it.
    require_gradcheck(
        [](Tape<double>&, const Vars& v) { return tanh(stack<double>({v[0], v[1], v[0]}, 0)); },
        {randn({3}, 33), randn({3}, 34)});
    require_gradcheck(
        [](Tape<double>&, const Vars& v) { return stack<double>({v[0], v[1]}, 0); },
        {randn({}, 35), randn({}, 36)});
}

TEST_CASE("stack: a constant among the inputs gets no gradient", "[ops][shape]")
{
    Tape<double> tape;
    auto k = tape.constant(Tensor<double>{1, 2});
    auto x = tape.variable(Tensor<double>{3, 4});
    auto y = stack<double>({k, x}, 0);
    tape.backward(sum(mul(y, y)));
    REQUIRE(x.grad() == Tensor<double>{6, 8});  // d/dx Σ x² = 2x
    REQUIRE_FALSE(k.has_grad());
}

TEST_CASE("concat: joins along an existing axis", "[ops][shape]")
{
    Tape<double> tape;
    auto a = tape.variable(Tensor<double>{{1, 2}});
    auto b = tape.variable(Tensor<double>{{3, 4}, {5, 6}});
    REQUIRE(concat<double>({a, b}, 0).value() == Tensor<double>{{1, 2}, {3, 4}, {5, 6}});
    Tensor<double> column{1, 2};
    column.reshape({2, 1});  // [[1],[2]] (a brace literal of one-element rows is ambiguous)
    auto c = tape.variable(column);
    REQUIRE(concat<double>({c, b}, 1).value() == Tensor<double>{{1, 3, 4}, {2, 5, 6}});
    REQUIRE(concat<double>({b, c}, -1).value() == Tensor<double>{{3, 4, 1}, {5, 6, 2}});
    auto alone = concat<double>({b}, 0);
    REQUIRE(alone.value() == b.value());
}

TEST_CASE("concat: gradients pass gradcheck", "[ops][shape][gradcheck]")
{
    require_gradcheck(
        [](Tape<double>&, const Vars& v) { return concat<double>({v[0], v[1]}, 1); },
        {randn({2, 1, 3}, 40), randn({2, 4, 3}, 41)});
    require_gradcheck(
        [](Tape<double>&, const Vars& v) { return concat<double>({v[0], v[1], v[2]}, 0); },
        {randn({1, 3}, 42), randn({2, 3}, 43), randn({3, 3}, 44)});
    require_gradcheck(
        [](Tape<double>&, const Vars& v) { return concat<double>({v[0], v[1]}, -1); },
        {randn({2, 3}, 45), randn({2, 2}, 46)});
    require_gradcheck(
        [](Tape<double>&, const Vars& v) { return concat<double>({v[0], v[1], v[0]}, -3); },
        {randn({2, 2, 3}, 47), randn({1, 2, 3}, 48)});
}

TEST_CASE("shape ops: an RNN step composed from select, matmul, tanh and stack passes gradcheck",
          "[ops][shape][gradcheck]")
{
    // h_t = tanh(x_t·W + h_{t-1}·U),  x:[B=2,T=3,F=2] W:[2,4] U:[4,4] -> stack(h_t, 1):[2,3,4]
    require_gradcheck(
        [](Tape<double>& tape, const Vars& v) {
            auto h = tape.constant(Tensor<double>(xt::zeros<double>({2, 4})));
            Vars hs;
            for (std::size_t t = 0; t < 3; ++t) {
                h = tanh(matmul(select(v[0], 1, t), v[1]) + matmul(h, v[2]));
                hs.push_back(h);
            }
            return stack(hs, 1);
        },
        {randn({2, 3, 2}, 50), randn({2, 4}, 51), Tensor<double>(0.3 * randn({4, 4}, 52))});
}

TEST_CASE("shape ops: float forward agrees with double", "[ops][shape]")
{
    Tape<float> tape;
    auto x = tape.variable(Tensor<float>{{1, 2, 3}, {4, 5, 6}});
    REQUIRE(transpose(x).value() == Tensor<float>{{1, 4}, {2, 5}, {3, 6}});
    REQUIRE(select(x, 0, 1).value() == Tensor<float>{4, 5, 6});
    REQUIRE(reshape(x, {3, 2}).value() == Tensor<float>{{1, 2}, {3, 4}, {5, 6}});
    REQUIRE(stack<float>({x, x}, 0).shape() == Shape{2, 2, 3});
    REQUIRE(concat<float>({x, x}, 1).value() ==
            Tensor<float>{{1, 2, 3, 1, 2, 3}, {4, 5, 6, 4, 5, 6}});
}

TEST_CASE("reshape: a size mismatch names both shapes", "[ops][shape][errors]")
{
    Tape<double> tape;
    auto x = tape.variable(randn({2, 3}, 60));
    REQUIRE_THROWS_AS(reshape(x, {4}), Error);
    REQUIRE_THROWS_WITH(reshape(x, {4}), Catch::Contains("reshape") &&
                                             Catch::Contains("[2,3]") && Catch::Contains("[4]"));
    REQUIRE_THROWS_WITH(reshape(x, {}), Catch::Contains("reshape") && Catch::Contains("[]"));
}

TEST_CASE("transpose: an invalid permutation names it and the shape", "[ops][shape][errors]")
{
    Tape<double> tape;
    auto x = tape.variable(randn({2, 3, 4}, 61));
    REQUIRE_THROWS_WITH(transpose(x, {0, 0, 1}), Catch::Contains("transpose") &&
                                                    Catch::Contains("[0,0,1]") &&
                                                    Catch::Contains("[2,3,4]"));
    REQUIRE_THROWS_WITH(transpose(x, {1, 0}),
                        Catch::Contains("transpose") && Catch::Contains("[2,3,4]"));
    REQUIRE_THROWS_WITH(transpose(x, {0, 1, 3}),
                        Catch::Contains("transpose") && Catch::Contains("[2,3,4]"));
}

TEST_CASE("select: a bad axis or index names the op, axis, index and shape",
          "[ops][shape][errors]")
{
    Tape<double> tape;
    auto x = tape.variable(randn({2, 3}, 62));
    REQUIRE_THROWS_AS(select(x, 2, 0), Error);
    REQUIRE_THROWS_WITH(select(x, 2, 0), Catch::Contains("select") &&
                                             Catch::Contains("axis 2") && Catch::Contains("[2,3]"));
    REQUIRE_THROWS_WITH(select(x, -3, 0), Catch::Contains("select") &&
                                              Catch::Contains("axis -3") &&
                                              Catch::Contains("[2,3]"));
    REQUIRE_THROWS_WITH(select(x, 1, 3),
                        Catch::Contains("select") && Catch::Contains("index 3") &&
                            Catch::Contains("axis 1") && Catch::Contains("[2,3]"));
    auto s = tape.variable(scalar_tensor(1.0));
    REQUIRE_THROWS_WITH(select(s, 0, 0), Catch::Contains("select") && Catch::Contains("[]"));
}

TEST_CASE("stack: different shapes, an empty list or a bad axis name the op and shapes",
          "[ops][shape][errors]")
{
    Tape<double> tape;
    auto a = tape.variable(randn({2, 3}, 63));
    auto b = tape.variable(randn({3, 2}, 64));
    REQUIRE_THROWS_AS(stack<double>({a, b}, 0), Error);
    REQUIRE_THROWS_WITH(stack<double>({a, b}, 0), Catch::Contains("stack") &&
                                                     Catch::Contains("[2,3]") &&
                                                     Catch::Contains("[3,2]"));
    REQUIRE_THROWS_WITH(stack(Vars{}, 0), Catch::Contains("stack") && Catch::Contains("empty"));
    REQUIRE_THROWS_WITH(stack<double>({a, a}, 3), Catch::Contains("stack") &&
                                                     Catch::Contains("axis 3") &&
                                                     Catch::Contains("[2,3]"));
    REQUIRE_THROWS_WITH(stack<double>({a, a}, -4),
                        Catch::Contains("stack") && Catch::Contains("axis -4"));
}

TEST_CASE("concat: mismatched shapes, an empty list or a bad axis name the op and shapes",
          "[ops][shape][errors]")
{
    Tape<double> tape;
    auto a = tape.variable(randn({2, 3}, 65));
    auto b = tape.variable(randn({3, 3}, 66));
    auto c = tape.variable(randn({2, 3, 1}, 67));
    REQUIRE_NOTHROW(concat<double>({a, b}, 0));
    REQUIRE_THROWS_AS(concat<double>({a, b}, 1), Error);
    REQUIRE_THROWS_WITH(concat<double>({a, b}, 1), Catch::Contains("concat") &&
                                                      Catch::Contains("[2,3]") &&
                                                      Catch::Contains("[3,3]"));
    REQUIRE_THROWS_WITH(concat<double>({a, c}, 0), Catch::Contains("concat") &&
                                                      Catch::Contains("[2,3]") &&
                                                      Catch::Contains("[2,3,1]"));
    REQUIRE_THROWS_WITH(concat(Vars{}, 0), Catch::Contains("concat") && Catch::Contains("empty"));
    REQUIRE_THROWS_WITH(concat<double>({a, a}, 2), Catch::Contains("concat") &&
                                                      Catch::Contains("axis 2") &&
                                                      Catch::Contains("[2,3]"));
}
