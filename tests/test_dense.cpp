#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "check.hpp"
#include "layers/dense.hpp"

using namespace elman;
using elman::test::randn;
using elman::test::require_gradcheck;

TEST_CASE("dense: parameter count is in·out + out", "[dense]")
{
    const std::vector<std::pair<std::size_t, std::size_t>> shapes{
        {1, 1}, {4, 1}, {32, 1}, {5, 7}, {128, 64}};
    for (auto [in, out] : shapes) {
        for (bool bias : {true, false}) {
            INFO("in " << in << " out " << out << " bias " << bias);
            Dense<float> d({.units = out, .use_bias = bias});
            d.build({in});
            std::size_t stored = 0;
            for (auto* p : d.parameters()) stored += p->value.size();
            REQUIRE(stored == in * out + (bias ? out : 0));
            REQUIRE(d.param_count() == stored);
        }
    }
    Dense<float> d({.units = 1});
    d.build({12, 4});
    REQUIRE(d.param_formula() == "4·1 + 1");
    REQUIRE(d.param_count() == 5);
}

TEST_CASE("dense: y = act(x·kernel + bias) on [B,F] and per time step on [B,T,F]", "[dense]")
{
    for (Activation act : {Activation::linear, Activation::tanh, Activation::relu,
                           Activation::sigmoid, Activation::hard_sigmoid,
                           Activation::hard_sigmoid_keras2}) {
        INFO(to_string(act));
        Dense<double> d({.units = 3, .activation = act, .seed = 4});
        d.set_weights({randn({2, 3}, 1), randn({3}, 2)});
        const Tensor<double> x2 = randn({4, 2}, 3);
        const Tensor<double> x3 = randn({2, 5, 2}, 4);
        Tape<double> tape;
        const Tensor<double> y2 = d.forward(tape, tape.constant(x2)).value();
        const Tensor<double> y3 = d.forward(tape, tape.constant(x3)).value();
        REQUIRE(y2.shape() == std::vector<std::size_t>{4, 3});
        REQUIRE(y3.shape() == std::vector<std::size_t>{2, 5, 3});
        const auto& w = d.kernel.value;
        const auto& b = d.bias.value;
        auto f = [&](double a) {
            switch (act) {
            case Activation::tanh: return std::tanh(a);
            case Activation::relu: return a > 0 ? a : 0.0;
            case Activation::sigmoid: return 1 / (1 + std::exp(-a));
            case Activation::linear: return a;
            case Activation::softmax: break;  // not elementwise: its own test case below
            case Activation::hard_sigmoid: return std::clamp(a / 6 + 0.5, 0.0, 1.0);
            case Activation::hard_sigmoid_keras2: return std::clamp(0.2 * a + 0.5, 0.0, 1.0);
            }
            return a;
        };
        for (std::size_t r = 0; r < 4; ++r)
            for (std::size_t j = 0; j < 3; ++j)
                REQUIRE(y2(r, j) ==
                        Approx(f(x2(r, 0) * w(0, j) + x2(r, 1) * w(1, j) + b(j))).epsilon(1e-12));
        for (std::size_t r = 0; r < 2; ++r)
            for (std::size_t t = 0; t < 5; ++t)
                for (std::size_t j = 0; j < 3; ++j)
                    REQUIRE(y3(r, t, j) == Approx(f(x3(r, t, 0) * w(0, j) +
                                                    x3(r, t, 1) * w(1, j) + b(j)))
                                               .epsilon(1e-12));
    }
}

