// Reading the PyTorch reference fixtures (tests/fixtures/, see its README.md) and comparing at
// float32 tolerance: |a − b| <= 1e-5·|b| + 1e-6.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <string>

// xnpy.hpp pulls in <regex>, in which GCC 12 reports a false -Wmaybe-uninitialized under
// the sanitizers (std::function inside std::regex's automaton).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <xtensor/xnpy.hpp>

#include "core/error.hpp"
#include "core/tensor.hpp"

namespace elman::test {

inline const std::string k_rnn_fixtures = std::string(ELMAN_SOURCE_DIR) + "/tests/fixtures/rnn/";

// tests/fixtures/rnn/<folder>/<name>.npy
inline Tensor<float> load_fixture(const std::string& folder, const std::string& name)
{
    const std::string path = k_rnn_fixtures + folder + "/" + name + ".npy";
    INFO("fixture " << path);
    REQUIRE(std::filesystem::exists(path));
    return xt::load_npy<float>(path);
}

inline bool has_fixture(const std::string& folder, const std::string& name)
{
    return std::filesystem::exists(k_rnn_fixtures + folder + "/" + name + ".npy");
}

inline void require_matches(const Tensor<float>& got, const Tensor<float>& want,
                            const std::string& what)
{
    INFO(what << ": got " << shape_str(got.shape()) << ", torch " << shape_str(want.shape()));
    REQUIRE(got.size() == want.size());
    REQUIRE(got.dimension() == want.dimension());
    for (std::size_t i = 0; i < got.size(); ++i) {
        const double a = got.data()[i], b = want.data()[i];
        INFO(what << " element " << i << ": elman " << a << ", torch " << b);
        REQUIRE(std::abs(a - b) <= 1e-5 * std::abs(b) + 1e-6);
    }
}

}  // namespace elman::test
