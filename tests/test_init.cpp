#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include <xtensor/xmath.hpp>
#include <xtensor/xsort.hpp>

#include "core/error.hpp"
#include "core/init.hpp"

using namespace elman;

namespace {

template <class T>
double sample_mean(const Tensor<T>& t)
{
    double s = 0;
    for (T v : t) s += v;
    return s / static_cast<double>(t.size());
}

template <class T>
double sample_var(const Tensor<T>& t)
{
    const double m = sample_mean(t);
    double s = 0;
    for (T v : t) s += (v - m) * (v - m);
    return s / static_cast<double>(t.size() - 1);
}

// The largest |(AᵀA − I)[i,j]| for A:[rows,cols] (columns orthonormal), or of AAᵀ − I when
// `rows_orthonormal`. Plain loops: no BLAS in tests.
template <class T>
double orthonormality_error(const Tensor<T>& a, std::size_t rows, std::size_t cols,
                            bool rows_orthonormal)
{
    const std::size_t n = rows_orthonormal ? rows : cols;
    const std::size_t len = rows_orthonormal ? cols : rows;
    auto at = [&](std::size_t vec, std::size_t e) -> double {
        return rows_orthonormal ? a.data()[vec * cols + e] : a.data()[e * cols + vec];
    };
    double worst = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            double dot = 0;
            for (std::size_t e = 0; e < len; ++e) dot += at(i, e) * at(j, e);
            worst = std::max(worst, std::abs(dot - (i == j ? 1.0 : 0.0)));
        }
    return worst;
}

}  // namespace

TEST_CASE("Rng: the stream is the standard's mt19937_64", "[init]")
{
    for (std::uint64_t seed : {0ULL, 42ULL, 5489ULL}) {
        Rng rng(seed);
        std::mt19937_64 ref(seed);
        for (int i = 0; i < 1000; ++i) REQUIRE(rng.next_u64() == ref());  // crosses a twist
    }
    // [rand.predef]: the 10000th output of a default-constructed mt19937_64 (seed 5489).
    Rng rng(5489);
    for (int i = 0; i < 9999; ++i) rng.next_u64();
    REQUIRE(rng.next_u64() == 9981545732273789042ULL);
}

TEST_CASE("Rng: uniform() lies in 0 <= u < 1, below(n) under n, below(0) throws", "[init]")
{
    Rng rng(1);
    double lo = 1, hi = 0;
    std::uint64_t top = 0;
    for (int i = 0; i < 10000; ++i) {
        const double u = rng.uniform();
        lo = std::min(lo, u);
        hi = std::max(hi, u);
        top = std::max(top, rng.below(7));
    }
    REQUIRE(lo >= 0.0);
    REQUIRE(hi < 1.0);
    REQUIRE(top == 6);
    REQUIRE_THROWS_AS(rng.below(0), Error);
}

TEST_CASE("zeros, ones: every element, the given shape", "[init]")
{
    const auto z = zeros<float>({2, 3});
    const auto o = ones<double>({4});
    REQUIRE(z.shape() == std::vector<std::size_t>{2, 3});
    REQUIRE(o.shape() == std::vector<std::size_t>{4});
    REQUIRE(xt::amax(xt::abs(z))() == 0.0f);
    REQUIRE(xt::amin(o)() == 1.0);
    REQUIRE(xt::amax(o)() == 1.0);
}

TEST_CASE("uniform: values from minval up to maxval with mean (a+b)/2 and variance (b−a)²/12",
          "[init]")
{
    const double a = -0.5, b = 1.5;
    const auto t = uniform<double>({200, 500}, a, b, 7);
    REQUIRE(xt::amin(t)() >= a);
    REQUIRE(xt::amax(t)() < b);
    // n = 1e5: the standard error of the mean is sqrt(1/3)/316 ≈ 0.0018; of the variance ~0.4%.
    REQUIRE(sample_mean(t) == Approx(0.5).margin(0.01));
    REQUIRE(sample_var(t) == Approx(4.0 / 12.0).epsilon(0.02));
}

TEST_CASE("normal: mean and standard deviation as asked", "[init]")
{
    const auto t = normal<double>({100000}, 2.0, 0.5, 8);
    // Standard errors: 0.5/316 ≈ 0.0016 for the mean, ~0.45% for the variance.
    REQUIRE(sample_mean(t) == Approx(2.0).margin(0.01));
    REQUIRE(std::sqrt(sample_var(t)) == Approx(0.5).epsilon(0.01));
    const auto f = normal<float>({50000}, 0.0f, 0.05f, 9);  // Keras RandomNormal defaults
    REQUIRE(std::sqrt(sample_var(f)) == Approx(0.05).epsilon(0.02));
}

TEST_CASE("glorot_uniform: U(−l, l) with l = sqrt(6 / (fan_in + fan_out))", "[init]")
{
    const std::size_t fan_in = 200, fan_out = 300;
    const double l = std::sqrt(6.0 / (fan_in + fan_out));
    const auto w = glorot_uniform<double>({fan_in, fan_out}, 3);
    const double lo = xt::amin(w)(), hi = xt::amax(w)();
    REQUIRE(hi <= l);
    REQUIRE(lo >= -l);
    // 60000 draws reach within 0.1% of both bounds.
    REQUIRE(hi > 0.999 * l);
    REQUIRE(lo < -0.999 * l);
    // Mean 0 (standard error 0.0024 l), variance l²/3 (standard error 0.36%).
    REQUIRE(sample_mean(w) == Approx(0.0).margin(0.01 * l));
    REQUIRE(sample_var(w) == Approx(l * l / 3.0).epsilon(0.02));

    // A bias-like 1-D shape [n] uses fan_in = fan_out = n.
    const auto b = glorot_uniform<float>({6}, 4);
    for (float v : b) REQUIRE(std::abs(v) <= static_cast<float>(std::sqrt(6.0 / 12.0)));
}

