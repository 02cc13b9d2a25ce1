// export_onnx (io/onnx.hpp): the model as an ONNX graph, opset 14, one small node chain per
// layer; the mapping of each layer is written above its emit function.
#include <climits>

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include "core/error.hpp"
#include "io/detail/onnx_proto.hpp"
#include "io/files.hpp"
#include "io/onnx.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/flatten.hpp"
#include "layers/lstm.hpp"
#include "layers/simple_rnn.hpp"
#include "layers/time_distributed.hpp"

namespace elman {

namespace {

constexpr int k_opset = 14;

// A value flowing through the graph: its name and rank (2: [B,F], 3: [B,T,F]).
struct Value {
    std::string name;
    std::size_t rank;
};

template <class T>
class Graph {
public:
    explicit Graph(onnx::GraphProto& g) : g_(g) {}

    onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs, const std::vector<std::string>& outputs,
                          const std::string& name)
    {
        onnx::NodeProto& n = *g_.add_node();
        n.set_op_type(op);
        n.set_name(name);
        for (const auto& i : inputs) n.add_input(i);
        for (const auto& o : outputs) n.add_output(o);
        return n;
    }
    std::string weight(const std::string& name, const Tensor<T>& t)
    {
        detail::to_proto(*g_.add_initializer(), name, t);
        return name;
    }
    std::string ints(const std::string& name, const std::vector<std::int64_t>& v)
    {
        detail::int64s_to_proto(*g_.add_initializer(), name, v);
        return name;
    }
    // A graph input or output of T with dims (a string dim is symbolic).
    void io(bool input, const std::string& name, const std::vector<std::string>& dims)
    {
        onnx::ValueInfoProto& v = input ? *g_.add_input() : *g_.add_output();
        v.set_name(name);
        auto* tt = v.mutable_type()->mutable_tensor_type();
        tt->set_elem_type(std::is_same_v<T, float> ? onnx::TensorProto::FLOAT : onnx::TensorProto::DOUBLE);
        for (const auto& d : dims) {
            auto* dim = tt->mutable_shape()->add_dim();
            if (!d.empty() && d.find_first_not_of("0123456789") == std::string::npos) dim->set_dim_value(std::stoll(d));
            else dim->set_dim_param(d);
        }
    }

private:
    onnx::GraphProto& g_;
};

void attr(onnx::NodeProto& n, const std::string& name, std::int64_t v)
{
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
}
void attr(onnx::NodeProto& n, const std::string& name, const std::string& v)
{
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
}
void attr_ints(onnx::NodeProto& n, const std::string& name, const std::vector<std::int64_t>& v)
{
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto x : v) a->add_ints(x);
}
void attr_strings(onnx::NodeProto& n, const std::string& name, const std::vector<std::string>& v)
{
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRINGS);
    for (const auto& x : v) a->add_strings(x);
}
void attr_floats(onnx::NodeProto& n, const std::string& name, const std::vector<float>& v)
{
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOATS);
    for (auto x : v) a->add_floats(x);
}

std::string dim(std::size_t d, const std::string& symbol) { return d == 0 ? symbol : std::to_string(d); }

// An elementwise activation as ONNX names it, with the alpha and beta of those that take them:
// HardSigmoid(x) = min(max(alpha·x + beta, 0), 1) is Keras 3's hard_sigmoid with alpha 1/6 and
// Keras 2's with alpha 0.2; linear is Affine(1, 0) where a function must be named (RNN, LSTM).
struct OnnxActivation {
    std::string name;
    bool has_alpha_beta = false;
    float alpha = 0, beta = 0;
};

OnnxActivation onnx_activation(Activation a)
{
    switch (a) {
    case Activation::tanh: return {"Tanh"};
    case Activation::relu: return {"Relu"};
    case Activation::sigmoid: return {"Sigmoid"};
    case Activation::linear: return {"Affine", true, 1.0f, 0.0f};
    case Activation::hard_sigmoid: return {"HardSigmoid", true, 1.0f / 6.0f, 0.5f};
    case Activation::hard_sigmoid_keras2: return {"HardSigmoid", true, 0.2f, 0.5f};
    case Activation::softmax: break;
    }
    throw Error("activation " + to_string(a) + " has no ONNX equivalent inside a recurrent layer");
}

// The activations attribute of an RNN or LSTM node, and the alphas and betas of those that use
// them, in order (onnxruntime's rnn_helpers consumes them so).
void rnn_activations(onnx::NodeProto& n, const std::vector<Activation>& acts)
{
    std::vector<std::string> names;
    std::vector<float> alphas, betas;
    for (Activation a : acts) {
        const OnnxActivation o = onnx_activation(a);
        names.push_back(o.name);
        if (o.has_alpha_beta) {
            alphas.push_back(o.alpha);
            betas.push_back(o.beta);
        }
    }
    attr_strings(n, "activations", names);
    if (!alphas.empty()) {
        attr_floats(n, "activation_alpha", alphas);
        attr_floats(n, "activation_beta", betas);
    }
}

