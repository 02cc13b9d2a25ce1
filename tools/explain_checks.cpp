// Three ways to the same gradient, and how far a gradient travels back (tools/explain_case.hpp).
//
// check: for every parameter θ and for x, the fused backward's dL/dθ, the composed tape's
// (every SimpleRNN with fused = false: per-step select, matmul, add, act ops) and central finite
// differences (core/gradcheck.hpp, float64: (L(θ + ε) − L(θ − ε)) / 2ε, run on both paths):
//   fused_vs_composed = max |fused − composed|,  fused_vs_fd, composed_vs_fd = gradcheck's
//   max abs error of each path; largest = the largest of them all.
//
// norms: ‖dL/dh_t‖ for L = Σ_j h_N[j] on the first N steps of norm_x (docs/bptt.md, section 5):
//   g_t = g_{t+1}·diag(act'(a_{t+1}))·W_hᵀ   ⇒   ‖g_t‖ ≤ ‖g_N‖·(max|act'|·‖W_h‖₂)^(N−t)
// with W_h = s·Q (Q orthogonal, so ‖W_h‖₂ = s) for every scale s, once with the layer's
// activation and once linear (where the bound is an equality), and with the layer's own W_h.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <xtensor-blas/xlinalg.hpp>

#include "core/gradcheck.hpp"
#include "core/init.hpp"
#include "core/ops.hpp"
#include "tools/explain_case.hpp"

namespace elman {

namespace {

struct Gradients {
    std::vector<Tensor<double>> params;  // in model.parameters() order
    Tensor<double> x;
    std::size_t nodes = 0;  // tape nodes with a backward
};

Gradients gradients(ExplainCase& c, bool fused)
{
    set_fused_everywhere(c.model, fused);
    for (auto* p : c.model.parameters()) p->zero_grad();
    Tape<double> tape;
    const Var<double> x = tape.variable(c.x, "x");
    tape.backward(explain_loss(tape, c.model.forward(tape, x), c));
    Gradients g;
    for (auto* p : c.model.parameters()) g.params.push_back(p->grad);
    g.x = x.grad();
    g.nodes = tape.recorded();
    return g;
}

GradcheckReport finite_differences(ExplainCase& c, bool fused, const GradcheckOptions& o)
{
    set_fused_everywhere(c.model, fused);
    const GradcheckFn f = [&c](Tape<double>& tape, const std::vector<Var<double>>& in) {
        return explain_loss(tape, c.model.forward(tape, in[0]), c);
    };
    return gradcheck(f, {c.x}, c.model.parameters(), o);
}

double max_abs_diff(const Tensor<double>& a, const Tensor<double>& b)
{
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::abs(a.data()[i] - b.data()[i]));
    return worst;
}

// ‖t‖₂ as m·sqrt(Σ (v/m)²), m = max |v|: no overflow of v² for norms up to the largest double.
double norm2(const Tensor<double>& t)
{
    double m = 0;
    for (double v : t) m = std::max(m, std::abs(v));
    if (m == 0 || !std::isfinite(m)) return m;
    double s = 0;
    for (double v : t) s += (v / m) * (v / m);
    return m * std::sqrt(s);
}

// ‖dL/dh_s‖ for s = 0..N−1 (processing order), L = Σ_j h_{N−1}[j], for the first SimpleRNN with
// activation `act` and recurrent kernel `wh`.
std::vector<double> norm_curve(const SimpleRNN<double>& proto, const Tensor<double>& wh,
                               Activation act, const Tensor<double>& x)
{
    SimpleRNNOptions o = proto.options();
    o.activation = act;
    o.return_sequences = false;
    o.stateful = false;
    o.fused = true;
    o.trace = true;
    SimpleRNN<double> rnn(o);
    if (o.use_bias)
        rnn.set_weights({proto.kernel.value, wh, proto.bias.value});
    else
        rnn.set_weights({proto.kernel.value, wh});
    Tape<double> tape;
    tape.backward(sum(rnn.forward(tape, tape.constant(x))));
    std::vector<double> norms;
    for (const auto& g : rnn.trace().dh) norms.push_back(norm2(g));
    return norms;
}

// max |act'|: the factor of the bound.
double max_derivative(Activation a)
{
    switch (a) {
    case Activation::sigmoid: return 0.25;
    case Activation::hard_sigmoid: return 1.0 / 6;
    case Activation::hard_sigmoid_keras2: return 0.2;
    default: return 1.0;
    }
}

// A curve with its bound ‖g_N‖·(max|act'|·s)^(N−t). A norm beyond the range of a double (a
// long exploding curve) is stored as null, and the curve marked "overflow".
ExplainJson curve_json(const std::string& label, Activation act, double scale,
                       const std::vector<double>& norms)
{
    const std::size_t n = norms.size();
    const double rate = max_derivative(act) * scale;
    ExplainJson values = ExplainJson::array(), bound = ExplainJson::array();
    bool holds = true, overflow = false;
    for (std::size_t s = 0; s < n; ++s) {
        const double b = norms[n - 1] * std::pow(rate, static_cast<double>(n - 1 - s));
        const bool finite = std::isfinite(norms[s]);
        overflow = overflow || !finite;
        values.push_back(finite ? ExplainJson(norms[s]) : ExplainJson(nullptr));
        bound.push_back(std::isfinite(b) ? ExplainJson(b) : ExplainJson(nullptr));
        // Equality for linear with W_h = s·Q: allow for rounding in a long product.
        if (finite && std::isfinite(b)) holds = holds && norms[s] <= b * (1 + 1e-9) + 1e-300;
    }
    return {{"label", label}, {"activation", to_string(act)}, {"scale", scale},
            {"norms", values}, {"bound", bound},                {"bound_holds", holds},
            {"overflow", overflow}};
}

std::string scale_label(const std::string& act, double s)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, W_h = %g·Q", act.c_str(), s);
    return buf;
}

}  // namespace

