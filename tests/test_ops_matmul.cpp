#include <catch2/catch.hpp>

#include "check.hpp"

using namespace elman;
using elman::test::randn;
using elman::test::require_gradcheck;

using Vars = std::vector<Var<double>>;

TEST_CASE("matmul: 2-D product by hand", "[ops][matmul]")
{
    Tape<double> tape;
    auto a = tape.variable(Tensor<double>{{1, 2}, {3, 4}});
    Tensor<double> bv{5, 6};
    bv.reshape({2, 1});
    auto b = tape.variable(bv);
    // [[1·5 + 2·6], [3·5 + 4·6]] = [[17], [39]]
    Tensor<double> expected{17, 39};
    expected.reshape({2, 1});
    REQUIRE(matmul(a, b).value() == expected);
    // [1,3]·[3,2]: [1 2 3]·[[1 0],[0 1],[1 1]] = [[4, 5]]
    auto r = tape.variable(Tensor<double>{{1, 2, 3}});
    auto m = tape.variable(Tensor<double>{{1, 0}, {0, 1}, {1, 1}});
    REQUIRE(matmul(r, m).value() == Tensor<double>{{4, 5}});
}

TEST_CASE("matmul: backward is dy·bᵀ and aᵀ·dy", "[ops][matmul]")
{
    Tape<double> tape;
    auto a = tape.variable(Tensor<double>{{1, 2}, {3, 4}});
    auto b = tape.variable(Tensor<double>{{5, 6}, {7, 8}});
    tape.backward(sum(matmul(a, b)));
    // dy = ones: da[i,k] = Σ_n b[k,n] = row sums of b;  db[k,n] = Σ_i a[i,k] = column sums of a
    REQUIRE(a.grad() == Tensor<double>{{11, 15}, {11, 15}});
    REQUIRE(b.grad() == Tensor<double>{{4, 4}, {6, 6}});
}

TEST_CASE("matmul: 3-D [B,T,F]·[F,U] applies the matrix at every step", "[ops][matmul]")
{
    Tape<double> tape;
    // a:[2,1,2] = [[[1,2]], [[3,4]]],  w:[2,3] = [[1,0,2],[0,1,1]]
    Tensor<double> av{1, 2, 3, 4};
    av.reshape({2, 1, 2});
    auto a = tape.variable(av);
    auto w = tape.variable(Tensor<double>{{1, 0, 2}, {0, 1, 1}});
    Tensor<double> expected{1, 2, 4, 3, 4, 10};
    expected.reshape({2, 1, 3});
    REQUIRE(matmul(a, w).value() == expected);

    // Every [b, t] row equals the 2-D product of that row.
    auto x = tape.variable(randn({3, 4, 5}, 1));
    auto k = tape.variable(randn({5, 2}, 2));
    auto y = matmul(x, k);
    REQUIRE(y.shape() == Shape{3, 4, 2});
    for (std::size_t b = 0; b < 3; ++b)
        for (std::size_t t = 0; t < 4; ++t)
            for (std::size_t u = 0; u < 2; ++u) {
                double s = 0;
                for (std::size_t f = 0; f < 5; ++f) s += x.value()(b, t, f) * k.value()(f, u);
                REQUIRE(y.value()(b, t, u) == Approx(s).epsilon(1e-14));
            }
}

TEST_CASE("matmul: gradients pass gradcheck, square and not, 2-D and 3-D",
          "[ops][matmul][gradcheck]")
{
    const auto mm = [](Tape<double>&, const Vars& v) { return matmul(v[0], v[1]); };
    require_gradcheck(mm, {randn({3, 3}, 10), randn({3, 3}, 11)});
    require_gradcheck(mm, {randn({3, 4}, 12), randn({4, 2}, 13)});
    require_gradcheck(mm, {randn({1, 5}, 14), randn({5, 1}, 15)});
    require_gradcheck(mm, {randn({5, 1}, 16), randn({1, 4}, 17)});
    require_gradcheck(mm, {randn({2, 3, 4}, 18), randn({4, 5}, 19)});
    require_gradcheck(mm, {randn({1, 1, 3}, 20), randn({3, 2}, 21)});
    // The same matrix on both sides: W·W gets both gradients.
    require_gradcheck([](Tape<double>&, const Vars& v) { return matmul(v[0], v[0]); },
                      {randn({3, 3}, 22)});
}

TEST_CASE("matmul: a constant operand gets no gradient and the other one does",
          "[ops][matmul]")
{
    Tape<double> tape;
    auto x = tape.constant(Tensor<double>{{1, 2}});
    Tensor<double> wv{3, 4};
    wv.reshape({2, 1});
    auto w = tape.variable(wv);
    tape.backward(sum(matmul(x, w)));
    // dw = xᵀ·dy = [[1], [2]]
    REQUIRE(w.grad()(0, 0) == 1.0);
    REQUIRE(w.grad()(1, 0) == 2.0);
    REQUIRE_FALSE(x.has_grad());
}

