#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "optim/clipping.hpp"

using namespace elman;

namespace {

// Gradients [3, 4] and [12]: global norm sqrt(9 + 16 + 144) = 13.
struct Grads {
    Parameter<double> a{"a", Tensor<double>{0.0, 0.0}, Tensor<double>{3.0, 4.0}};
    Parameter<double> b{"b", Tensor<double>{0.0}, Tensor<double>{12.0}};
    Parameter<double> none{"none", Tensor<double>{0.0, 0.0, 0.0}, {}};  // never touched
    std::vector<Parameter<double>*> all() { return {&a, &b, &none}; }
};

}  // namespace

TEST_CASE("clip_grad_norm: scales all gradients together to max_norm and returns the old norm", "[clipping]")
{
    Grads g;
    const double norm = clip_grad_norm(g.all(), 6.5);
    REQUIRE(norm == Approx(13.0).epsilon(1e-15));
    const double c = 6.5 / (13.0 + 1e-6);  // torch's coefficient
    REQUIRE(g.a.grad(0) == Approx(3.0 * c).epsilon(1e-15));
    REQUIRE(g.a.grad(1) == Approx(4.0 * c).epsilon(1e-15));
    REQUIRE(g.b.grad(0) == Approx(12.0 * c).epsilon(1e-15));
    const double after = std::sqrt(g.a.grad(0) * g.a.grad(0) + g.a.grad(1) * g.a.grad(1) + g.b.grad(0) * g.b.grad(0));
    REQUIRE(after == Approx(6.5).epsilon(1e-6));
    REQUIRE(g.none.grad.dimension() == 0);  // still the untouched default
}

TEST_CASE("clip_grad_norm: leaves gradients alone below max_norm", "[clipping]")
{
    Grads g;
    REQUIRE(clip_grad_norm(g.all(), 20.0) == Approx(13.0));
    REQUIRE(g.a.grad(1) == 4.0);
    REQUIRE(g.b.grad(0) == 12.0);
}

TEST_CASE("clip_grad_norm: works in float32", "[clipping]")
{
    Parameter<float> p{"p", Tensor<float>{0.0f, 0.0f}, Tensor<float>{30.0f, -40.0f}};
    REQUIRE(clip_grad_norm<float>({&p}, 1.0f) == Approx(50.0f));
    REQUIRE(p.grad(0) == Approx(0.6f).epsilon(1e-6));
    REQUIRE(p.grad(1) == Approx(-0.8f).epsilon(1e-6));
}

TEST_CASE("clip_grad_norm: a non-finite gradient throws, names it and changes nothing", "[clipping][errors]")
{
    Grads g;
    g.b.grad(0) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_THROWS_AS(clip_grad_norm(g.all(), 1.0), Error);
    REQUIRE_THROWS_WITH(clip_grad_norm(g.all(), 1.0), Catch::Contains("clip_grad_norm") && Catch::Contains("b"));
    REQUIRE(g.a.grad(0) == 3.0);
    g.b.grad(0) = std::numeric_limits<double>::infinity();
    REQUIRE_THROWS_WITH(clip_grad_norm(g.all(), 1.0), Catch::Contains("non-finite"));
    REQUIRE_THROWS_WITH(clip_grad_norm(g.all(), 0.0), Catch::Contains("max_norm"));
}

TEST_CASE("clip_grad_value: clamps each element to [-v, v]", "[clipping]")
{
    Grads g;
    g.a.grad = Tensor<double>{-7.0, 0.5};
    clip_grad_value(g.all(), 2.0);
    REQUIRE(g.a.grad(0) == -2.0);
    REQUIRE(g.a.grad(1) == 0.5);
    REQUIRE(g.b.grad(0) == 2.0);
    REQUIRE(g.none.grad.dimension() == 0);  // still the untouched default
    REQUIRE_THROWS_WITH(clip_grad_value(g.all(), -1.0), Catch::Contains("clip_value") && Catch::Contains("-1"));
}
