#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "check.hpp"

using namespace elman;
using elman::test::randn;

using Vars = std::vector<Var<double>>;

namespace {

// y = x³ with the correct backward: dx += dy ⊙ 3x²
Var<double> cube(const Var<double>& x)
{
    Tensor<double> y = x.value() * x.value() * x.value();
    return record<double>("cube", std::move(y), {x}, [](BackwardContext<double>& c) {
        c.add_grad(0, 3.0 * c.grad() * c.input(0) * c.input(0));
    });
}

// y = x³ with a deliberately wrong backward: dx += dy ⊙ 2x (the derivative of x², not x³)
Var<double> cube_wrong(const Var<double>& x)
{
    Tensor<double> y = x.value() * x.value() * x.value();
    return record<double>("cube_wrong", std::move(y), {x}, [](BackwardContext<double>& c) {
        c.add_grad(0, 2.0 * c.grad() * c.input(0));
    });
}

// y = a ⊙ b whose backward forgets b's gradient altogether.
Var<double> mul_forgets_b(const Var<double>& a, const Var<double>& b)
{
    Tensor<double> y = a.value() * b.value();
    return record<double>("mul_forgets_b", std::move(y), {a, b}, [](BackwardContext<double>& c) {
        c.add_grad(0, c.grad() * c.input(1));
    });
}

// y = x, but the backward returns NaN.
Var<double> nan_backward(const Var<double>& x)
{
    Tensor<double> y = x.value();
    return record<double>("nan_backward", std::move(y), {x}, [](BackwardContext<double>& c) {
        c.add_grad(0, c.grad() * std::numeric_limits<double>::quiet_NaN());
    });
}

}  // namespace

TEST_CASE("gradcheck: passes on correct ops and reports every input", "[gradcheck]")
{
    const auto report = gradcheck(
        [](Tape<double>&, const Vars& v) { return sum(tanh(matmul(v[0], v[1])) * v[2]); },
        {randn({2, 3}, 1), randn({3, 4}, 2), randn({4}, 3)});
    INFO(report.str());
    REQUIRE(report.passed);
    REQUIRE(report.inputs.size() == 3);
    REQUIRE(report.inputs[0].name == "input 0");
    REQUIRE(report.inputs[2].name == "input 2");
    REQUIRE(report.inputs[1].shape == Shape{3, 4});
    for (const auto& r : report.inputs) {
        REQUIRE(r.passed);
        REQUIRE(r.max_rel_error < 1e-6);
    }
}

TEST_CASE("gradcheck: a user's own op recorded with a correct backward passes", "[gradcheck]")
{
    const auto report =
        gradcheck([](Tape<double>&, const Vars& v) { return cube(v[0]); }, {randn({2, 3}, 4)});
    INFO(report.str());
    REQUIRE(report.passed);
}

TEST_CASE("gradcheck: a wrong backward fails, naming the input, position and both gradients",
          "[gradcheck]")
{
    // L = Σ x³ with dL/dx claimed as 2x: errors |2x − 3x²| are 1, 8, 21 at x = 1, 2, 3, so the
    // worst is position [2]: analytic 6, numeric 27.
    const auto report =
        gradcheck([](Tape<double>&, const Vars& v) { return sum(cube_wrong(v[0])); },
                  {Tensor<double>{1.0, 2.0, 3.0}});
    REQUIRE_FALSE(report.passed);
    REQUIRE(report.inputs.size() == 1);
    const auto& r = report.inputs[0];
    REQUIRE_FALSE(r.passed);
    REQUIRE(r.name == "input 0");
    REQUIRE(r.worst == Shape{2});
    REQUIRE(r.analytic == Approx(6.0).epsilon(1e-12));
    REQUIRE(r.numeric == Approx(27.0).epsilon(1e-6));
    REQUIRE(r.max_abs_error == Approx(21.0).epsilon(1e-6));
    REQUIRE(r.max_rel_error == Approx(21.0 / 27.0).epsilon(1e-6));
    const std::string s = report.str();
    REQUIRE_THAT(s, Catch::Contains("FAILED") && Catch::Contains("input 0") &&
                        Catch::Contains("[2]") && Catch::Contains("analytic 6") &&
                        Catch::Contains("numeric 27"));
}

