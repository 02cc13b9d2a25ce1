// Shared test helpers: gradcheck with its report shown on failure.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>

#include "core/gradcheck.hpp"
#include "core/init.hpp"
#include "core/ops.hpp"

namespace elman::test {

// gradcheck f at the given inputs with rtol 1e-6 and require that it passes.
inline void require_gradcheck(const GradcheckFn& f, const std::vector<Tensor<double>>& inputs,
                              const std::vector<Parameter<double>*>& params = {},
                              GradcheckOptions options = {})
{
    const GradcheckReport report = gradcheck(f, inputs, params, options);
    INFO(report.str());
    REQUIRE(report.passed);
    for (const auto& r : report.inputs) REQUIRE(r.max_rel_error <= 1e-6);
}

// Same shape, and |a − b| <= tol·(1 + |b|) element by element (the first failing one reported).
inline void require_close(const Tensor<double>& a, const Tensor<double>& b, double tol)
{
    REQUIRE(a.shape() == b.shape());
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO("element " << i << ": " << a.data()[i] << " vs " << b.data()[i]);
        REQUIRE(std::abs(a.data()[i] - b.data()[i]) <= tol * (1 + std::abs(b.data()[i])));
    }
}

// A float64 tensor of the given shape with values from N(0, 1), seeded.
inline Tensor<double> randn(const Shape& shape, std::uint64_t seed)
{
    return normal<double>(shape, 0.0, 1.0, seed);
}

}  // namespace elman::test