TEST_CASE("dense: softmax activation gives a distribution over units per row and per time step",
          "[dense][softmax]")
{
    Dense<double> d({.units = 4, .activation = Activation::softmax, .seed = 2});
    d.set_weights({randn({3, 4}, 1), randn({4}, 2)});
    const Tensor<double> x = randn({2, 5, 3}, 3);
    Tape<double> tape;
    const Tensor<double> y = d.forward(tape, tape.constant(x)).value();
    REQUIRE(y.shape() == std::vector<std::size_t>{2, 5, 4});
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t t = 0; t < 5; ++t) {
            double z = 0, s = 0;
            std::vector<double> a(4);
            for (std::size_t j = 0; j < 4; ++j) {
                a[j] = d.bias.value(j);
                for (std::size_t f = 0; f < 3; ++f) a[j] += x(b, t, f) * d.kernel.value(f, j);
                z += std::exp(a[j]);
            }
            for (std::size_t j = 0; j < 4; ++j) {
                REQUIRE(y(b, t, j) == Approx(std::exp(a[j]) / z).epsilon(1e-12));
                s += y(b, t, j);
            }
            REQUIRE(s == Approx(1.0).epsilon(1e-14));
        }
    require_gradcheck([&](Tape<double>& t, const auto& v) { return d.forward(t, v[0]); },
                      {randn({3, 3}, 4)}, d.parameters());
}

TEST_CASE("dense: kernel is glorot_uniform and bias zeros, by seed", "[dense]")
{
    Dense<double> a({.units = 8, .seed = 3}), b({.units = 8, .seed = 3}), c({.units = 8, .seed = 4});
    for (auto* d : {&a, &b, &c}) d->build({6});
    const double limit = std::sqrt(6.0 / (6 + 8));
    for (double v : a.kernel.value) REQUIRE(std::abs(v) <= limit);
    REQUIRE((a.kernel.value == b.kernel.value));
    REQUIRE((a.kernel.value != c.kernel.value));
    for (double v : a.bias.value) REQUIRE(v == 0.0);
    REQUIRE(a.kernel.name == "dense/kernel");
}

TEST_CASE("dense: gradcheck on 2-D and 3-D inputs, with and without bias", "[dense][gradcheck]")
{
    for (bool bias : {true, false})
        for (Activation act : {Activation::linear, Activation::tanh, Activation::sigmoid}) {
            INFO(to_string(act) << " bias " << bias);
            Dense<double> d({.units = 3, .activation = act, .use_bias = bias, .seed = 1});
            d.build({2});
            if (bias) d.bias.value = randn({3}, 5);
            for (const Shape& s : {Shape{4, 2}, Shape{2, 3, 2}})
                test::require_gradcheck(
                    [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
                        return d.forward(tape, in[0]);
                    },
                    {randn(s, 6)}, d.parameters());
        }
}

TEST_CASE("dense: set_weights / get_weights round trip and its errors", "[dense]")
{
    Dense<double> d({.units = 2});
    const Tensor<double> k = randn({3, 2}, 1);
    const Tensor<double> b = randn({2}, 2);
    d.set_weights({k, b});
    REQUIRE(d.built());
    const auto w = d.get_weights();
    REQUIRE(w.size() == 2);
    REQUIRE((w[0] == k));
    REQUIRE((w[1] == b));
    REQUIRE_THROWS_WITH(d.set_weights({k}),
                        Catch::Contains("dense") && Catch::Contains("expects 2") &&
                            Catch::Contains("got 1"));
    REQUIRE_THROWS_WITH(d.set_weights({randn({4, 2}, 1), b}),
                        Catch::Contains("kernel has shape [4,2]") && Catch::Contains("[3,2]"));
    REQUIRE_THROWS_WITH(d.set_weights({k, randn({3}, 1)}),
                        Catch::Contains("bias has shape [3]") && Catch::Contains("[2]"));
    Tape<double> tape;
    REQUIRE_THROWS_WITH(d.forward(tape, tape.constant(randn({2, 5}, 1))),
                        Catch::Contains("dense") && Catch::Contains("5 features") &&
                            Catch::Contains("[3,2]"));
    REQUIRE_THROWS_WITH(d.forward(tape, tape.constant(randn({5}, 1))),
                        Catch::Contains("dense") && Catch::Contains("[5]"));
    REQUIRE_THROWS_WITH(Dense<double>({.units = 0}), Catch::Contains("units"));
}