ExplainJson explain_gradient_check(ExplainCase& c)
{
    const Gradients fused = gradients(c, true), composed = gradients(c, false);
    const GradcheckOptions o;
    const GradcheckReport fd_fused = finite_differences(c, true, o);
    const GradcheckReport fd_composed = finite_differences(c, false, o);
    set_fused_everywhere(c.model, true);
    const auto params = c.model.parameters();
    ExplainJson rows = ExplainJson::array();
    double largest = 0;
    std::string largest_where;
    for (std::size_t i = 0; i <= params.size(); ++i) {  // input 0 (x) first, then the parameters
        const Tensor<double>& a = i == 0 ? fused.x : fused.params[i - 1];
        const Tensor<double>& b = i == 0 ? composed.x : composed.params[i - 1];
        const GradcheckInputReport& rf = fd_fused.inputs[i];
        const GradcheckInputReport& rc = fd_composed.inputs[i];
        const std::string name = i == 0 ? "x" : params[i - 1]->name;
        const double d[3] = {max_abs_diff(a, b), rf.max_abs_error, rc.max_abs_error};
        const char* pairs[3] = {"fused vs composed", "fused vs finite differences",
                                "composed vs finite differences"};
        for (int k = 0; k < 3; ++k)
            if (d[k] >= largest) {
                largest = d[k];
                largest_where = std::string(pairs[k]) + ", " + name;
            }
        rows.push_back(
            {{"name", name},
             {"shape", shape_str(rf.shape)},
             {"fused_vs_composed", d[0]},
             {"fused_vs_fd", d[1]},
             {"composed_vs_fd", d[2]},
             {"passed", rf.passed && rc.passed},
             {"worst",
              {{"index", shape_str(rf.worst)}, {"fused", rf.analytic}, {"fd", rf.numeric}}}});
    }
    return {{"rows", rows},
            {"largest", largest},
            {"largest_where", largest_where},
            {"passed", fd_fused.passed && fd_composed.passed},
            {"eps", o.eps},
            {"atol", o.atol},
            {"rtol", o.rtol},
            {"nodes", {{"fused", fused.nodes}, {"composed", composed.nodes}}}};
}

ExplainJson explain_gradient_norms(ExplainCase& c)
{
    const SimpleRNN<double>& rnn = first_rnn(c.model);
    const std::size_t nu = rnn.options().units;
    const Activation own = rnn.options().activation;
    const Tensor<double> q = orthogonal<double>({nu, nu}, c.seed + 101, 1.0);
    const double scales[] = {0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 2.0};
    ExplainJson families = ExplainJson::array();
    for (Activation act : {own, Activation::linear}) {
        if (act == Activation::linear && own == Activation::linear && !families.empty()) break;
        ExplainJson curves = ExplainJson::array();
        for (double s : scales) {
            const Tensor<double> wh = s * q;
            curves.push_back(curve_json(scale_label(to_string(act), s), act, s,
                                        norm_curve(rnn, wh, act, c.norm_x)));
        }
        families.push_back({{"activation", to_string(act)}, {"curves", curves}});
    }
    const double own_norm = xt::linalg::norm(rnn.recurrent_kernel.value, 2);
    char label[96];
    std::snprintf(label, sizeof label, "%s, this network's W_h (‖W_h‖₂ = %.3g)",
                  to_string(own).c_str(), own_norm);
    const ExplainJson mine = curve_json(label, own, own_norm,
                                        norm_curve(rnn, rnn.recurrent_kernel.value, own, c.norm_x));
    return {{"steps", c.norm_x.shape()[1]}, {"x", json_tensor(c.norm_x)},  // [N][F], in time order
            {"loss", "L = Σ_j h_N[j]"},     {"scales", scales},
            {"families", families},         {"own", mine},
            {"own_spectral_norm", own_norm}};
}

}  // namespace elman