TEST_CASE("orthogonal: WᵀW = I for square and tall, WWᵀ = I for wide (double to 1e-12)",
          "[init]")
{
    const auto sq = orthogonal<double>({16, 16}, 1);
    REQUIRE(orthonormality_error(sq, 16, 16, false) < 1e-12);
    REQUIRE(orthonormality_error(sq, 16, 16, true) < 1e-12);
    const auto tall = orthogonal<double>({20, 8}, 2);
    REQUIRE(tall.shape() == std::vector<std::size_t>{20, 8});
    REQUIRE(orthonormality_error(tall, 20, 8, false) < 1e-12);
    const auto wide = orthogonal<double>({8, 20}, 3);
    REQUIRE(wide.shape() == std::vector<std::size_t>{8, 20});
    REQUIRE(orthonormality_error(wide, 8, 20, true) < 1e-12);
    // Higher rank is flattened to [Π shape[:-1], shape[-1]] = [6, 4].
    const auto cube = orthogonal<double>({2, 3, 4}, 4);
    REQUIRE(cube.shape() == std::vector<std::size_t>{2, 3, 4});
    REQUIRE(orthonormality_error(cube, 6, 4, false) < 1e-12);
}

TEST_CASE("orthogonal: float weights are orthonormal to 1e-5 and agree with double", "[init]")
{
    const auto sq = orthogonal<float>({32, 32}, 5);
    REQUIRE(orthonormality_error(sq, 32, 32, false) < 1e-5);
    const auto tall = orthogonal<float>({40, 10}, 6);
    REQUIRE(orthonormality_error(tall, 40, 10, false) < 1e-5);
    const auto wide = orthogonal<float>({10, 40}, 7);
    REQUIRE(orthonormality_error(wide, 10, 40, true) < 1e-5);
    const auto d = orthogonal<double>({40, 10}, 6);
    double worst = 0;
    for (std::size_t i = 0; i < d.size(); ++i)
        worst = std::max(worst, std::abs(tall.data()[i] - d.data()[i]));
    REQUIRE(worst < 1e-6);
}

TEST_CASE("orthogonal: gain scales the matrix (WᵀW = gain²·I)", "[init]")
{
    const auto w = orthogonal<double>({5, 5}, 8, 2.0);
    double dot00 = 0, dot01 = 0;
    for (std::size_t e = 0; e < 5; ++e) {
        dot00 += w(e, 0) * w(e, 0);
        dot01 += w(e, 0) * w(e, 1);
    }
    REQUIRE(dot00 == Approx(4.0).epsilon(1e-12));
    REQUIRE(dot01 == Approx(0.0).margin(1e-12));
}

TEST_CASE("initializers: the same seed gives bit-identical tensors, another seed does not",
          "[init]")
{
    REQUIRE(bool(uniform<float>({50}, -1, 1, 11) == uniform<float>({50}, -1, 1, 11)));
    REQUIRE(bool(normal<double>({50}, 0, 1, 11) == normal<double>({50}, 0, 1, 11)));
    REQUIRE(bool(glorot_uniform<float>({4, 6}, 11) == glorot_uniform<float>({4, 6}, 11)));
    REQUIRE(bool(orthogonal<double>({6, 6}, 11) == orthogonal<double>({6, 6}, 11)));
    REQUIRE_FALSE(bool(uniform<float>({50}, -1, 1, 11) == uniform<float>({50}, -1, 1, 12)));
    REQUIRE_FALSE(bool(normal<double>({50}, 0, 1, 11) == normal<double>({50}, 0, 1, 12)));
    REQUIRE_FALSE(bool(glorot_uniform<float>({4, 6}, 11) == glorot_uniform<float>({4, 6}, 12)));
    REQUIRE_FALSE(bool(orthogonal<double>({6, 6}, 11) == orthogonal<double>({6, 6}, 12)));
}

TEST_CASE("initializers: bad arguments name the function and the shape or value", "[init][errors]")
{
    REQUIRE_THROWS_AS(uniform<double>({3}, 1.0, -1.0, 0), Error);
    REQUIRE_THROWS_WITH(uniform<double>({3}, 1.0, -1.0, 0), Catch::Contains("uniform"));
    REQUIRE_THROWS_WITH(normal<double>({3}, 0.0, -0.1, 0),
                        Catch::Contains("normal") && Catch::Contains("stddev"));
    REQUIRE_THROWS_WITH(glorot_uniform<float>({2, 3, 4}, 0),
                        Catch::Contains("glorot_uniform") && Catch::Contains("[2,3,4]"));
    REQUIRE_THROWS_WITH(glorot_uniform<float>({}, 0),
                        Catch::Contains("glorot_uniform") && Catch::Contains("[]"));
    REQUIRE_THROWS_WITH(orthogonal<float>({5}, 0),
                        Catch::Contains("orthogonal") && Catch::Contains("[5]"));
}
