// The forward values and the backward pass of the first SimpleRNN, step by step, from one fused
// run in trace mode (see tools/explain_case.hpp). Steps are indexed in processing order
// s = 0..T−1 (s = t − 1, or T − t with go_backwards); per step, with B = 1:
//
//   dh_out[s] = ∂L/∂h_s through the layers after the SimpleRNN   the output's gradient, [U]
//   dh_rec[s] = δ_{s+1}·W_hᵀ                                     [U]·[U,U]ᵀ, 0 for s = T−1
//   dh[s]     = dL/dh_s as the fused backward saw it (trace)      = dh_out[s] + dh_rec[s]
//   dact[s]   = act'(a_s), written from h_s                       (tanh: 1 − h_s²)
//   delta[s]  = dh[s] ⊙ dact[s]                                   δ_s = dL/da_s
//   dWx[s]    = Σ_{r ≥ s} x_rᵀ·δ_r        [F,U]                   running sums, backward in time:
//   dWh[s]    = Σ_{r ≥ s} h_{r−1}ᵀ·δ_r    [U,U]  (h_{−1} = h_0 = 0)   at s = 0 they are the
//   db[s]     = Σ_{r ≥ s} δ_r             [U]                         gradients themselves
#include <algorithm>
#include <cmath>

#include "core/ops.hpp"
#include "layers/losses.hpp"
#include "tools/explain_case.hpp"

