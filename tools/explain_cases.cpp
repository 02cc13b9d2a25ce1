// What `elman explain` explains: the demo network on a noisy sine, or a loaded model on one of
// its input sequences, each as an ExplainCase in float64 (tools/explain_case.hpp), and the
// assembly of the page's JSON from the stages.
#include <cmath>
#include <numbers>

#include <xtensor/xview.hpp>

#include <elman/version.hpp>

#include "core/init.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "tools/explain_case.hpp"

namespace elman {

namespace {

// x[0, t, f] = sin(2π·t/12 + f·π/3) + 0.1·ε, ε ~ N(0, 1) seeded, for t = 0..n−1.
Tensor<double> noisy_sine(std::size_t n, std::size_t features, std::uint64_t seed)
{
    Tensor<double> x = Tensor<double>::from_shape({1, n, features});
    Rng rng(seed);
    for (std::size_t t = 0; t < n; ++t)
        for (std::size_t f = 0; f < features; ++f)
            x(0, t, f) = std::sin(2 * std::numbers::pi * static_cast<double>(t) / 12.0 +
                                  static_cast<double>(f) * std::numbers::pi / 3.0) +
                         0.1 * rng.normal();
    return x;
}

template <class T>
std::vector<Tensor<double>> to_float64(const std::vector<Tensor<T>>& weights)
{
    std::vector<Tensor<double>> out;
    for (const auto& w : weights) out.push_back(xt::cast<double>(w));
    return out;
}

// A float64 copy of `model` (same names, options and weights); stateful layers become
// stateless (the page starts from h_0 = 0), trace and fused are reset.
template <class T>
Sequential<double> float64_copy(const Sequential<T>& model)
{
    Sequential<double> out;
    for (const auto& layer : model.layers()) {
        std::shared_ptr<Module<double>> copy;
        if (const auto* rnn = dynamic_cast<const SimpleRNN<T>*>(layer.get())) {
            SimpleRNNOptions o = rnn->options();
            o.stateful = false;
            o.trace = false;
            o.fused = true;
            auto r = std::make_shared<SimpleRNN<double>>(o);
            r->set_weights(to_float64(rnn->get_weights()));
            copy = r;
        } else if (const auto* dense = dynamic_cast<const Dense<T>*>(layer.get())) {
            auto d = std::make_shared<Dense<double>>(dense->options());
            d->set_weights(to_float64(dense->get_weights()));
            copy = d;
        } else if (const auto* drop = dynamic_cast<const Dropout<T>*>(layer.get())) {
            copy = std::make_shared<Dropout<double>>(drop->options());  // identity: inference
        } else {
            throw Error("explain: layer '" + layer->name() + "' (" + layer->type() +
                        ") is not supported after the SimpleRNN yet (supported: SimpleRNN, "
                        "Dense, Dropout)");
        }
        copy->set_name(layer->name());
        out.add(copy);
    }
    out.build(model.input_shape());
    return out;
}

// Checks x against the model and the page's limits; `what` names x in messages.
template <class T>
void check_input(const Sequential<T>& model, const Tensor<T>& x, std::size_t sequence,
                 const std::string& what)
{
    if (model.layers().empty()) throw Error("explain: the model has no layers");
    const auto& first = model.layers().front();
    const auto* rnn = dynamic_cast<const SimpleRNN<T>*>(first.get());
    if (!rnn)
        throw Error("explain: the model's first layer must be a SimpleRNN, got '" + first->name() +
                    "' (" + first->type() + ")");
    if (rnn->options().units > explain_max_units)
        throw Error("explain: the SimpleRNN '" + rnn->name() + "' has " +
                    std::to_string(rnn->options().units) + " units; the page shows at most " +
                    std::to_string(explain_max_units));
    if (x.dimension() != 3)
        throw Error(what + " has shape " + shape_str(x.shape()) +
                    ", expected [sequences, timesteps, features] (rank 3)");
    const std::size_t n = x.shape()[0], nt = x.shape()[1], nf = x.shape()[2];
    if (n == 0 || nt == 0)
        throw Error(what + " has shape " + shape_str(x.shape()) + ": no sequence to explain");
    if (sequence >= n)
        throw Error("--sequence " + std::to_string(sequence) + " is out of range: " + what +
                    " holds " + std::to_string(n) + " sequence(s) (0.." + std::to_string(n - 1) +
                    ")");
    if (nf != rnn->input_dim())
        throw Error(what + " has " + std::to_string(nf) + " feature(s) per step (shape " +
                    shape_str(x.shape()) + ") but the model's first layer '" + rnn->name() +
                    "' was built for " + std::to_string(rnn->input_dim()) + " (kernel " +
                    shape_str(rnn->kernel.value.shape()) + ")");
    const Shape& in = model.input_shape();
    if (!in.empty() && in[0] != 0 && in[0] != nt)
        throw Error(what + " has " + std::to_string(nt) +
                    " timesteps but the model was built for " + std::to_string(in[0]) +
                    " (input shape " + shape_str(in) + ")");
    if (nt > explain_max_steps)
        throw Error(what + " has " + std::to_string(nt) + " timesteps; the page shows at most " +
                    std::to_string(explain_max_steps) + " (pass the last ones, e.g. x[:, -" +
                    std::to_string(explain_max_steps) + ":] in numpy)");
    for (std::size_t i = 0; i < nt * nf; ++i) {
        const T v = x.data()[sequence * nt * nf + i];
        if (!std::isfinite(v))
            throw Error(what + " holds a non-finite value (" + std::to_string(v) + ") at [" +
                        std::to_string(sequence) + "," + std::to_string(i / nf) + "," +
                        std::to_string(i % nf) + "]");
    }
}

}  // namespace

void validate_explain_options(const ExplainOptions& o)
{
    const auto range = [](const char* flag, std::size_t v, std::size_t lo, std::size_t hi) {
        if (v < lo || v > hi)
            throw Error(std::string(flag) + " must be between " + std::to_string(lo) + " and " +
                        std::to_string(hi) + ", got " + std::to_string(v));
    };
    range("--units", o.units, 1, explain_max_units);
    range("--steps", o.steps, 1, explain_max_steps);
    range("--input-dim", o.input_dim, 1, explain_max_input_dim);
    range("--norm-steps", o.norm_steps, 2, explain_max_norm_steps);
}

namespace {

// Throws when a number of `j` is NaN or infinite: the page never shows one as a result.
void require_finite(const ExplainJson& j, const std::string& where)
{
    if (j.is_number_float() && !std::isfinite(j.get<double>()))
        throw Error("explain: the network overflows on this input: " + where +
                    " is not finite (weights or inputs too large for float64)");
    if (j.is_structured())
        for (auto it = j.begin(); it != j.end(); ++it)
            require_finite(*it, j.is_object() ? where + "/" + it.key() : where);
}

}  // namespace

ExplainJson explain_case(ExplainCase& c, const ExplainJson& source, const std::string& command)
{
    ExplainJson j = {{"generator", "elman explain"},
                     {"version", ELMAN_VERSION_STRING},
                     {"command", command},
                     {"source", source}};
    j.update(explain_walkthrough(c));
    for (const char* part : {"forward", "loss", "backward"}) require_finite(j[part], part);
    j["check"] = explain_gradient_check(c);
    require_finite(j["check"], "check");
    j["norms"] = explain_gradient_norms(c);
    j["notes"] = c.notes;
    return j;
}

ExplainJson explain_demo(const ExplainOptions& o, const std::string& command)
{
    validate_explain_options(o);
    ExplainCase c;
    c.model.emplace<SimpleRNN<double>>(SimpleRNNOptions{
        .units = o.units, .activation = o.activation, .return_sequences = true, .seed = o.seed});
    c.model.emplace<Dense<double>>(DenseOptions{.units = 1, .seed = o.seed + 1});
    c.model.build({o.steps, o.input_dim});
    // The norm curves' input starts with the same steps as x.
    c.norm_x = noisy_sine(std::max(o.steps + 1, o.norm_steps), o.input_dim, o.seed);
    c.x = xt::view(c.norm_x, xt::all(), xt::range(0, o.steps), xt::all());
    Tensor<double> target = Tensor<double>::from_shape({1, o.steps, 1});
    for (std::size_t t = 0; t < o.steps; ++t) target(0, t, 0) = c.norm_x(0, t + 1, 0);
    c.target = target;
    c.norm_x = xt::view(c.norm_x, xt::all(), xt::range(0, o.norm_steps), xt::all());
    c.loss_formula = "L = (1/T) Σ_t (ŷ_t − y_t)², y_t = x_{t+1}[0] (the next value)";
    c.seed = o.seed;
    const std::string desc =
        "SimpleRNN(" + std::to_string(o.units) + ", " + to_string(o.activation) +
        ") → Dense(1) on " + std::to_string(o.steps) + " steps of a noisy sine (" +
        std::to_string(o.input_dim) + " feature" + (o.input_dim > 1 ? "s" : "") +
        "), untrained: Keras' initializers, seed " + std::to_string(o.seed);
    return explain_case(c, {{"kind", "demo"}, {"description", desc}}, command);
}

template <class T>
ExplainJson explain_model(const Sequential<T>& model, const Tensor<T>& x, std::size_t sequence,
                          const ExplainJson& source, const std::string& command)
{
    const std::string input = source.value("input", std::string("x"));
    check_input(model, x, sequence, "input " + input);
    ExplainCase c;
    c.model = float64_copy(model);
    const std::size_t nt = x.shape()[1], nf = x.shape()[2];
    c.x = Tensor<double>::from_shape({1, nt, nf});
    for (std::size_t i = 0; i < nt * nf; ++i)
        c.x.data()[i] = static_cast<double>(x.data()[sequence * nt * nf + i]);
    c.norm_x = c.x;
    c.loss_formula =
        "L = Σ ŷ (the sum of the model's outputs: every gradient is that of the prediction)";
    if (std::is_same_v<T, float>)
        c.notes.push_back("The model's float32 weights and input are explained in float64 (exact "
                          "copies), as gradient checks need.");
    c.notes.push_back("Sequence " + std::to_string(sequence) + " of the " +
                      std::to_string(x.shape()[0]) + " in " + input + ".");
    const SimpleRNN<double>& rnn = first_rnn(c.model);
    if (rnn.options().go_backwards)
        c.notes.push_back("go_backwards: the layer's step t reads x at time T + 1 − t; the page "
                          "numbers the steps in processing order (each column names its x).");
    for (const auto& layer : model.layers())
        if (dynamic_cast<const Dropout<T>*>(layer.get())) {
            c.notes.push_back("Dropout layers pass their input through unchanged, as in predict() "
                              "(they drop only in training).");
            break;
        }
    if (const auto* r = dynamic_cast<const SimpleRNN<T>*>(model.layers().front().get());
        r && r->options().stateful)
        c.notes.push_back(
            "The layer is stateful; the page starts from h_0 = 0, as after reset_states().");
    ExplainJson src = source;
    src["kind"] = "model";
    src["sequence"] = sequence;
    src["sequences"] = x.shape()[0];
    return explain_case(c, src, command);
}

template ExplainJson explain_model(const Sequential<float>&, const Tensor<float>&, std::size_t,
                                   const ExplainJson&, const std::string&);
template ExplainJson explain_model(const Sequential<double>&, const Tensor<double>&, std::size_t,
                                   const ExplainJson&, const std::string&);

}  // namespace elman
