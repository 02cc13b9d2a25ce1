// `elman explain`: an explorable page of backpropagation through time, written from elman's own
// runs. For a SimpleRNN (first layer of a model, or the demo SimpleRNN(U) → Dense(1)) on one
// sequence x [1,T,F], in float64:
//
//   forward     a_t = x_t·W_x + h_{t−1}·W_h + b,  h_t = act(a_t): every a_t and h_t from the
//               fused node's trace mode; the output of the layer at step t IS h_t
//   backward    g_t = dL/dh_t = ∂L/∂h_t (from the layers after it) + δ_{t+1}·W_hᵀ   (trace mode)
//               δ_t = g_t ⊙ act'(a_t);  running sums of dW_x = Σ x_tᵀ·δ_t, dW_h = Σ h_{t−1}ᵀ·δ_t,
//               db = Σ δ_t from t = T down to 1, ending at the fused node's own gradients
//   check       the fused backward, the composed tape (fused = false) and central finite
//               differences (gradcheck) on every parameter and on x; the largest difference
//   norms       ‖dL/dh_t‖ for L = Σ_j h_N[j] with W_h = s·Q (Q orthogonal) for a range of scales
//               s, with the layer's activation and with a linear one, and with the layer's own W_h
//
// Every number is computed here and embedded in the page as JSON (see docs/explain.md for
// its parts); the page's JavaScript only draws and steps through them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/tensor.hpp"
#include "layers/activation.hpp"
#include "layers/sequential.hpp"

namespace elman {

using ExplainJson = nlohmann::ordered_json;

// The demo network: SimpleRNN(units, activation, return_sequences) → Dense(1), Keras' default
// initializers seeded by `seed`, on `steps` steps of a noisy sine with `input_dim` features
// (feature f is phase-shifted by f·π/3), trained on nothing: L = mse(ŷ_t, next value of x[·,0]).
struct ExplainOptions {
    std::size_t units = 4;      // U, 1..explain_max_units
    std::size_t steps = 8;      // T, 1..explain_max_steps
    std::size_t input_dim = 1;  // F, 1..explain_max_input_dim
    Activation activation = Activation::tanh;
    std::uint64_t seed = 0;
    // Steps N of the gradient-norm curves (longer than T: vanishing needs distance), 2..1000.
    std::size_t norm_steps = 40;
};

// Sizes beyond these make a page nobody can read (and a large file): the CLI refuses them.
inline constexpr std::size_t explain_max_units = 64;
inline constexpr std::size_t explain_max_steps = 100;
inline constexpr std::size_t explain_max_input_dim = 16;
inline constexpr std::size_t explain_max_norm_steps = 1000;

// Throws elman::Error naming the first option out of range, e.g. "--units must be between 1
// and 64, got 0" (the CLI's flag names, which are the fields' names).
void validate_explain_options(const ExplainOptions& options);

// The page's data for the demo network. `command` is shown on the page (how to remake it).
ExplainJson explain_demo(const ExplainOptions& options, const std::string& command);

// The page's data for a loaded model on sequence `sequence` of x [N,T,F]: L = Σ ŷ (the sum of
// the model's outputs), so every gradient is that of the prediction. The first layer must be a
// SimpleRNN; the layers after it SimpleRNN, Dense or Dropout (a float64 copy is explained; `model`
// is not modified). Throws elman::Error when the first layer is not a SimpleRNN, when x is not
// [N,T,F] with F the model's input_dim (and T its timesteps when the model fixes them), holds a
// non-finite value, or the layer is larger than the page can show. `source` describes where
// model and input came from ({"model": path, "input": path, ...}); shown on the page.
template <class T>
ExplainJson explain_model(const Sequential<T>& model, const Tensor<T>& x, std::size_t sequence,
                          const ExplainJson& source, const std::string& command);

// The self-contained HTML page (inline CSS, SVG drawn by inline JavaScript, the data as JSON in
// <script type="application/json" id="elman-data">): no network access, no other file.
std::string explain_page_html(const ExplainJson& data);

// Writes `html` as DIR/index.html: DIR is created if missing (its parent must exist); the page
// is written to a temporary file in DIR, fsync'ed and renamed over index.html, so a failure
// never leaves a half-written page over a good one. Throws elman::Error when DIR is not a
// directory or its parent is missing, or when DIR/index.html exists and was not written by
// elman explain (it is never replaced then). Returns the page's path.
std::string write_explain_page(const std::string& dir, const std::string& html);

// The checks write_explain_page makes before writing, for a CLI that wants to fail before
// computing anything.
void check_explain_out(const std::string& dir);

}  // namespace elman