namespace elman {

SimpleRNN<double>& first_rnn(Sequential<double>& model)
{
    if (model.layers().empty()) throw Error("explain: the model has no layers");
    const auto& first = model.layers().front();
    auto* rnn = dynamic_cast<SimpleRNN<double>*>(first.get());
    if (!rnn)
        throw Error("explain: the first layer must be a SimpleRNN, got '" + first->name() + "' (" +
                    first->type() + ")");
    return *rnn;
}

Var<double> explain_loss(Tape<double>& tape, const Var<double>& y, const ExplainCase& c)
{
    if (c.target) return mse(y, tape.constant(*c.target, "target"));
    return sum(y);
}

void set_fused_everywhere(Sequential<double>& model, bool fused)
{
    for (const auto& layer : model.layers())
        if (auto* rnn = dynamic_cast<SimpleRNN<double>*>(layer.get())) rnn->set_fused(fused);
}

ExplainJson json_row(const double* p, std::size_t n)
{
    ExplainJson row = ExplainJson::array();
    for (std::size_t i = 0; i < n; ++i) row.push_back(p[i]);
    return row;
}

ExplainJson json_tensor(const Tensor<double>& t)
{
    if (t.dimension() == 0) return t.data()[0];
    const std::size_t rows = t.dimension() == 1 ? 1 : t.size() / t.shape().back();
    const std::size_t n = t.dimension() == 1 ? t.size() : t.shape().back();
    if (t.dimension() == 1) return json_row(t.data(), n);
    ExplainJson out = ExplainJson::array();
    for (std::size_t r = 0; r < rows; ++r) out.push_back(json_row(t.data() + r * n, n));
    return out;
}

namespace {

// Keras' "(None, 8, 4)" for a shape without the batch axis (0 is None).
std::string keras_shape(const Shape& s)
{
    std::string out = "(None";
    for (std::size_t d : s) out += ", " + (d ? std::to_string(d) : std::string("None"));
    return out + ")";
}

ExplainJson network_json(const ExplainCase& c, const SimpleRNN<double>& rnn)
{
    ExplainJson layers = ExplainJson::array();
    Shape shape = {c.x.shape()[1], c.x.shape()[2]};
    for (const auto& layer : c.model.layers()) {
        shape = layer->output_shape(shape);
        layers.push_back({{"name", layer->name()},
                          {"type", layer->type()},
                          {"output_shape", keras_shape(shape)},
                          {"params", layer->param_count()},
                          {"formula", layer->param_formula()}});
    }
    const SimpleRNNOptions& o = rnn.options();
    return {
        {"layers", layers},
        {"summary", c.model.summary()},
        {"units", o.units},
        {"input_dim", rnn.input_dim()},
        {"steps", c.x.shape()[1]},
        {"activation", to_string(o.activation)},
        {"use_bias", o.use_bias},
        {"return_sequences", o.return_sequences},
        {"go_backwards", o.go_backwards},
        {"rnn",
         {{"name", rnn.name()}, {"params", rnn.param_count()}, {"formula", rnn.param_formula()}}},
        {"total_params", c.model.param_count()},
        {"weights",
         {{"kernel", json_tensor(rnn.kernel.value)},
          {"recurrent_kernel", json_tensor(rnn.recurrent_kernel.value)},
          {"bias", o.use_bias ? json_tensor(rnn.bias.value) : ExplainJson(nullptr)}}}};
}

// x_s in processing order, the a_s and h_s of the trace, and the model's output ŷ: per step
// when it is [1,T,k], else one row at the last step.
ExplainJson forward_json(const ExplainCase& c, const SimpleRNN<double>& rnn,
                         const Tensor<double>& y)
{
    const RNNTrace<double>& tr = rnn.trace();
    const std::size_t nt = c.x.shape()[1], nf = c.x.shape()[2], nu = rnn.options().units;
    ExplainJson xs = ExplainJson::array(), index = ExplainJson::array(), as = ExplainJson::array(),
                hs = ExplainJson::array();
    for (std::size_t s = 0; s < nt; ++s) {
        const std::size_t t = rnn.options().go_backwards ? nt - 1 - s : s;
        xs.push_back(json_row(c.x.data() + t * nf, nf));
        index.push_back(t + 1);
        as.push_back(json_row(tr.a[s].data(), nu));
        hs.push_back(json_row(tr.h[s].data(), nu));
    }
    const bool per_step = y.dimension() == 3 && y.shape()[1] == nt;
    ExplainJson out = {
        {"x", xs}, {"time_index", index},        {"h0", std::vector<double>(nu, 0.0)}, {"a", as},
        {"h", hs}, {"output_per_step", per_step}};
    const std::size_t k = y.shape().back();
    if (per_step) {
        ExplainJson ys = ExplainJson::array(), targets = ExplainJson::array();
        for (std::size_t s = 0; s < nt; ++s) {
            ys.push_back(json_row(y.data() + s * k, k));
            if (c.target) targets.push_back(json_row(c.target->data() + s * k, k));
        }
        out["y"] = ys;
        out["target"] = c.target ? targets : ExplainJson(nullptr);
    } else {
        out["y"] = json_row(y.data(), y.size());
        out["target"] =
            c.target ? json_row(c.target->data(), c.target->size()) : ExplainJson(nullptr);
    }
    return out;
}

double max_abs_diff(const std::vector<double>& a, const Tensor<double>& b)
{
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::abs(a[i] - b.data()[i]));
    return worst;
}

// The backward steps, s = T−1 down to 0, stored at index s. `dh_out` is dL/d(output of the
// SimpleRNN): [1,T,U] with return_sequences, else [1,U] (only h_{T−1} is an output).
ExplainJson backward_json(const ExplainCase& c, const SimpleRNN<double>& rnn,
                          const Tensor<double>& dh_out)
{
    const RNNTrace<double>& tr = rnn.trace();
    const std::size_t nt = c.x.shape()[1], nf = c.x.shape()[2], nu = rnn.options().units;
    const bool seq = rnn.options().return_sequences, back = rnn.options().go_backwards;
    const double* wh = rnn.recurrent_kernel.value.data();
    std::vector<double> dwx(nf * nu, 0.0), dwh(nu * nu, 0.0), db(nu, 0.0), next_delta(nu, 0.0);
    std::vector<ExplainJson> steps(nt);
    double split_residual = 0;
    for (std::size_t s = nt; s-- > 0;) {
        std::vector<double> out(nu, 0.0), rec(nu, 0.0), dact(nu, 1.0), delta(nu);
        if (seq || s == nt - 1) std::copy_n(dh_out.data() + (seq ? s * nu : 0), nu, out.begin());
        for (std::size_t j = 0; j < nu; ++j)  // dh_rec[j] = Σ_k δ_{s+1}[k]·W_h[j,k]
            for (std::size_t k = 0; k < nu; ++k) rec[j] += next_delta[k] * wh[j * nu + k];
        const double* g = tr.dh[s].data();
        multiply_by_derivative(rnn.options().activation, tr.h[s].data(), dact.data(), nu);
        for (std::size_t j = 0; j < nu; ++j) {
            delta[j] = g[j] * dact[j];
            split_residual = std::max(split_residual, std::abs(g[j] - (out[j] + rec[j])));
        }
        const double* xs = c.x.data() + (back ? nt - 1 - s : s) * nf;
        const double* hprev = s > 0 ? tr.h[s - 1].data() : nullptr;  // h_0 = 0
        for (std::size_t j = 0; j < nu; ++j) {
            for (std::size_t f = 0; f < nf; ++f) dwx[f * nu + j] += xs[f] * delta[j];
            if (hprev)
                for (std::size_t k = 0; k < nu; ++k) dwh[k * nu + j] += hprev[k] * delta[j];
            db[j] += delta[j];
        }
        ExplainJson wx = ExplainJson::array(), whs = ExplainJson::array();
        for (std::size_t f = 0; f < nf; ++f) wx.push_back(json_row(dwx.data() + f * nu, nu));
        for (std::size_t k = 0; k < nu; ++k) whs.push_back(json_row(dwh.data() + k * nu, nu));
        steps[s] = {{"dh_out", json_row(out.data(), nu)},
                    {"dh_rec", json_row(rec.data(), nu)},
                    {"dh", json_row(g, nu)},
                    {"dact", json_row(dact.data(), nu)},
                    {"delta", json_row(delta.data(), nu)},
                    {"dWx", wx},
                    {"dWh", whs},
                    {"db", json_row(db.data(), nu)}};
        next_delta = delta;
    }
    double final_vs_fused =
        std::max(max_abs_diff(dwx, rnn.kernel.grad), max_abs_diff(dwh, rnn.recurrent_kernel.grad));
    if (rnn.options().use_bias)
        final_vs_fused = std::max(final_vs_fused, max_abs_diff(db, rnn.bias.grad));
    return {
        {"steps", steps},
        {"split_residual", split_residual},
        {"final_vs_fused", final_vs_fused},
        {"fused",
         {{"kernel", json_tensor(rnn.kernel.grad)},
          {"recurrent_kernel", json_tensor(rnn.recurrent_kernel.grad)},
          {"bias", rnn.options().use_bias ? json_tensor(rnn.bias.grad) : ExplainJson(nullptr)}}}};
}

}  // namespace

