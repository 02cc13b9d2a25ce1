// The stages of `elman explain` (tools/explain.hpp), each filling one part of the page's JSON
// from one network and one sequence, all in float64:
//
//   explain_walkthrough      network, forward, loss, backward   tools/explain_walkthrough.cpp
//   explain_gradient_check   check                              tools/explain_checks.cpp
//   explain_gradient_norms   norms                              tools/explain_checks.cpp
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/tape.hpp"
#include "layers/sequential.hpp"
#include "layers/simple_rnn.hpp"
#include "tools/explain.hpp"

namespace elman {

// One network and one sequence to explain.
struct ExplainCase {
    Sequential<double> model;              // built; the first layer a SimpleRNN<double>
    Tensor<double> x;                      // [1,T,F]
    std::optional<Tensor<double>> target;  // the model's output shape: L = mse(ŷ, target);
                                           // none: L = Σ ŷ
    std::string loss_formula;        // shown on the page, e.g. "L = (1/T) Σ_t (ŷ_t − y_t)²"
    Tensor<double> norm_x;           // [1,N,F]: the input of the gradient-norm curves
    std::uint64_t seed = 0;          // for Q in W_h = s·Q
    std::vector<std::string> notes;  // what the page must say about this case
};

// The case's first layer (throws elman::Error naming it when it is not a SimpleRNN).
SimpleRNN<double>& first_rnn(Sequential<double>& model);

// L for the model's output ŷ on `tape`: mse against the target, or Σ ŷ.
Var<double> explain_loss(Tape<double>& tape, const Var<double>& y, const ExplainCase& c);

// Switches every SimpleRNN of the model to the fused (true) or composed (false) path.
void set_fused_everywhere(Sequential<double>& model, bool fused);

// [[...], ...] of a 2-D tensor, [...] of a 1-D one; a row of `n` values at `p`.
ExplainJson json_tensor(const Tensor<double>& t);
ExplainJson json_row(const double* p, std::size_t n);

// "network", "forward", "loss", "backward": the forward values from trace mode, every dL/dh_t
// split into its two parts, every δ_t and the running sums, and how far the final sums are
// from the fused node's gradients.
ExplainJson explain_walkthrough(ExplainCase& c);

// "check": the fused, composed and finite-difference gradients of L for every parameter and x.
ExplainJson explain_gradient_check(ExplainCase& c);

// "norms": ‖dL/dh_t‖ per step t = 1..N for L = Σ_j h_N[j], for each scale and the own W_h.
ExplainJson explain_gradient_norms(ExplainCase& c);

// All parts together, with the notes and `source` / `command`.
ExplainJson explain_case(ExplainCase& c, const ExplainJson& source, const std::string& command);

}  // namespace elman
