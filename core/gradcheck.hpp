// gradcheck: compare backward's gradients with central finite differences, in float64
// (public API, like torch.autograd.gradcheck; use it on your own ops and layers).
//
// For an f whose output is not a single number, both sides are taken of L = Σ u ⊙ f(x) with
// u a fixed random direction (seeded): this checks the vector-Jacobian product backward
// computes, which is exactly what backward is for.
//
//   numeric:  dL/dx_j ≈ (L(x + ε e_j) − L(x − ε e_j)) / 2ε      for every element j
//   pass:     |analytic − numeric| <= atol + rtol · max(|analytic|, |numeric|)   everywhere
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/tape.hpp"

namespace elman {

struct GradcheckOptions {
    double eps = 1e-6;     // finite-difference step
    double atol = 1e-8;    // absolute tolerance
    double rtol = 1e-6;    // relative tolerance
    std::uint64_t seed = 0;  // for the projection direction u
};

// The worst element of one input (or parameter).
struct GradcheckInputReport {
    std::string name;              // "input 0", or the parameter's name
    Shape shape;
    double max_abs_error = 0.0;
    // |a − n| / max(|a|, |n|) over the elements where the relative part of the tolerance
    // dominates (max(|a|, |n|) >= atol / rtol); below that, finite differences cannot resolve
    // a relative error and the absolute tolerance judges the element.
    double max_rel_error = 0.0;
    Shape worst;                   // position of the element with the largest excess over tolerance
    double analytic = 0.0;         // the two gradients at `worst`
    double numeric = 0.0;
    bool passed = true;
};

struct GradcheckReport {
    bool passed = true;
    std::vector<GradcheckInputReport> inputs;
    std::string str() const;       // one line per input
};

using GradcheckFn =
    std::function<Var<double>(Tape<double>&, const std::vector<Var<double>>&)>;

// f is called many times, each on a fresh tape, with one Var per input.
// Parameters listed in `params` are perturbed in place (and restored), and their gradients
// checked too; f reads them through tape.param(). Their .grad is overwritten.
GradcheckReport gradcheck(const GradcheckFn& f, const std::vector<Tensor<double>>& inputs,
                          const std::vector<Parameter<double>*>& params = {},
                          const GradcheckOptions& options = {});

}  // namespace elman
