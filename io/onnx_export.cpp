// export_onnx (io/onnx.hpp): the model as an ONNX graph, opset 14, one small node chain per
// layer; the mapping of each layer is written above its emit function.
#include <algorithm>
#include <climits>
#include <cmath>
#include <functional>

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include "core/error.hpp"
#include "io/detail/onnx_graph.hpp"
#include "io/detail/onnx_proto.hpp"
#include "io/files.hpp"
#include "io/onnx.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/flatten.hpp"
#include "layers/gru.hpp"
#include "layers/lstm.hpp"
#include "layers/simple_rnn.hpp"
#include "layers/time_distributed.hpp"

namespace elman {

namespace {

using namespace detail::onnx_graph;

constexpr int k_opset = 14;

// An activation as ONNX names it (the op of a node, or an entry of a recurrent node's
// "activations"), with its alpha and beta where it takes them (NaN: none):
//   tanh Tanh, relu Relu, sigmoid Sigmoid, softmax Softmax (nodes only), linear Affine(1, 0)
//   (recurrent nodes only), Keras 3's hard_sigmoid HardSigmoid(1/6, 0.5), Keras 2's
//   hard_sigmoid_keras2 HardSigmoid(0.2, 0.5): ONNX's max(0, min(1, alpha·x + beta)).
struct OnnxActivation {
    std::string op;
    float alpha = NAN, beta = NAN;
};

OnnxActivation onnx_activation(Activation a)
{
    switch (a) {
    case Activation::tanh: return {"Tanh"};
    case Activation::relu: return {"Relu"};
    case Activation::sigmoid: return {"Sigmoid"};
    case Activation::softmax: return {"Softmax"};
    case Activation::linear: return {"Affine", 1.0f, 0.0f};
    case Activation::hard_sigmoid: return {"HardSigmoid", 1.0f / 6.0f, 0.5f};
    case Activation::hard_sigmoid_keras2: return {"HardSigmoid", 0.2f, 0.5f};
    }
    return {"Affine", 1.0f, 0.0f};
}

// act(x) as its ONNX node (none for linear).
template <class T>
Value activation(Graph<T>& g, const Value& x, Activation a, const std::string& p)
{
    if (a == Activation::linear) return x;
    const OnnxActivation o = onnx_activation(a);
    onnx::NodeProto& n = g.node(o.op, {x.name}, {p + "/" + o.op}, p + "/" + o.op);
    if (a == Activation::softmax) attr(n, "axis", std::int64_t(-1));
    if (!std::isnan(o.alpha)) {
        auto* al = n.add_attribute();
        al->set_name("alpha");
        al->set_type(onnx::AttributeProto::FLOAT);
        al->set_f(o.alpha);
        auto* be = n.add_attribute();
        be->set_name("beta");
        be->set_type(onnx::AttributeProto::FLOAT);
        be->set_f(o.beta);
    }
    return {p + "/" + o.op, x.rank};
}

// A recurrent node's "activations" and, for those that take them, "activation_alpha" and
// "activation_beta" in the same order.
void recurrent_activations(onnx::NodeProto& n, const std::vector<Activation>& acts)
{
    std::vector<std::string> names;
    std::vector<float> alpha, beta;
    for (Activation a : acts) {
        const OnnxActivation o = onnx_activation(a);
        names.push_back(o.op);
        if (!std::isnan(o.alpha)) alpha.push_back(o.alpha), beta.push_back(o.beta);
    }
    attr_strings(n, "activations", names);
    if (!alpha.empty()) {
        attr_floats(n, "activation_alpha", alpha);
        attr_floats(n, "activation_beta", beta);
    }
}

// What the recurrent layers' nodes share around the RNN/GRU/LSTM node itself.
struct RecurrentNode {
    std::string op;  // "RNN", "GRU", "LSTM"
    std::size_t units;
    bool return_sequences, go_backwards, stateful;
    bool cell_state = false;  // LSTM: a second state c, carried next to h when stateful
};

// ONNX wants X time major (layout 0: onnxruntime's CPU kernels refuse layout 1): [B,T,F] ->
// X [T,B,F]. Then the node (inputs X, weights..., [sequence_lens, initial_h] when stateful),
// and its outputs back to Keras': Y_h [1,B,U] -> [B,U], or Y [T,1,B,U] -> [B,T,U] in processing
// order (a reverse node's Y is in input order: flipped). A stateful layer's carried state comes
// in as the graph input <p>/initial_state [B,U] and leaves as <p>/state; an LSTM's h and c as
// <p>/initial_state_h, <p>/initial_state_c and <p>/state_h, <p>/state_c.
template <class T>
Value emit_recurrent(Graph<T>& g, const Value& x, const std::string& p, const RecurrentNode& r,
                     std::vector<std::string> weights, const std::function<void(onnx::NodeProto&)>& attrs)
{
    const std::size_t u = r.units;
    attr_ints(g.node("Transpose", {x.name}, {p + "/X"}, p + "/Transpose_in"), "perm", {1, 0, 2});
    std::vector<std::string> in{p + "/X"};
    in.insert(in.end(), weights.begin(), weights.end());
    const std::vector<std::string> states = r.cell_state ? std::vector<std::string>{"_h", "_c"} : std::vector<std::string>{""};
    if (r.stateful) {
        in.push_back("");  // sequence_lens
        for (const std::string& s : states) {
            g.io(true, p + "/initial_state" + s, {"batch", std::to_string(u)});
            g.node("Unsqueeze", {p + "/initial_state" + s, g.ints(p + "/axes0_in" + s, {0})}, {p + "/initial" + (s.empty() ? "_h" : s)},
                   p + "/Unsqueeze_state" + s);
            in.push_back(p + "/initial" + (s.empty() ? "_h" : s));
        }
    }
    const std::string y = r.return_sequences ? p + "/Y" : "";
    std::vector<std::string> out{y, p + "/Y_h"};
    if (r.cell_state && r.stateful) out.push_back(p + "/Y_c");
    onnx::NodeProto& n = g.node(r.op, in, out, p + "/" + r.op);
    attr(n, "hidden_size", static_cast<std::int64_t>(u));
    attr(n, "direction", std::string(r.go_backwards ? "reverse" : "forward"));
    attr(n, "layout", std::int64_t(0));
    attrs(n);
    if (!r.return_sequences || r.stateful)
        g.node("Squeeze", {p + "/Y_h", g.ints(p + "/axes0", {0})}, {p + "/h_last"}, p + "/Squeeze_Y_h");
    if (r.stateful) {
        g.io(false, p + "/state" + states[0], {"batch", std::to_string(u)});
        g.node("Identity", {p + "/h_last"}, {p + "/state" + states[0]}, p + "/state" + states[0]);
    }
    if (r.stateful && r.cell_state) {
        g.io(false, p + "/state_c", {"batch", std::to_string(u)});
        g.node("Squeeze", {p + "/Y_c", g.ints(p + "/axes0_c", {0})}, {p + "/state_c"}, p + "/state_c");
    }
    if (!r.return_sequences) return {p + "/h_last", 2};
    // Y [T,1,B,U] -> [T,B,U]
    g.node("Squeeze", {y, g.ints(p + "/axes1", {1})}, {p + "/Y_seq"}, p + "/Squeeze_Y");
    std::string seq = p + "/Y_seq";
    if (r.go_backwards) {
        // A reverse node's Y is in input order; Keras returns processing order: flip time.
        g.node("Slice", {seq, g.ints(p + "/flip_starts", {-1}), g.ints(p + "/flip_ends", {INT64_MIN}),
                         g.ints(p + "/flip_axes", {0}), g.ints(p + "/flip_steps", {-1})},
               {p + "/Y_processing_order"}, p + "/Flip");
        seq = p + "/Y_processing_order";
    }
    onnx::NodeProto& t = g.node("Transpose", {seq}, {p + "/Y_batch_first"}, p + "/Transpose_out");
    attr_ints(t, "perm", {1, 0, 2});
    return {p + "/Y_batch_first", 3};
}

// W [gates·U, F] = kernelᵀ, R = recurrent_kernelᵀ, each with a leading direction axis of 1.
template <class T>
Tensor<T> onnx_weight(const Tensor<T>& keras)
{
    Tensor<T> w = xt::transpose(keras);
    w.reshape({1, w.shape()[0], w.shape()[1]});
    return w;
}

// SimpleRNN: h_t = act(x_t·kernel + h_{t−1}·recurrent_kernel + bias) is ONNX's
// H_t = f(X_t·Wᵀ + H_{t−1}·Rᵀ + Wb + Rb) with W = kernelᵀ, R = recurrent_kernelᵀ, Wb = bias,
// Rb = 0 (onnx/defs/rnn/defs.cc).
template <class T>
Value emit_simple_rnn(Graph<T>& g, SimpleRNN<T>& rnn, const Value& x, const std::string& p)
{
    const SimpleRNNOptions& o = rnn.options();
    const std::size_t u = o.units;
    std::vector<std::string> w{g.weight(p + "/W", onnx_weight(rnn.kernel.value)),
                               g.weight(p + "/R", onnx_weight(rnn.recurrent_kernel.value))};
    if (o.use_bias) {
        Tensor<T> b = xt::zeros<T>({std::size_t(1), 2 * u});
        for (std::size_t i = 0; i < u; ++i) b(0, i) = rnn.bias.value(i);
        w.push_back(g.weight(p + "/B", b));
    } else {
        w.push_back("");
    }
    return emit_recurrent(g, x, p, {"RNN", u, o.return_sequences, o.go_backwards, o.stateful}, w,
                          [&](onnx::NodeProto& n) { recurrent_activations(n, {o.activation}); });
}

// GRU: Keras' gate blocks z, r, h are in ONNX GRU's order too (onnx/defs/rnn/defs.cc: W[zrh]):
//   W = kernelᵀ [1,3U,F], R = recurrent_kernelᵀ [1,3U,U], B = [Wb | Rb] [1,6U]
//   reset_after:  Wb = bias[0], Rb = bias[1], linear_before_reset = 1, ONNX's
//                 h_t = g(X_t·W_hᵀ + r_t ⊙ (H_{t−1}·R_hᵀ + Rb_h) + Wb_h): Keras' form
//   not:          Wb = bias, Rb = 0, linear_before_reset = 0,
//                 h_t = g(X_t·W_hᵀ + (r_t ⊙ H_{t−1})·R_hᵀ + Rb_h + Wb_h)
//   activations [f, g] = [recurrent_activation, activation]; H_t = (1 − z) ⊙ h_t + z ⊙ H_{t−1}.
template <class T>
Value emit_gru(Graph<T>& g, GRU<T>& gru, const Value& x, const std::string& p)
{
    const GRUOptions& o = gru.options();
    const std::size_t u = o.units;
    std::vector<std::string> w{g.weight(p + "/W", onnx_weight(gru.kernel.value)),
                               g.weight(p + "/R", onnx_weight(gru.recurrent_kernel.value))};
    if (o.use_bias) {
        Tensor<T> b = xt::zeros<T>({std::size_t(1), 6 * u});
        const T* src = gru.bias.value.data();
        std::copy_n(src, (o.reset_after ? 6 : 3) * u, b.data());
        w.push_back(g.weight(p + "/B", b));
    } else {
        w.push_back("");
    }
    return emit_recurrent(g, x, p, {"GRU", u, o.return_sequences, o.go_backwards, o.stateful}, w,
                          [&](onnx::NodeProto& n) {
                              recurrent_activations(n, {o.recurrent_activation, o.activation});
                              attr(n, "linear_before_reset", std::int64_t(o.reset_after ? 1 : 0));
                          });
}

// LSTM: Keras' z = x·kernel + h·recurrent_kernel + bias, gate blocks i, f, c, o, is ONNX's LSTM
// (onnx/defs/rnn/defs.cc) with W = kernelᵀ, R = recurrent_kernelᵀ, B = [bias, 0], each with its
// gate blocks reordered to ONNX's i, o, f, c, and activations (f, g, h) = (recurrent_activation,
// activation, activation): f for the gates, g for the candidate, h for c.
template <class T>
Value emit_lstm(Graph<T>& g, LSTM<T>& lstm, const Value& x, const std::string& p)
{
    const LSTMOptions& o = lstm.options();
    const std::size_t u = o.units;
    constexpr std::size_t keras_block[4] = {0, 3, 1, 2};  // ONNX gate j (i, o, f, c) is Keras block
    // W[0, j·U + q, :] = kernel[:, block(j)·U + q]ᵀ, the same for R
    const auto reordered = [&](const Tensor<T>& kernel) {
        const std::size_t rows = kernel.shape()[0];
        Tensor<T> w = Tensor<T>::from_shape({1, 4 * u, rows});
        for (std::size_t j = 0; j < 4; ++j)
            for (std::size_t q = 0; q < u; ++q)
                for (std::size_t c = 0; c < rows; ++c) w(0, j * u + q, c) = kernel(c, keras_block[j] * u + q);
        return w;
    };
    std::vector<std::string> w{g.weight(p + "/W", reordered(lstm.kernel.value)),
                               g.weight(p + "/R", reordered(lstm.recurrent_kernel.value))};
    if (o.use_bias) {
        Tensor<T> b = xt::zeros<T>({std::size_t(1), 8 * u});
        for (std::size_t j = 0; j < 4; ++j)
            for (std::size_t q = 0; q < u; ++q) b(0, j * u + q) = lstm.bias.value(keras_block[j] * u + q);
        w.push_back(g.weight(p + "/B", b));
    } else {
        w.push_back("");
    }
    return emit_recurrent(g, x, p, {"LSTM", u, o.return_sequences, o.go_backwards, o.stateful, true}, w,
                          [&](onnx::NodeProto& n) { recurrent_activations(n, {o.recurrent_activation, o.activation, o.activation}); });
}

// Dense: y = act(x·kernel + bias); Gemm on [B,F], MatMul (+ Add) on [B,T,F] (last axis).
template <class T>
Value emit_dense(Graph<T>& g, Dense<T>& d, const Value& x, const std::string& p)
{
    const std::string k = g.weight(p + "/kernel", d.kernel.value);
    Value y{p + "/linear", x.rank};
    if (x.rank == 2) {
        std::vector<std::string> in{x.name, k};
        if (d.options().use_bias) in.push_back(g.weight(p + "/bias", d.bias.value));
        g.node("Gemm", in, {y.name}, p + "/Gemm");
    } else if (d.options().use_bias) {
        g.node("MatMul", {x.name, k}, {p + "/matmul"}, p + "/MatMul");
        g.node("Add", {p + "/matmul", g.weight(p + "/bias", d.bias.value)}, {y.name}, p + "/Add");
    } else {
        g.node("MatMul", {x.name, k}, {y.name}, p + "/MatMul");
    }
    return activation(g, y, d.options().activation, p);
}

template <class T>
Value emit_layer(Graph<T>& g, Module<T>& layer, const Value& x)
{
    const std::string p = layer.name();
    if (auto* rnn = dynamic_cast<SimpleRNN<T>*>(&layer)) return emit_simple_rnn(g, *rnn, x, p);
    if (auto* gru = dynamic_cast<GRU<T>*>(&layer)) return emit_gru(g, *gru, x, p);
    if (auto* lstm = dynamic_cast<LSTM<T>*>(&layer)) return emit_lstm(g, *lstm, x, p);
    if (auto* d = dynamic_cast<Dense<T>*>(&layer)) return emit_dense(g, *d, x, p);
    if (auto* td = dynamic_cast<TimeDistributed<T>*>(&layer)) {
        if (auto* inner = dynamic_cast<Dense<T>*>(td->layer().get())) return emit_dense(g, *inner, x, p);
        if (dynamic_cast<Dropout<T>*>(td->layer().get())) return x;
    }
    if (dynamic_cast<Dropout<T>*>(&layer)) return x;  // the identity at inference
    if (dynamic_cast<Flatten<T>*>(&layer)) {
        if (x.rank == 2) return x;
        attr(g.node("Flatten", {x.name}, {p + "/flat"}, p + "/Flatten"), "axis", std::int64_t(1));
        return {p + "/flat", 2};
    }
    throw Error("layer '" + layer.name() + "' of type " + layer.type() +
                " has no ONNX export (SimpleRNN, LSTM, GRU, Dense, TimeDistributed(Dense), Flatten, Dropout)");
}

// The checker, then strict shape inference (which also checks the declared output shapes).
void validate(const onnx::ModelProto& m)
{
    onnx::checker::check_model(m);
    onnx::ModelProto copy = m;
    onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(), onnx::ShapeInferenceOptions(true, 1, false));
}

}  // namespace

