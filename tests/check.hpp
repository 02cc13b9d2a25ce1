// Shared test helpers: gradcheck with its report shown on failure.
#pragma once

#include <catch2/catch.hpp>

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

// A float64 tensor of the given shape with values from N(0, 1), seeded.
inline Tensor<double> randn(const Shape& shape, std::uint64_t seed)
{
    return normal<double>(shape, 0.0, 1.0, seed);
}

}  // namespace elman::test
