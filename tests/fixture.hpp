// PyTorch reference fixtures (tests/fixtures/<set>/<case>/<name>.npy, see
// tests/fixtures/README.md): loading them, and comparing at float32 tolerance
// |a − b| <= 1e-5·|b| + 1e-6.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <string>

// xnpy.hpp pulls in <regex>, in which GCC 12 reports a false -Wmaybe-uninitialized under
// the sanitizers (std::function inside std::regex's automaton).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <xtensor/xnpy.hpp>

#include "core/tensor.hpp"

namespace elman::test {

// One set of fixtures: "rnn", "optim", "classification".
class Fixtures {
public:
    explicit Fixtures(const std::string& set)
        : dir_(std::string(ELMAN_SOURCE_DIR) + "/tests/fixtures/" + set + "/")
    {
    }

    Tensor<float> load(const std::string& folder, const std::string& name) const
    {
        const std::string path = dir_ + folder + "/" + name + ".npy";
        INFO("fixture " << path);
        REQUIRE(std::filesystem::exists(path));
        return xt::load_npy<float>(path);
    }

    bool has(const std::string& folder, const std::string& name) const
    {
        return std::filesystem::exists(dir_ + folder + "/" + name + ".npy");
    }

private:
    std::string dir_;
};

// Element by element. A fixture saves a scalar with shape [1], so a 0-D `got` matches it.
inline void require_matches(const Tensor<float>& got, const Tensor<float>& want,
                            const std::string& what)
{
    INFO(what << ": got " << shape_str(got.shape()) << ", torch " << shape_str(want.shape()));
    REQUIRE(got.size() == want.size());
    if (got.dimension() != 0) REQUIRE(got.dimension() == want.dimension());
    for (std::size_t i = 0; i < got.size(); ++i) {
        const double a = got.data()[i], b = want.data()[i];
        INFO(what << " element " << i << ": elman " << a << ", torch " << b);
        REQUIRE(std::abs(a - b) <= 1e-5 * std::abs(b) + 1e-6);
    }
}

}  // namespace elman::test