// act(x) as its ONNX node (none for linear; Softmax on the last axis).
template <class T>
Value activation(Graph<T>& g, const Value& x, Activation a, const std::string& p)
{
    if (a == Activation::linear) return x;
    const OnnxActivation o = a == Activation::softmax ? OnnxActivation{"Softmax"} : onnx_activation(a);
    onnx::NodeProto& n = g.node(o.name, {x.name}, {p + "/" + o.name}, p + "/" + o.name);
    if (a == Activation::softmax) attr(n, "axis", std::int64_t(-1));
    if (a == Activation::hard_sigmoid || a == Activation::hard_sigmoid_keras2) {
        auto* al = n.add_attribute();
        al->set_name("alpha");
        al->set_type(onnx::AttributeProto::FLOAT);
        al->set_f(o.alpha);
        auto* be = n.add_attribute();
        be->set_name("beta");
        be->set_type(onnx::AttributeProto::FLOAT);
        be->set_f(o.beta);
    }
    return {p + "/" + o.name, x.rank};
}

// A recurrent node's Y [T,1,B,U] as Keras' sequence output [B,T,U]: squeezed, flipped back to
// processing order for a reverse node (ONNX returns it in input order), transposed.
template <class T>
Value sequence_output(Graph<T>& g, const std::string& y, const std::string& p, bool go_backwards)
{
    g.node("Squeeze", {y, g.ints(p + "/axes1", {1})}, {p + "/Y_seq"}, p + "/Squeeze_Y");
    std::string seq = p + "/Y_seq";
    if (go_backwards) {
        g.node("Slice", {seq, g.ints(p + "/flip_starts", {-1}), g.ints(p + "/flip_ends", {INT64_MIN}),
                         g.ints(p + "/flip_axes", {0}), g.ints(p + "/flip_steps", {-1})},
               {p + "/Y_processing_order"}, p + "/Flip");
        seq = p + "/Y_processing_order";
    }
    onnx::NodeProto& t = g.node("Transpose", {seq}, {p + "/Y_batch_first"}, p + "/Transpose_out");
    attr_ints(t, "perm", {1, 0, 2});
    return {p + "/Y_batch_first", 3};
}

// SimpleRNN: h_t = act(x_t·kernel + h_{t−1}·recurrent_kernel + bias) is ONNX's
// H_t = f(X_t·Wᵀ + H_{t−1}·Rᵀ + Wb + Rb) with W = kernelᵀ, R = recurrent_kernelᵀ, Wb = bias,
// Rb = 0 (onnx/defs/rnn/defs.cc). ONNX wants X time major (layout 0): [T,B,F].
template <class T>
Value emit_simple_rnn(Graph<T>& g, SimpleRNN<T>& rnn, const Value& x, const std::string& p)
{
    const SimpleRNNOptions& o = rnn.options();
    const std::size_t u = o.units, f = rnn.input_dim();
    // [B,T,F] -> X [T,B,F]
    attr_ints(g.node("Transpose", {x.name}, {p + "/X"}, p + "/Transpose_in"), "perm", {1, 0, 2});
    Tensor<T> w = xt::transpose(rnn.kernel.value);
    w.reshape({1, u, f});
    Tensor<T> r = xt::transpose(rnn.recurrent_kernel.value);
    r.reshape({1, u, u});
    std::vector<std::string> in{p + "/X", g.weight(p + "/W", w), g.weight(p + "/R", r)};
    if (o.use_bias) {
        Tensor<T> b = xt::zeros<T>({std::size_t(1), 2 * u});
        for (std::size_t i = 0; i < u; ++i) b(0, i) = rnn.bias.value(i);
        in.push_back(g.weight(p + "/B", b));
    } else {
        in.push_back("");
    }
    if (o.stateful) {
        // The carried state comes in as [B,U] and leaves as [B,U]; the runtime's caller keeps it.
        g.io(true, p + "/initial_state", {"batch", std::to_string(u)});
        g.node("Unsqueeze", {p + "/initial_state", g.ints(p + "/axes0_in", {0})}, {p + "/initial_h"}, p + "/Unsqueeze_state");
        in.push_back("");
        in.push_back(p + "/initial_h");
    }
    const std::string y = o.return_sequences ? p + "/Y" : "";
    onnx::NodeProto& n = g.node("RNN", in, {y, p + "/Y_h"}, p + "/RNN");
    attr(n, "hidden_size", static_cast<std::int64_t>(u));
    attr(n, "direction", std::string(o.go_backwards ? "reverse" : "forward"));
    attr(n, "layout", std::int64_t(0));
    rnn_activations(n, {o.activation});
    if (!o.return_sequences || o.stateful)
        g.node("Squeeze", {p + "/Y_h", g.ints(p + "/axes0", {0})}, {p + "/h_last"}, p + "/Squeeze_Y_h");
    if (o.stateful) {
        g.io(false, p + "/state", {"batch", std::to_string(u)});
        g.node("Identity", {p + "/h_last"}, {p + "/state"}, p + "/state");
    }
    if (!o.return_sequences) return {p + "/h_last", 2};
    return sequence_output(g, y, p, o.go_backwards);
}

