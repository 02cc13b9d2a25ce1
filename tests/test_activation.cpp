// The in-place activations of the fused SimpleRNN path (layers/activation.hpp). The float loops
// are compiled once per instruction set and chosen by the CPU (core/simd.hpp); these tests run
// whichever clone this machine picks and check it against std::tanh and against itself.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include "check.hpp"
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
                        Catch::Contains("expected tanh, relu, sigmoid, linear, softmax, "
                                        "hard_sigmoid or hard_sigmoid_keras2"));
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

TEST_CASE("activation: hard_sigmoid is Keras 3's relu6(x + 3) / 6, hard_sigmoid_keras2 Keras 2's "
          "clip(0.2x + 0.5, 0, 1)", "[activation][hard_sigmoid]")
{
    // Keras 3's docstring: 0 for x <= −3, 1 for x >= 3, x/6 + 0.5 between; Keras 2's (the
    // tf.keras documentation's example): [-3, -1, 0, 1, 3] -> [0, 0.3, 0.5, 0.7, 1].
    const std::vector<double> x{-7.0, -3.0, -2.5, -1.0, 0.0, 1.0, 2.5, 3.0, 7.0, -0.3, 1.7};
    std::vector<double> k3 = x, k2 = x;
    activate_inplace(Activation::hard_sigmoid, k3.data(), k3.size());
    activate_inplace(Activation::hard_sigmoid_keras2, k2.data(), k2.size());
    const std::vector<double> want3{0.0, 0.0, 0.5 / 6, 2.0 / 6, 0.5, 4.0 / 6, 5.5 / 6, 1.0, 1.0,
                                    2.7 / 6, 4.7 / 6};
    const std::vector<double> want2{0.0, 0.0, 0.0, 0.3, 0.5, 0.7, 1.0, 1.0, 1.0, 0.44, 0.84};
    for (std::size_t i = 0; i < x.size(); ++i) {
        INFO("x = " << x[i]);
        REQUIRE(k3[i] == Approx(want3[i]).margin(1e-15));
        REQUIRE(k2[i] == Approx(want2[i]).margin(1e-15));
    }
    // The two definitions differ: a Keras 2 model read with Keras 3's would be wrong.
    REQUIRE(std::abs(k3[5] - k2[5]) > 0.03);

    REQUIRE(parse_activation("hard_sigmoid") == Activation::hard_sigmoid);
    REQUIRE(parse_activation("hard_sigmoid_keras2") == Activation::hard_sigmoid_keras2);
    REQUIRE(to_string(Activation::hard_sigmoid) == "hard_sigmoid");
    REQUIRE(to_string(Activation::hard_sigmoid_keras2) == "hard_sigmoid_keras2");
    REQUIRE(is_elementwise(Activation::hard_sigmoid));
    REQUIRE(is_elementwise(Activation::hard_sigmoid_keras2));

    std::vector<float> nan{std::numeric_limits<float>::quiet_NaN()};
    activate_inplace(Activation::hard_sigmoid, nan.data(), 1);
    REQUIRE(std::isnan(nan[0]));
}

TEST_CASE("activation: the hard sigmoids' derivatives from the output are the slope inside and "
          "0 at and beyond the kinks", "[activation][hard_sigmoid]")
{
    for (auto [a, slope, kink] : {std::tuple{Activation::hard_sigmoid, 1.0 / 6, 3.0},
                                  std::tuple{Activation::hard_sigmoid_keras2, 0.2, 2.5}}) {
        INFO(to_string(a));
        // inside, at the kinks (one-sided value from outside: 0), beyond them
        const std::vector<double> x{-kink - 1, -kink, -kink + 0.25, 0.0, kink - 0.25, kink,
                                    kink + 1};
        const std::vector<double> want{0, 0, slope, slope, slope, 0, 0};
        std::vector<double> y = x, g(x.size(), 2.0);
        activate_inplace(a, y.data(), y.size());
        multiply_by_derivative(a, y.data(), g.data(), g.size());
        for (std::size_t i = 0; i < x.size(); ++i) {
            INFO("x = " << x[i]);
            REQUIRE(g[i] == Approx(2.0 * want[i]).margin(1e-15));
        }
        // away from the kinks the derivative is the finite difference of the forward
        for (double v = -kink - 2; v <= kink + 2; v += 0.37) {
            if (std::abs(std::abs(v) - kink) < 1e-3) continue;
            double lo = v - 1e-6, hi = v + 1e-6, d = 1.0, yv = v;
            activate_inplace(a, &lo, 1);
            activate_inplace(a, &hi, 1);
            activate_inplace(a, &yv, 1);
            multiply_by_derivative(a, &yv, &d, 1);
            REQUIRE(d == Approx((hi - lo) / 2e-6).margin(1e-8));
        }
    }
}