ExplainJson explain_walkthrough(ExplainCase& c)
{
    SimpleRNN<double>& rnn = first_rnn(c.model);
    set_fused_everywhere(c.model, true);
    rnn.set_trace(true);
    for (auto* p : c.model.parameters()) p->zero_grad();
    Tape<double> tape;
    const Var<double> h = c.model.layers().front()->forward(tape, tape.constant(c.x, "x"));
    Var<double> y = h;
    for (std::size_t i = 1; i < c.model.layers().size(); ++i)
        y = c.model.layers()[i]->forward(tape, y);
    const Var<double> loss = explain_loss(tape, y, c);
    tape.backward(loss);
    ExplainJson j;
    j["network"] = network_json(c, rnn);
    j["forward"] = forward_json(c, rnn, y.value());
    // dL/dŷ laid out as forward.y: one row per step, or one row.
    const Tensor<double>& dy = y.grad();
    const ExplainJson dl_dy = j["forward"]["output_per_step"].get<bool>()
                                  ? json_tensor(dy)
                                  : json_row(dy.data(), dy.size());
    j["loss"] = {{"formula", c.loss_formula}, {"value", loss.item()}, {"dL_dy", dl_dy}};
    j["backward"] = backward_json(c, rnn, h.grad());
    const std::vector<double> traced_last = j["forward"]["h"].back().get<std::vector<double>>();
    rnn.set_trace(false);
    // The seed question in code: call() returns the output and the state. Are they one vector,
    // the h_T of the trace?
    Tape<double> again;
    const auto r = rnn.call(again, again.constant(c.x, "x"));
    const std::size_t nu = rnn.options().units;
    const double* out_last = r.output.value().data() + r.output.value().size() - nu;
    const double* state = r.state.value().data();
    j["forward"]["state"] = json_row(state, nu);
    j["forward"]["state_is_output"] = std::equal(out_last, out_last + nu, state) &&
                                      std::equal(traced_last.begin(), traced_last.end(), state);
    return j;
}

}  // namespace elman