// LSTM: Keras' z = x·kernel + h·recurrent_kernel + bias, gate blocks i, f, c, o, is ONNX's LSTM
// (onnx/defs/rnn/defs.cc) with W = kernelᵀ, R = recurrent_kernelᵀ, B = [bias, 0], each with its
// gate blocks reordered to ONNX's i, o, f, c, and activations (f, g, h) = (recurrent_activation,
// activation, activation): f for the gates, g for the candidate, h for c. X time major (layout 0).
template <class T>
Value emit_lstm(Graph<T>& g, LSTM<T>& lstm, const Value& x, const std::string& p)
{
    const LSTMOptions& o = lstm.options();
    const std::size_t u = o.units, f = lstm.input_dim();
    constexpr std::size_t keras_block[4] = {0, 3, 1, 2};  // ONNX gate j (i, o, f, c) is Keras block
    attr_ints(g.node("Transpose", {x.name}, {p + "/X"}, p + "/Transpose_in"), "perm", {1, 0, 2});
    // W[0, j·U + r, :] = kernel[:, block(j)·U + r]ᵀ, the same for R
    const auto onnx_weight = [&](const Tensor<T>& kernel, std::size_t rows) {
        Tensor<T> w = Tensor<T>::from_shape({1, 4 * u, rows});
        for (std::size_t j = 0; j < 4; ++j)
            for (std::size_t r = 0; r < u; ++r)
                for (std::size_t c = 0; c < rows; ++c) w(0, j * u + r, c) = kernel(c, keras_block[j] * u + r);
        return w;
    };
    std::vector<std::string> in{p + "/X", g.weight(p + "/W", onnx_weight(lstm.kernel.value, f)),
                                g.weight(p + "/R", onnx_weight(lstm.recurrent_kernel.value, u))};
    if (o.use_bias) {
        Tensor<T> b = xt::zeros<T>({std::size_t(1), 8 * u});
        for (std::size_t j = 0; j < 4; ++j)
            for (std::size_t r = 0; r < u; ++r) b(0, j * u + r) = lstm.bias.value(keras_block[j] * u + r);
        in.push_back(g.weight(p + "/B", b));
    } else {
        in.push_back("");
    }
    if (o.stateful) {
        // The carried h and c come in as [B,U] and leave as [B,U]; the runtime's caller keeps them.
        in.push_back("");  // sequence_lens
        for (const char* s : {"h", "c"}) {
            g.io(true, p + "/initial_state_" + s, {"batch", std::to_string(u)});
            g.node("Unsqueeze", {p + "/initial_state_" + s, g.ints(p + "/axes0_in_" + s, {0})}, {p + "/initial_" + std::string(s)},
                   p + "/Unsqueeze_state_" + s);
            in.push_back(p + "/initial_" + std::string(s));
        }
    }
    const std::string y = o.return_sequences ? p + "/Y" : "";
    onnx::NodeProto& n = g.node("LSTM", in, {y, p + "/Y_h", o.stateful ? p + "/Y_c" : ""}, p + "/LSTM");
    attr(n, "hidden_size", static_cast<std::int64_t>(u));
    attr(n, "direction", std::string(o.go_backwards ? "reverse" : "forward"));
    attr(n, "layout", std::int64_t(0));
    rnn_activations(n, {o.recurrent_activation, o.activation, o.activation});
    if (!o.return_sequences || o.stateful)
        g.node("Squeeze", {p + "/Y_h", g.ints(p + "/axes0", {0})}, {p + "/h_last"}, p + "/Squeeze_Y_h");
    if (o.stateful) {
        g.io(false, p + "/state_h", {"batch", std::to_string(u)});
        g.node("Identity", {p + "/h_last"}, {p + "/state_h"}, p + "/state_h");
        g.io(false, p + "/state_c", {"batch", std::to_string(u)});
        g.node("Squeeze", {p + "/Y_c", g.ints(p + "/axes0_c", {0})}, {p + "/state_c"}, p + "/state_c");
    }
    if (!o.return_sequences) return {p + "/h_last", 2};
    return sequence_output(g, y, p, o.go_backwards);
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
                " has no ONNX export (SimpleRNN, LSTM, Dense, TimeDistributed(Dense), Flatten, Dropout)");
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