TEST_CASE("activation: the hard sigmoids as tape ops pass gradcheck and match the in-place form "
          "bit for bit", "[activation][hard_sigmoid][gradcheck]")
{
    // Values spread over both flat parts and the slope, none within 0.05 of a kink.
    Tensor<double> x = test::randn({4, 5}, 21) * 3.0;
    for (double& v : x)
        for (double kink : {3.0, 2.5})
            if (std::abs(std::abs(v) - kink) < 0.05) v += 0.1;
    for (Activation a : {Activation::hard_sigmoid, Activation::hard_sigmoid_keras2}) {
        INFO(to_string(a));
        Tape<double> tape;
        const Tensor<double> y = activate(tape.constant(x), a).value();
        Tensor<double> inplace = x;
        activate_inplace(a, inplace.data(), inplace.size());
        REQUIRE((y == inplace));
        test::require_gradcheck(
            [&](Tape<double>&, const std::vector<Var<double>>& in) {
                return sum(activate(in[0], a) * activate(in[0], a));
            },
            {x});
    }
}

TEST_CASE("activation: a SimpleRNN with hard_sigmoid gives the same answer on both paths",
          "[activation][hard_sigmoid]")
{
    const Tensor<double> x = test::randn({2, 5, 3}, 22);
    std::vector<Tensor<double>> out, dx;
    for (bool fused : {true, false}) {
        SimpleRNN<double> rnn({.units = 4, .activation = Activation::hard_sigmoid,
                               .return_sequences = true, .seed = 3, .fused = fused});
        Tape<double> tape;
        const Var<double> xv = tape.variable(x);
        const Var<double> y = rnn.forward(tape, xv);
        tape.backward(sum(y * y));
        out.push_back(y.value());
        dx.push_back(xv.grad());
    }
    test::require_close(out[0], out[1], 1e-14);
    test::require_close(dx[0], dx[1], 1e-14);
}

TEST_CASE("activation: float sigmoid is within 2 ulp of the exact σ, saturates to 0 and 1 and "
          "passes NaN through", "[activation]")
{
    std::vector<float> x;
    for (int i = -20000; i <= 20000; ++i) x.push_back(static_cast<float>(i) * 0.005f);
    for (float v : {-87.5f, -87.0f, -86.9f, 88.7f, 100.0f, -1e30f, 1e30f, 1e-30f, -0.0f})
        x.push_back(v);
    std::vector<float> y = x;
    activate_inplace(Activation::sigmoid, y.data(), y.size());
    std::int64_t worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double exact = 1.0 / (1.0 + std::exp(-static_cast<double>(x[i])));
        INFO("x = " << x[i] << ": " << y[i] << " against " << exact);
        REQUIRE(y[i] >= 0.0f);
        REQUIRE(y[i] <= 1.0f);
        if (x[i] < -87.0f) {  // beyond the clamp: σ(−87) = 1.65e−38, as good as 0
            REQUIRE(y[i] <= 1.7e-38f);
            continue;
        }
        worst = std::max(worst, ulps(y[i], static_cast<float>(exact)));
    }
    INFO("worst error " << worst << " ulp");
    REQUIRE(worst <= 2);
    REQUIRE(y[y.size() - 3] == 1.0f);  // σ(1e30)
    std::vector<float> nan{std::numeric_limits<float>::quiet_NaN()};
    activate_inplace(Activation::sigmoid, nan.data(), 1);
    REQUIRE(std::isnan(nan[0]));
    // blocks of 16 and one at a time give the same bits
    for (std::size_t i = 0; i < 100; ++i) {
        float one = x[i * 397];
        activate_inplace(Activation::sigmoid, &one, 1);
        REQUIRE(std::bit_cast<std::uint32_t>(one) == std::bit_cast<std::uint32_t>(y[i * 397]));
    }
}