TEST_CASE("gradcheck: a wrong backward fails for a non-scalar output too (projection)",
          "[gradcheck]")
{
    const auto report = gradcheck([](Tape<double>&, const Vars& v) { return cube_wrong(v[0]); },
                                  {randn({3, 2}, 5)});
    REQUIRE_FALSE(report.passed);
    REQUIRE(report.inputs[0].worst.size() == 2);
    REQUIRE(report.inputs[0].worst[0] < 3);
    REQUIRE(report.inputs[0].worst[1] < 2);
    // ...while the correct op on the same non-scalar output passes.
    REQUIRE(gradcheck([](Tape<double>&, const Vars& v) { return cube(v[0]); }, {randn({3, 2}, 5)})
                .passed);
}

TEST_CASE("gradcheck: only the input with the wrong gradient fails", "[gradcheck]")
{
    const auto report = gradcheck(
        [](Tape<double>&, const Vars& v) { return sum(mul_forgets_b(v[0], v[1])); },
        {randn({2, 2}, 6), randn({2, 2}, 7)});
    INFO(report.str());
    REQUIRE_FALSE(report.passed);
    REQUIRE(report.inputs[0].passed);
    REQUIRE_FALSE(report.inputs[1].passed);
    // The missing gradient of b is 0 analytically and a (= dL/db) numerically.
    const auto& r = report.inputs[1];
    REQUIRE(r.analytic == 0.0);
    REQUIRE(r.numeric != Approx(0.0).margin(1e-3));
    REQUIRE_THAT(report.str(), Catch::Contains("input 0") && Catch::Contains("input 1"));
}

TEST_CASE("gradcheck: a NaN gradient fails", "[gradcheck]")
{
    const auto report = gradcheck(
        [](Tape<double>&, const Vars& v) { return sum(nan_backward(v[0])); }, {randn({3}, 8)});
    REQUIRE_FALSE(report.passed);
    REQUIRE(std::isnan(report.inputs[0].analytic));
}

TEST_CASE("gradcheck: parameters are perturbed through tape.param and checked", "[gradcheck]")
{
    Parameter<double> w{"kernel", randn({3, 2}, 9), {}};
    Parameter<double> b{"bias", randn({2}, 10), {}};
    const Tensor<double> w0 = w.value, b0 = b.value;
    const auto report = gradcheck(
        [&](Tape<double>& tape, const Vars& v) {
            return mean(square(tanh(matmul(v[0], tape.param(w)) + tape.param(b))));
        },
        {randn({4, 3}, 11)}, {&w, &b});
    INFO(report.str());
    REQUIRE(report.passed);
    REQUIRE(report.inputs.size() == 3);
    REQUIRE(report.inputs[1].name == "kernel");
    REQUIRE(report.inputs[1].shape == Shape{3, 2});
    REQUIRE(report.inputs[2].name == "bias");
    const std::string s = report.str();
    REQUIRE_THAT(s, Catch::Contains("input 0") && Catch::Contains("kernel") &&
                        Catch::Contains("bias"));
    // Perturbations are undone exactly.
    REQUIRE(bool(w.value == w0));
    REQUIRE(bool(b.value == b0));
}

TEST_CASE("gradcheck: a wrong backward reached through a parameter fails and names it",
          "[gradcheck]")
{
    Parameter<double> w{"recurrent_kernel", Tensor<double>{0.5, -1.5, 2.0}, {}};
    const auto report = gradcheck(
        [&](Tape<double>& tape, const Vars& v) { return sum(cube_wrong(tape.param(w)) * v[0]); },
        {randn({3}, 12)}, {&w});
    INFO(report.str());
    REQUIRE_FALSE(report.passed);
    REQUIRE(report.inputs[0].passed);  // d/dv = w³ is right
    REQUIRE_FALSE(report.inputs[1].passed);
    REQUIRE(report.inputs[1].name == "recurrent_kernel");
    REQUIRE_THAT(report.str(), Catch::Contains("recurrent_kernel") && Catch::Contains("FAILED"));
}

TEST_CASE("gradcheck: an input that does not reach the output has gradient zero and passes",
          "[gradcheck]")
{
    const auto report = gradcheck([](Tape<double>&, const Vars& v) { return sum(exp(v[0])); },
                                  {randn({2}, 13), randn({3}, 14)});
    INFO(report.str());
    REQUIRE(report.passed);
    REQUIRE(report.inputs[1].max_abs_error == 0.0);
}

TEST_CASE("gradcheck: the inputs given are left untouched", "[gradcheck]")
{
    const std::vector<Tensor<double>> inputs{randn({2, 3}, 15)};
    const Tensor<double> copy = inputs[0];
    gradcheck([](Tape<double>&, const Vars& v) { return sum(square(v[0])); }, inputs);
    REQUIRE(bool(inputs[0] == copy));
}