TEST_CASE("matmul: float forward", "[ops][matmul]")
{
    Tape<float> tape;
    auto a = tape.variable(Tensor<float>{{1, 2}, {3, 4}});
    auto b = tape.variable(Tensor<float>{{5, 6}, {7, 8}});
    // [[1·5+2·7, 1·6+2·8], [3·5+4·7, 3·6+4·8]]
    REQUIRE(matmul(a, b).value() == Tensor<float>{{19, 22}, {43, 50}});
}

TEST_CASE("matmul: inner-dimension mismatch and wrong ranks name both shapes",
          "[ops][matmul][errors]")
{
    Tape<double> tape;
    auto a = tape.variable(randn({2, 3}, 1));
    auto b = tape.variable(randn({4, 5}, 2));
    REQUIRE_THROWS_AS(matmul(a, b), Error);
    REQUIRE_THROWS_WITH(matmul(a, b), Catch::Contains("matmul") && Catch::Contains("[2,3]") &&
                                          Catch::Contains("[4,5]"));
    auto v = tape.variable(randn({3}, 3));
    REQUIRE_THROWS_WITH(matmul(v, b), Catch::Contains("matmul") && Catch::Contains("[3]") &&
                                          Catch::Contains("[4,5]"));
    REQUIRE_THROWS_WITH(matmul(a, v), Catch::Contains("matmul") && Catch::Contains("[2,3]") &&
                                          Catch::Contains("[3]"));
    auto x4 = tape.variable(randn({1, 2, 3, 4}, 4));
    REQUIRE_THROWS_WITH(matmul(x4, b), Catch::Contains("matmul") &&
                                           Catch::Contains("[1,2,3,4]"));
    auto x3 = tape.variable(randn({2, 3, 4}, 5));
    auto w3 = tape.variable(randn({2, 4, 5}, 6));
    REQUIRE_THROWS_WITH(matmul(x3, w3), Catch::Contains("matmul") &&
                                            Catch::Contains("[2,3,4]") &&
                                            Catch::Contains("[2,4,5]"));
    REQUIRE_THROWS_WITH(matmul(x3, a), Catch::Contains("matmul") && Catch::Contains("[2,3,4]") &&
                                           Catch::Contains("[2,3]"));
}

TEST_CASE("affine: a·b + c equals add(matmul(a, b), c), value and every gradient",
          "[ops][matmul][affine]")
{
    for (const Shape& as : {Shape{3, 4}, Shape{2, 3, 4}, Shape{1, 4}}) {
        const Tensor<double> av = randn(as, 31), bv = randn({4, 5}, 32), cv = randn({5}, 33);
        const Tensor<double> dy = randn([&] { Shape s = as; s.back() = 5; return s; }(), 34);
        Tape<double> t1, t2;
        auto a1 = t1.variable(av), b1 = t1.variable(bv), c1 = t1.variable(cv);
        auto a2 = t2.variable(av), b2 = t2.variable(bv), c2 = t2.variable(cv);
        const auto y1 = affine(a1, b1, c1);
        const auto y2 = add(matmul(a2, b2), c2);
        REQUIRE(y1.shape() == y2.shape());
        REQUIRE(xt::allclose(y1.value(), y2.value(), 1e-14, 1e-14));
        t1.backward(y1, dy);
        t2.backward(y2, dy);
        REQUIRE(xt::allclose(a1.grad(), a2.grad(), 1e-14, 1e-14));
        REQUIRE(xt::allclose(b1.grad(), b2.grad(), 1e-14, 1e-14));
        REQUIRE(xt::allclose(c1.grad(), c2.grad(), 1e-14, 1e-14));
    }
}

TEST_CASE("affine: gradients pass gradcheck, 2-D and 3-D", "[ops][matmul][affine][gradcheck]")
{
    const auto f = [](Tape<double>&, const Vars& v) { return affine(v[0], v[1], v[2]); };
    require_gradcheck(f, {randn({3, 4}, 40), randn({4, 2}, 41), randn({2}, 42)});
    require_gradcheck(f, {randn({2, 3, 4}, 43), randn({4, 5}, 44), randn({5}, 45)});
    require_gradcheck(f, {randn({1, 1}, 46), randn({1, 1}, 47), randn({1}, 48)});
}

TEST_CASE("affine: shapes that do not fit name all three", "[ops][matmul][affine][errors]")
{
    Tape<double> tape;
    auto a = tape.variable(randn({2, 3}, 1));
    auto b = tape.variable(randn({3, 4}, 2));
    auto c = tape.variable(randn({5}, 3));
    REQUIRE_THROWS_WITH(affine(a, b, c), Catch::Contains("affine") && Catch::Contains("[2,3]") &&
                                             Catch::Contains("[3,4]") && Catch::Contains("[5]"));
    auto b2 = tape.variable(randn({4, 5}, 4));
    REQUIRE_THROWS_WITH(affine(a, b2, c), Catch::Contains("affine") && Catch::Contains("[4,5]"));
    auto c2 = tape.variable(randn({1, 4}, 5));
    REQUIRE_THROWS_AS(affine(a, b, c2), Error);
}