template <class T>
void export_onnx(const std::string& path, const Sequential<T>& model)
{
    if (!model.built() || model.layers().empty()) throw Error(path + ": export_onnx: the model is not built (call build(input_shape))");
    onnx::ModelProto m;
    m.set_ir_version(onnx::IR_VERSION);
    m.set_producer_name("elman");
    m.set_producer_version("0.1");
    auto* op = m.add_opset_import();
    op->set_domain("");
    op->set_version(k_opset);
    onnx::GraphProto& gp = *m.mutable_graph();
    gp.set_name(model.name());
    Graph<T> g(gp);
    const Shape in = model.input_shape();
    std::vector<std::string> in_dims{"batch"};
    for (std::size_t i = 0; i < in.size(); ++i) in_dims.push_back(dim(in[i], i == 0 && in.size() > 1 ? "timesteps" : "features"));
    g.io(true, "input", in_dims);
    Value x{"input", in.size() + 1};
    try {
        for (const auto& layer : model.layers()) x = emit_layer(g, *layer, x);
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
    g.node("Identity", {x.name}, {"output"}, "output");
    const Shape out = model.output_shape(in);
    std::vector<std::string> out_dims{"batch"};
    for (std::size_t i = 0; i < out.size(); ++i) out_dims.push_back(dim(out[i], i == 0 && out.size() > 1 ? "timesteps" : "features"));
    g.io(false, "output", out_dims);
    try {
        validate(m);
    } catch (const std::exception& e) {
        throw Error(path + ": the exported graph fails the ONNX checker: " + e.what());
    }
    std::string bytes;
    if (!m.SerializeToString(&bytes)) throw Error(path + ": cannot serialize the ONNX model");
    replace_file_atomically(path, bytes);
}

template void export_onnx<float>(const std::string&, const Sequential<float>&);
template void export_onnx<double>(const std::string&, const Sequential<double>&);

}  // namespace elman
