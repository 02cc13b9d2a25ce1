// The in-place activations of the fused SimpleRNN path (layers/activation.hpp). The float loops
// are compiled once per instruction set and chosen by the CPU (core/simd.hpp); these tests run
// whichever clone this machine picks and check it against std::tanh and against itself.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <catch2/catch.hpp>

#include "layers/activation.hpp"
#include "layers/simple_rnn.hpp"

using namespace elman;

namespace {

// Distance in units in the last place between two finite floats of the same sign.
std::int64_t ulps(float a, float b)
{
    return std::abs(static_cast<std::int64_t>(std::bit_cast<std::int32_t>(a)) -
                    static_cast<std::int64_t>(std::bit_cast<std::int32_t>(b)));
}

// 4001 points on [-10, 10] plus edge cases: tiny, the clamp, ±0.
std::vector<float> inputs()
{
    std::vector<float> x;
    for (int i = -2000; i <= 2000; ++i) x.push_back(static_cast<float>(i) * 0.005f);
    for (float v : {1e-30f, -3e-4f, 4e-4f, 7.9f, 7.91f, -7.91f, 20.0f, -1e30f, 0.0f, -0.0f})
        x.push_back(v);
    return x;
}

}  // namespace

TEST_CASE("activation: float tanh is within 8 ulp of std::tanh and exactly ±1 in the tails",
          "[activation]")
{
    std::vector<float> y = inputs();
    const std::vector<float> x = y;
    activate_inplace(Activation::tanh, y.data(), y.size());
    std::int64_t worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const float expected = std::tanh(x[i]);
        if (expected == 0.0f) {
            REQUIRE(y[i] == 0.0f);
            continue;
        }
        worst = std::max(worst, ulps(y[i], expected));
    }
    INFO("worst error " << worst << " ulp");
    REQUIRE(worst <= 8);  // 5 measured on this grid
    REQUIRE(y[x.size() - 3] == -1.0f);  // tanh(-1e30)
    REQUIRE(y[x.size() - 4] == 1.0f);   // tanh(20)
}

TEST_CASE("activation: float tanh passes NaN through and maps ±inf to ±1", "[activation]")
{
    std::vector<float> y{std::numeric_limits<float>::quiet_NaN(),
                         std::numeric_limits<float>::infinity(),
                         -std::numeric_limits<float>::infinity()};
    activate_inplace(Activation::tanh, y.data(), y.size());
    REQUIRE(std::isnan(y[0]));
    REQUIRE(y[1] == 1.0f);
    REQUIRE(y[2] == -1.0f);
}

// The SIMD blocks and the scalar remainder must round alike (no fused multiply-add in one and
// not the other), or a value's result would depend on its position in the buffer.
TEST_CASE("activation: float tanh and its derivative give the same bits in SIMD blocks and one "
          "at a time",
          "[activation]")
{
    const std::vector<float> x = inputs();
    std::vector<float> blocked = x;
    activate_inplace(Activation::tanh, blocked.data(), blocked.size());
    std::vector<float> g_blocked(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) g_blocked[i] = 0.5f + x[i];
    std::vector<float> g_single = g_blocked;
    multiply_by_derivative(Activation::tanh, blocked.data(), g_blocked.data(), x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        float one = x[i];
        activate_inplace(Activation::tanh, &one, 1);
        REQUIRE(std::bit_cast<std::uint32_t>(one) == std::bit_cast<std::uint32_t>(blocked[i]));
        multiply_by_derivative(Activation::tanh, &one, &g_single[i], 1);
        REQUIRE(std::bit_cast<std::uint32_t>(g_single[i]) ==
                std::bit_cast<std::uint32_t>(g_blocked[i]));
    }
}

TEST_CASE("activation: relu, sigmoid and linear in place match their definitions",
          "[activation]")
{
    const std::vector<float> x{-2.0f, -0.0f, 0.0f, 0.25f, 3.0f, -5.0f, 1.0f, 2.0f,
                               -1.0f, 0.5f,  4.0f, -3.0f, 6.0f,  -6.0f, 7.0f, 0.1f, -0.1f};
    for (Activation a : {Activation::relu, Activation::sigmoid, Activation::linear}) {
        std::vector<float> y = x;
        activate_inplace(a, y.data(), y.size());
        for (std::size_t i = 0; i < x.size(); ++i) {
            const float expected = a == Activation::relu      ? (x[i] > 0.0f ? x[i] : 0.0f)
                                   : a == Activation::sigmoid ? 1.0f / (1.0f + std::exp(-x[i]))
                                                              : x[i];
            REQUIRE(y[i] == expected);
        }
    }
}

TEST_CASE("activation: softmax is parsed by its Keras name, applied by Dense and refused where "
          "an elementwise one is needed", "[activation][softmax]")
{
    REQUIRE(parse_activation("softmax") == Activation::softmax);
    REQUIRE(to_string(Activation::softmax) == "softmax");
    REQUIRE_FALSE(is_elementwise(Activation::softmax));
    REQUIRE(is_elementwise(Activation::tanh));
    REQUIRE_THROWS_WITH(parse_activation("softmx"),
                        Catch::Contains("expected tanh, relu, sigmoid, linear or softmax"));
    float y[3] = {1, 2, 3};
    REQUIRE_THROWS_WITH(activate_inplace(Activation::softmax, y, 3),
                        Catch::Contains("activate_inplace: activation softmax is not elementwise"));
    REQUIRE_THROWS_WITH(multiply_by_derivative(Activation::softmax, y, y, 3),
                        Catch::Contains("not elementwise"));
    // Keras accepts SimpleRNN(activation="softmax"); elman refuses it, pointing at Dense
    REQUIRE_THROWS_WITH(SimpleRNN<float>({.units = 4, .activation = Activation::softmax}),
                        Catch::Contains("simple_rnn: activation softmax is not supported") &&
                            Catch::Contains("Dense(units, softmax)"));
}
