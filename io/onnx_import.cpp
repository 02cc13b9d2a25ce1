// import_onnx (io/onnx.hpp): follows the graph from its data input to its output, one node at
// a time, tracking the layout of the value in hand (batch first, time major, an RNN's Y or
// Y_h), and turns each run of nodes into the elman layer it computes. Side branches that only
// compute shapes (Shape, Gather, Concat, ... feeding PyTorch's zero initial_h) are recognised
// by what they produce, never evaluated.
#include <cmath>
#include <map>
#include <optional>

#include <xtensor/xview.hpp>

#include "core/error.hpp"
#include "io/detail/onnx_proto.hpp"
#include "io/files.hpp"
#include "io/onnx.hpp"
#include "layers/dense.hpp"
#include "layers/flatten.hpp"
#include "layers/gru.hpp"
#include "layers/lstm.hpp"
#include "layers/simple_rnn.hpp"

namespace elman {

namespace {

// The value in hand: batch first ([B,..]), time major ([T,B,F]), an RNN's Y ([T,1,B,U] with
// layout 0, [B,T,1,U] with 1) or Y_h ([1,B,U] / [B,1,U]).
enum class Layout { batch_first, time_major, rnn_y, rnn_y_h };

struct Dense1 {  // a Dense being assembled from MatMul/Gemm, Add and an activation node
    Tensor<double> kernel, bias;
    bool has_bias = false;
    Activation activation = Activation::linear;
};

template <class T>
class Importer {
public:
    Importer(const onnx::ModelProto& m, const std::string& where, const OnnxImportOptions<T>& o) : g_(m.graph()), where_(where), opt_(o)
    {
        for (const auto& t : g_.initializer()) init_[t.name()] = &t;
        for (const auto& n : g_.node()) {
            for (const auto& out : n.output())
                if (!out.empty()) producer_[out] = &n;
            for (const auto& in : n.input())
                if (!in.empty()) consumers_[in].push_back(&n);
        }
        for (const auto& o2 : g_.output())
            if (o.output.empty() || o2.name() == o.output) outputs_.push_back(o2.name());
    }

    Sequential<T> run(OnnxImportReport& rep);

private:
    [[noreturn]] void fail(const onnx::NodeProto& n, const std::string& why) const
    {
        throw Error(where_ + ": node '" + n.name() + "' (" + n.op_type() + "): " + why);
    }
    // Input i of node n, or an error naming the node when the file gives it fewer inputs (a
    // damaged or hand-made file; the ONNX checker would refuse it).
    const std::string& arg(const onnx::NodeProto& n, int i) const
    {
        if (i >= n.input_size())
            fail(n, "needs at least " + std::to_string(i + 1) + " inputs, the file gives it " + std::to_string(n.input_size()));
        return n.input(i);
    }
    bool is_constant(const std::string& name) const
    {
        return init_.count(name) || opt_.constants.count(name) || (producer_.count(name) && producer_.at(name)->op_type() == "Constant");
    }
    const onnx::TensorProto* constant_proto(const std::string& name) const
    {
        if (init_.count(name)) return init_.at(name);
        if (producer_.count(name) && producer_.at(name)->op_type() == "Constant")
            for (const auto& a : producer_.at(name)->attribute())
                if (a.name() == "value") return &a.t();
        return nullptr;
    }
    Tensor<double> constant(const onnx::NodeProto& n, const std::string& name) const
    {
        if (opt_.constants.count(name)) return opt_.constants.at(name);
        const onnx::TensorProto* p = constant_proto(name);
        if (!p) fail(n, "input '" + name + "' is not a constant (weights must be initializers, Constant nodes or given in OnnxImportOptions::constants)");
        return detail::from_proto<double>(*p, where_);
    }
    std::vector<std::int64_t> ints(const onnx::NodeProto& n, const std::string& name) const
    {
        const onnx::TensorProto* p = constant_proto(name);
        if (!p) fail(n, "input '" + name + "' is not a constant list of integers");
        return detail::int64s_from_proto(*p, where_);
    }
    // Zeros however they are made: absent, a zero constant, ConstantOfShape(0), Expand(0, shape),
    // Slice of zeros (torch's per-layer initial_h of a stacked nn.GRU). `depth` bounds the walk
    // up a (possibly cyclic, in a damaged file) chain of Expand/Slice.
    bool is_zero(const std::string& name, int depth = 0) const
    {
        if (name.empty()) return true;
        if (opt_.constants.count(name) || constant_proto(name)) {
            const Tensor<double> t = opt_.constants.count(name) ? Tensor<double>(opt_.constants.at(name))
                                                                  : detail::from_proto<double>(*constant_proto(name), where_);
            for (double v : t) if (v != 0) return false;
            return true;
        }
        if (!producer_.count(name)) return false;
        const onnx::NodeProto& p = *producer_.at(name);
        if (p.op_type() == "ConstantOfShape") {
            for (const auto& a : p.attribute())
                if (a.name() == "value") {
                    const Tensor<double> t = detail::from_proto<double>(a.t(), where_);
                    for (double v : t) if (v != 0) return false;
                }
            return true;
        }
        if ((p.op_type() == "Expand" || p.op_type() == "Slice") && p.input_size() >= 1 && depth < 16)
            return is_zero(p.input(0), depth + 1);
        return false;
    }
    std::int64_t attr_i(const onnx::NodeProto& n, const std::string& a, std::int64_t fallback) const
    {
        for (const auto& x : n.attribute()) if (x.name() == a) return x.i();
        return fallback;
    }
    float attr_f(const onnx::NodeProto& n, const std::string& a, float fallback) const
    {
        for (const auto& x : n.attribute()) if (x.name() == a) return x.f();
        return fallback;
    }
    const onnx::AttributeProto* attr(const onnx::NodeProto& n, const std::string& a) const
    {
        for (const auto& x : n.attribute()) if (x.name() == a) return &x;
        return nullptr;
    }
    bool used(const std::string& name) const
    {
        if (name.empty()) return false;
        if (std::find(outputs_.begin(), outputs_.end(), name) != outputs_.end()) return true;
        return consumers_.count(name) && !consumers_.at(name).empty();
    }
    // The node that carries `value` on, ignoring nodes that only read its shape.
    const onnx::NodeProto* next(const std::string& value) const
    {
        std::vector<const onnx::NodeProto*> data;
        if (consumers_.count(value))
            for (const auto* c : consumers_.at(value)) if (c->op_type() != "Shape") data.push_back(c);
        if (data.size() > 1)
            throw Error(where_ + ": value '" + value + "' feeds " + std::to_string(data.size()) + " nodes ('" + data[0]->name() + "', '" +
                        data[1]->name() + "'); elman reads graphs that are a single chain");
        return data.empty() ? nullptr : data[0];
    }

    void flush_dense(Sequential<T>& model)
    {
        if (!dense_) return;
        auto d = std::make_shared<Dense<T>>(DenseOptions{.units = dense_->kernel.shape()[1], .activation = dense_->activation,
                                                         .use_bias = dense_->has_bias});
        std::vector<Tensor<T>> w{Tensor<T>(dense_->kernel)};
        if (dense_->has_bias) w.push_back(Tensor<T>(dense_->bias));
        d->set_weights(w);
        model.add(d);
        dense_.reset();
    }
    std::vector<Activation> activations(const onnx::NodeProto& n, const std::vector<Activation>& defaults) const;
    bool recurrent_input(const onnx::NodeProto& n);
    void recurrent_output(const onnx::NodeProto& n, std::size_t features, bool y_used, bool backwards);
    void recurrent(const onnx::NodeProto& n, Sequential<T>& model);
    void lstm(const onnx::NodeProto& n, Sequential<T>& model);
    void step(const onnx::NodeProto& n, Sequential<T>& model);
    bool layout_step(const onnx::NodeProto& n);
    bool dense_step(const onnx::NodeProto& n, Sequential<T>& model);

    const onnx::GraphProto& g_;
    std::string where_;
    const OnnxImportOptions<T>& opt_;
    std::map<std::string, const onnx::TensorProto*> init_;
    std::map<std::string, const onnx::NodeProto*> producer_;
    std::map<std::string, std::vector<const onnx::NodeProto*>> consumers_;
    std::vector<std::string> outputs_;

    std::string cur_;
    Layout layout_ = Layout::batch_first;
    bool at_input_ = true;     // nothing has been applied yet: the input's layout is open
    int rnn_layout_ = 0;       // layout attribute of the RNN that made Y / Y_h
    bool flip_pending_ = false;  // a reverse RNN's Y in input order, not yet flipped back
    std::optional<Dense1> dense_;
    std::size_t time_major_input_features_ = 0;
    bool time_major_input_ = false;  // the graph input is [T,B,F]
};

// A recurrent node's activations: its "activations" attribute (or `defaults`), each taking its
// alpha and beta, in order, from activation_alpha / activation_beta when it has them (ONNX's
// defaults otherwise). Tanh, Relu, Sigmoid, Affine(1, 0) (linear) and HardSigmoid with Keras 3's
// (1/6, 0.5) or Keras 2's (0.2, 0.5) parameters.
template <class T>
std::vector<Activation> Importer<T>::activations(const onnx::NodeProto& n, const std::vector<Activation>& defaults) const
{
    const auto* a = attr(n, "activations");
    if (!a) return defaults;
    if (static_cast<std::size_t>(a->strings_size()) != defaults.size())
        fail(n, "expects " + std::to_string(defaults.size()) + " activation(s), got " + std::to_string(a->strings_size()));
    const auto* alphas = attr(n, "activation_alpha");
    const auto* betas = attr(n, "activation_beta");
    int next = 0;
    std::vector<Activation> out;
    for (const std::string& s : a->strings()) {
        const bool takes = s == "Affine" || s == "HardSigmoid";
        const float alpha = takes && alphas && next < alphas->floats_size() ? alphas->floats(next) : (s == "HardSigmoid" ? 0.2f : 1.0f);
        const float beta = takes && betas && next < betas->floats_size() ? betas->floats(next) : (s == "HardSigmoid" ? 0.5f : 0.0f);
        next += takes ? 1 : 0;
        if (s == "Tanh") out.push_back(Activation::tanh);
        else if (s == "Relu") out.push_back(Activation::relu);
        else if (s == "Sigmoid") out.push_back(Activation::sigmoid);
        else if (s == "Affine" && alpha == 1.0f && beta == 0.0f) out.push_back(Activation::linear);
        else if (s == "HardSigmoid" && std::abs(alpha - 1.0f / 6.0f) < 1e-6f && beta == 0.5f) out.push_back(Activation::hard_sigmoid);
        else if (s == "HardSigmoid" && std::abs(alpha - 0.2f) < 1e-6f && beta == 0.5f) out.push_back(Activation::hard_sigmoid_keras2);
        else fail(n, "activation '" + s + "' (alpha " + std::to_string(alpha) + ", beta " + std::to_string(beta) +
                     ") is not supported (Tanh, Relu, Sigmoid, Affine(1, 0), HardSigmoid(1/6, 0.5) or (0.2, 0.5))");
    }
    return out;
}

// The checks every recurrent node (RNN, GRU, LSTM) shares: X, W and R given, X in the layout the
// node declares (which fixes the graph input's layout when X is the input), one direction
// (forward or reverse), no clip. Returns whether the node runs in reverse.
template <class T>
bool Importer<T>::recurrent_input(const onnx::NodeProto& n)
{
    if (n.input_size() < 3) fail(n, "needs X, W and R");
    const std::int64_t layout = attr_i(n, "layout", 0);
    if (at_input_) {
        if (layout == 0) time_major_input_ = true;
        layout_ = layout == 0 ? Layout::time_major : Layout::batch_first;
    }
    if ((layout == 0 && layout_ != Layout::time_major) || (layout == 1 && layout_ != Layout::batch_first))
        fail(n, "its input X is not in the layout " + std::to_string(layout) + " it declares");
    const auto* dir = attr(n, "direction");
    const std::string direction = dir ? dir->s() : "forward";
    if (direction != "forward" && direction != "reverse") fail(n, "direction '" + direction + "' is not supported (forward or reverse)");
    if (attr(n, "clip")) fail(n, "the clip attribute is not supported");
    rnn_layout_ = static_cast<int>(layout);
    return direction == "reverse";
}

// After a recurrent node: its Y (a sequence, flipped back later when reverse) or its Y_h is
// the value in hand.
template <class T>
void Importer<T>::recurrent_output(const onnx::NodeProto& n, std::size_t features, bool y_used, bool backwards)
{
    if (time_major_input_features_ == 0) time_major_input_features_ = features;
    flip_pending_ = y_used && backwards;
    layout_ = y_used ? Layout::rnn_y : Layout::rnn_y_h;
    cur_ = y_used ? n.output(0) : n.output(1);
}

// RNN: W [1,U,F], R [1,U,U], B [1,2U] = [Wb, Rb] -> SimpleRNN kernel = Wᵀ, recurrent_kernel =
// Rᵀ, bias = Wb + Rb (onnx/defs/rnn/defs.cc: H_t = f(X_t·Wᵀ + H_{t−1}·Rᵀ + Wb + Rb)).
// GRU: W [1,3U,F], R [1,3U,U], B [1,6U], gates z, r, h as Keras' -> GRU kernel = Wᵀ,
// recurrent_kernel = Rᵀ; linear_before_reset = 1 is Keras' reset_after with bias [Wb; Rb]
// [2,3U], 0 is reset_after = false with bias Wb + Rb [3U] (the two biases only ever add up).
template <class T>
void Importer<T>::recurrent(const onnx::NodeProto& n, Sequential<T>& model)
{
    const bool is_gru = n.op_type() == "GRU";
    const std::size_t gates = is_gru ? 3 : 1;
    const bool backwards = recurrent_input(n);
    const std::vector<Activation> acts =
        is_gru ? activations(n, {Activation::sigmoid, Activation::tanh}) : activations(n, {Activation::tanh});
    if (n.input_size() > 4 && !arg(n, 4).empty()) fail(n, "sequence_lens (variable-length sequences) is not supported");
    if (n.input_size() > 5 && !is_zero(arg(n, 5))) fail(n, "a non-zero initial_h is not supported");
    const Tensor<double> w = constant(n, arg(n, 1)), r = constant(n, arg(n, 2));
    const std::size_t u = w.dimension() == 3 ? w.shape()[1] / gates : 0;
    if (w.dimension() != 3 || w.shape()[0] != 1 || u == 0 || w.shape()[1] != gates * u || r.dimension() != 3 ||
        r.shape() != std::vector<std::size_t>{1, gates * u, u})
        fail(n, "W " + shape_str(w.shape()) + " and R " + shape_str(r.shape()) + " are not [1," + (is_gru ? "3U" : "U") + ",F] and [1," +
                    (is_gru ? "3U" : "U") + ",U]");
    const std::size_t f = w.shape()[2];
    const std::int64_t hs = attr_i(n, "hidden_size", static_cast<std::int64_t>(u));
    if (hs != static_cast<std::int64_t>(u)) fail(n, "hidden_size " + std::to_string(hs) + " does not match W " + shape_str(w.shape()));
    const bool has_b = n.input_size() > 3 && !arg(n, 3).empty();
    const bool y_used = n.output_size() > 0 && used(n.output(0));
    const bool h_used = n.output_size() > 1 && used(n.output(1));
    if (y_used == h_used) fail(n, y_used ? "both Y and Y_h are used; elman reads a single chain" : "neither Y nor Y_h is used");
    const bool reset_after = attr_i(n, "linear_before_reset", 0) != 0;
    std::shared_ptr<RecurrentLayer<T>> layer;
    if (is_gru)
        layer = std::make_shared<GRU<T>>(GRUOptions{.units = u, .activation = acts[1], .recurrent_activation = acts[0],
                                                    .use_bias = has_b, .reset_after = reset_after,
                                                    .return_sequences = y_used, .go_backwards = backwards});
    else
        layer = std::make_shared<SimpleRNN<T>>(SimpleRNNOptions{.units = u, .activation = acts[0], .use_bias = has_b,
                                                                .return_sequences = y_used, .go_backwards = backwards});
    Tensor<double> k = xt::transpose(xt::view(w, 0));
    Tensor<double> rk = xt::transpose(xt::view(r, 0));
    std::vector<Tensor<T>> weights{Tensor<T>(k), Tensor<T>(rk)};
    if (has_b) {
        const Tensor<double> b = constant(n, arg(n, 3));
        if (b.dimension() != 2 || b.shape()[0] != 1 || b.shape()[1] != 2 * gates * u)
            fail(n, "B " + shape_str(b.shape()) + " is not [1," + std::to_string(2 * gates) + "U]");
        const std::size_t gu = gates * u;
        Tensor<T> bias = Tensor<T>::from_shape(reset_after ? Shape{2, gu} : Shape{gu});
        for (std::size_t i = 0; i < gu; ++i) {
            if (reset_after) {
                bias(0, i) = static_cast<T>(b(0, i));
                bias(1, i) = static_cast<T>(b(0, gu + i));
            } else {
                bias(i) = static_cast<T>(b(0, i) + b(0, gu + i));
            }
        }
        weights.push_back(bias);
    }
    if (f == 0) fail(n, "W has no input features");
    layer->set_weights(weights);
    model.add(layer);
    recurrent_output(n, f, y_used, backwards);
}

// LSTM (onnx/defs/rnn/defs.cc): W [1,4U,F], R [1,4U,U], B [1,8U] = [Wb, Rb], gate blocks i, o,
// f, c -> Keras' LSTM with kernel = Wᵀ and recurrent_kernel = Rᵀ, each with its blocks put in
// Keras' order i, f, c, o, and bias = Wb + Rb likewise; activations (f, g, h) ->
// (recurrent_activation, activation), Keras using one function for g and h. Peepholes (P),
// input_forget, a non-zero initial_h or initial_c and the cell state Y_c as output have no
// Keras equivalent and are errors.
template <class T>
void Importer<T>::lstm(const onnx::NodeProto& n, Sequential<T>& model)
{
    const bool backwards = recurrent_input(n);
    if (attr_i(n, "input_forget", 0) != 0) fail(n, "input_forget = 1 (the forget gate coupled to the input gate) is not supported");
    const std::vector<Activation> acts = activations(n, {Activation::sigmoid, Activation::tanh, Activation::tanh});
    if (n.input_size() > 7 && !arg(n, 7).empty()) fail(n, "peepholes (input P) are not supported: Keras' LSTM has none");
    if (acts[1] != acts[2]) fail(n, "activations g (" + to_string(acts[1]) + ") and h (" + to_string(acts[2]) + ") differ; Keras' LSTM uses one activation for both");
    if (n.input_size() > 4 && !arg(n, 4).empty()) fail(n, "sequence_lens (variable-length sequences) is not supported");
    if (n.input_size() > 5 && !is_zero(arg(n, 5))) fail(n, "a non-zero initial_h is not supported");
    if (n.input_size() > 6 && !is_zero(arg(n, 6))) fail(n, "a non-zero initial_c is not supported");
    const Tensor<double> w = constant(n, arg(n, 1)), r = constant(n, arg(n, 2));
    const std::size_t u = w.dimension() == 3 ? w.shape()[1] / 4 : 0;
    if (w.dimension() != 3 || w.shape()[0] != 1 || u == 0 || w.shape()[1] != 4 * u || w.shape()[2] == 0 ||
        r.shape() != std::vector<std::size_t>{1, 4 * u, u})
        fail(n, "W " + shape_str(w.shape()) + " and R " + shape_str(r.shape()) + " are not [1,4U,F] and [1,4U,U]");
    const std::size_t f = w.shape()[2];
    if (attr_i(n, "hidden_size", static_cast<std::int64_t>(u)) != static_cast<std::int64_t>(u))
        fail(n, "hidden_size " + std::to_string(attr_i(n, "hidden_size", 0)) + " does not match W " + shape_str(w.shape()));
    const bool y_used = n.output_size() > 0 && used(n.output(0));
    const bool h_used = n.output_size() > 1 && used(n.output(1));
    if (n.output_size() > 2 && used(n.output(2))) fail(n, "its cell state Y_c is used; elman passes on the output h only");
    if (y_used == h_used) fail(n, y_used ? "both Y and Y_h are used; elman reads a single chain" : "neither Y nor Y_h is used");
    const bool has_b = n.input_size() > 3 && !arg(n, 3).empty();
    auto layer = std::make_shared<LSTM<T>>(LSTMOptions{.units = u, .activation = acts[1], .recurrent_activation = acts[0],
                                                       .use_bias = has_b, .return_sequences = y_used, .go_backwards = backwards});
    constexpr std::size_t onnx_block[4] = {0, 2, 3, 1};  // Keras gate j (i, f, c, o) is ONNX block
    // kernel[c, j·U + q] = W[0, block(j)·U + q, c], the same for R
    const auto keras_weight = [&](const Tensor<double>& m, std::size_t rows) {
        Tensor<T> k = Tensor<T>::from_shape({rows, 4 * u});
        for (std::size_t j = 0; j < 4; ++j)
            for (std::size_t q = 0; q < u; ++q)
                for (std::size_t c = 0; c < rows; ++c) k(c, j * u + q) = static_cast<T>(m(0, onnx_block[j] * u + q, c));
        return k;
    };
    std::vector<Tensor<T>> weights{keras_weight(w, f), keras_weight(r, u)};
    if (has_b) {
        const Tensor<double> b = constant(n, arg(n, 3));
        if (b.shape() != std::vector<std::size_t>{1, 8 * u}) fail(n, "B " + shape_str(b.shape()) + " is not [1,8U]");
        Tensor<T> bias = Tensor<T>::from_shape({4 * u});
        for (std::size_t j = 0; j < 4; ++j)
            for (std::size_t q = 0; q < u; ++q) bias(j * u + q) = static_cast<T>(b(0, onnx_block[j] * u + q) + b(0, 4 * u + onnx_block[j] * u + q));
        weights.push_back(bias);
    }
    layer->set_weights(weights);
    model.add(layer);
    recurrent_output(n, f, y_used, backwards);
}

// Transpose (batch <-> time), Squeeze / Gather of an RNN output's direction axis, and the
// Slice that flips a reverse RNN's sequence into Keras' processing order.
template <class T>
bool Importer<T>::layout_step(const onnx::NodeProto& n)
{
    const std::string op = n.op_type();
    const std::string out = n.output_size() ? n.output(0) : "";
    if (op == "Transpose") {
        const auto* p = attr(n, "perm");
        std::vector<std::int64_t> perm;
        if (p) perm.assign(p->ints().begin(), p->ints().end());
        if (perm != std::vector<std::int64_t>{1, 0, 2}) fail(n, "only the batch/time swap perm [1,0,2] is supported");
        if (layout_ == Layout::rnn_y || layout_ == Layout::rnn_y_h) fail(n, "transposes an RNN output before its direction axis is squeezed");
        if (flip_pending_) fail(n, "a reverse RNN's sequence (ONNX: input order) is used without being flipped to Keras' processing order");
        layout_ = layout_ == Layout::time_major ? Layout::batch_first : Layout::time_major;
        at_input_ = false;
        cur_ = out;
        return true;
    }
    if (op == "Squeeze" || op == "Gather") {
        std::vector<std::int64_t> axes;
        if (op == "Squeeze") {
            if (n.input_size() > 1) axes = ints(n, arg(n, 1));
            else if (const auto* a = attr(n, "axes")) axes.assign(a->ints().begin(), a->ints().end());
        } else {
            const auto idx = ints(n, arg(n, 1));
            if (idx != std::vector<std::int64_t>{0} && !(idx.size() == 1 && idx[0] == 0)) fail(n, "gathers an index other than 0");
            axes = {attr_i(n, "axis", 0)};
        }
        const std::int64_t dir_axis = layout_ == Layout::rnn_y ? (rnn_layout_ == 0 ? 1 : 2) : (rnn_layout_ == 0 ? 0 : 1);
        if ((layout_ != Layout::rnn_y && layout_ != Layout::rnn_y_h) || axes != std::vector<std::int64_t>{dir_axis})
            fail(n, "only the direction axis of an RNN output can be removed");
        layout_ = layout_ == Layout::rnn_y_h ? Layout::batch_first : (rnn_layout_ == 0 ? Layout::time_major : Layout::batch_first);
        cur_ = out;
        return true;
    }
    if (op == "Slice") {
        // The time flip after a reverse RNN: starts [-1], ends <= -T-1, axes [time], steps [-1].
        if (!flip_pending_ || n.input_size() < 5) fail(n, "only the time flip of a reverse RNN's sequence is supported");
        const auto steps = ints(n, arg(n, 4)), axes = ints(n, arg(n, 3)), starts = ints(n, arg(n, 1)), ends = ints(n, arg(n, 2));
        const std::int64_t t_axis = layout_ == Layout::time_major ? 0 : 1;
        if (steps != std::vector<std::int64_t>{-1} || axes != std::vector<std::int64_t>{t_axis} || starts != std::vector<std::int64_t>{-1} ||
            ends.size() != 1 || ends[0] > -(1LL << 31))
            fail(n, "is not a full reversal of the time axis");
        flip_pending_ = false;
        cur_ = out;
        return true;
    }
    return false;
}

// Gemm, or MatMul then Add, then an activation: one Dense; Flatten.
template <class T>
bool Importer<T>::dense_step(const onnx::NodeProto& n, Sequential<T>& model)
{
    const std::string op = n.op_type();
    const std::string out = n.output_size() ? n.output(0) : "";
    if (op == "Gemm" || op == "MatMul") {
        flush_dense(model);
        if (op == "Gemm" && attr_i(n, "transA", 0) != 0) fail(n, "transA = 1 is not supported");
        Tensor<double> b = constant(n, arg(n, 1));
        if (b.dimension() != 2) fail(n, "the weight " + shape_str(b.shape()) + " is not a matrix");
        if (op == "Gemm" && attr_i(n, "transB", 0)) b = xt::transpose(b);
        const double alpha = op == "Gemm" ? attr_f(n, "alpha", 1.0f) : 1.0;
        dense_ = Dense1{b * alpha, {}, false, Activation::linear};
        if (op == "Gemm" && n.input_size() > 2 && !arg(n, 2).empty()) {
            Tensor<double> c = constant(n, arg(n, 2));
            if (c.size() != b.shape()[1]) fail(n, "the bias " + shape_str(c.shape()) + " does not have one value per output");
            c.reshape({b.shape()[1]});
            dense_->bias = c * static_cast<double>(attr_f(n, "beta", 1.0f));
            dense_->has_bias = true;
        }
        at_input_ = false;
        cur_ = out;
        return true;
    }
    if (op == "Add") {
        if (!dense_ || dense_->has_bias || dense_->activation != Activation::linear) fail(n, "only a bias added right after MatMul is supported");
        const std::string other = arg(n, 0) == cur_ ? arg(n, 1) : arg(n, 0);
        Tensor<double> c = constant(n, other);
        if (c.size() != dense_->kernel.shape()[1]) fail(n, "the bias " + shape_str(c.shape()) + " does not have one value per output");
        c.reshape({dense_->kernel.shape()[1]});
        dense_->bias = c;
        dense_->has_bias = true;
        cur_ = out;
        return true;
    }
    if (op == "Tanh" || op == "Relu" || op == "Sigmoid" || op == "HardSigmoid" || op == "Softmax") {
        if (!dense_ || dense_->activation != Activation::linear) fail(n, "only an activation right after a Gemm or MatMul is supported");
        dense_->activation = op == "Tanh" ? Activation::tanh : op == "Relu" ? Activation::relu : Activation::sigmoid;
        if (op == "Softmax") {
            if (attr_i(n, "axis", -1) != -1) fail(n, "only a softmax over the last axis (axis -1, as elman writes it) is supported");
            dense_->activation = Activation::softmax;
        }
        if (op == "HardSigmoid") {
            const float alpha = attr_f(n, "alpha", 0.2f), beta = attr_f(n, "beta", 0.5f);
            if (std::abs(alpha - 1.0f / 6.0f) < 1e-6f && beta == 0.5f) dense_->activation = Activation::hard_sigmoid;
            else if (std::abs(alpha - 0.2f) < 1e-6f && beta == 0.5f) dense_->activation = Activation::hard_sigmoid_keras2;
            else fail(n, "HardSigmoid(alpha " + std::to_string(alpha) + ", beta " + std::to_string(beta) + ") is neither Keras 3's (1/6, 0.5) nor Keras 2's (0.2, 0.5)");
        }
        cur_ = out;
        return true;
    }
    if (op == "Flatten") {
        flush_dense(model);
        if (attr_i(n, "axis", 1) != 1) fail(n, "only axis = 1 is supported");
        model.add(std::make_shared<Flatten<T>>());
        at_input_ = false;
        cur_ = out;
        return true;
    }
    return false;
}

// One node of the chain: the RNN, a pass-through, a layout change or a part of a Dense.
template <class T>
void Importer<T>::step(const onnx::NodeProto& n, Sequential<T>& model)
{
    const std::string op = n.op_type();
    const std::string out = n.output_size() ? n.output(0) : "";
    if (op == "RNN" || op == "GRU" || op == "LSTM") {
        flush_dense(model);
        if (op == "LSTM") lstm(n, model);
        else recurrent(n, model);
        at_input_ = false;
        return;
    }
    if (op == "Identity" || (op == "Dropout" && (n.output_size() < 2 || !used(n.output(1))))) {
        cur_ = out;
        return;
    }
    if (layout_step(n)) return;
    if (flip_pending_) fail(n, "a reverse RNN's sequence (ONNX: input order) is used without being flipped to Keras' processing order");
    if (layout_ == Layout::rnn_y || layout_ == Layout::rnn_y_h) fail(n, "uses an RNN output before its direction axis is squeezed");
    if (dense_step(n, model)) return;
    fail(n, "operator " + op + " is not supported (elman imports RNN, GRU, LSTM, Gemm, MatMul, Add, Tanh, Relu, Sigmoid, HardSigmoid, Softmax, Flatten, Transpose, "
            "Squeeze, Gather, Slice, Identity, Dropout)");
}

template <class T>
Sequential<T> Importer<T>::run(OnnxImportReport& rep)
{
    if (outputs_.size() != 1)
        throw Error(where_ + (opt_.output.empty() ? ": the graph has " + std::to_string(outputs_.size()) +
                                                        " outputs; elman imports one (choose it with OnnxImportOptions::output)"
                                                  : ": the graph has no output '" + opt_.output + "'"));
    std::vector<const onnx::ValueInfoProto*> data;
    for (const auto& in : g_.input())
        if (!init_.count(in.name()) && !opt_.constants.count(in.name())) data.push_back(&in);
    if (data.size() != 1)
        throw Error(where_ + ": the graph has " + std::to_string(data.size()) + " data inputs; elman imports single-input graphs (give "
                    "inputs that hold weights in OnnxImportOptions::constants)");
    rep.input_name = data[0]->name();
    rep.output_name = outputs_[0];
    Shape dims;
    for (const auto& d : data[0]->type().tensor_type().shape().dim()) dims.push_back(d.has_dim_value() && d.dim_value() > 0 ? static_cast<std::size_t>(d.dim_value()) : 0);
    Sequential<T> model;
    model.set_name(g_.name().empty() ? "onnx" : g_.name());
    cur_ = rep.input_name;
    for (std::size_t guard = 0; guard <= static_cast<std::size_t>(g_.node_size()); ++guard) {
        const onnx::NodeProto* n = next(cur_);
        if (!n) break;
        step(*n, model);
    }
    flush_dense(model);
    if (cur_ != rep.output_name) throw Error(where_ + ": the chain from input '" + rep.input_name + "' ends at '" + cur_ + "', not at the graph's output '" + rep.output_name + "'");
    if (flip_pending_) throw Error(where_ + ": the output is a reverse RNN's sequence in input order, which Keras' go_backwards does not produce");
    if (model.layers().empty()) throw Error(where_ + ": the graph computes nothing elman imports");
    rep.input_time_major = time_major_input_;
    rep.output_time_major = layout_ != Layout::batch_first;
    // Input shape without the batch axis, in elman's (batch-first) order.
    Shape shape;
    if (dims.size() == 3) shape = time_major_input_ ? Shape{dims[0], dims[2]} : Shape{dims[1], dims[2]};
    else if (dims.size() == 2) shape = {dims[1]};
    else throw Error(where_ + ": input '" + rep.input_name + "' has rank " + std::to_string(dims.size()) + "; expected [B,T,F] or [B,F]");
    if (shape.back() == 0 && time_major_input_features_) shape.back() = time_major_input_features_;
    try {
        model.build(shape);
    } catch (const Error& e) {
        throw Error(where_ + ": the layers do not fit input '" + rep.input_name + "' " + shape_str(dims) + ": " + e.what());
    }
    return model;
}

}  // namespace

template <class T>
Sequential<T> import_onnx(const std::string& path, const OnnxImportOptions<T>& options, OnnxImportReport* report)
{
    const std::string bytes = read_file_bytes(path, std::size_t(1) << 30);
    onnx::ModelProto m;
    if (bytes.empty() || !m.ParseFromString(bytes) || !m.has_graph())
        throw Error(path + ": not an ONNX model (the file does not parse as an onnx.ModelProto with a graph)");
    for (const auto& op : m.opset_import())
        if ((op.domain().empty() || op.domain() == "ai.onnx") && op.version() < 7)
            throw Error(path + ": opset " + std::to_string(op.version()) + " is older than elman reads (7 or later)");
    OnnxImportReport local;
    Importer<T> imp(m, path, options);
    return imp.run(report ? *report : local);
}

template <class T>
Tensor<T> load_onnx_tensor(const std::string& path)
{
    const std::string bytes = read_file_bytes(path, std::size_t(1) << 30);
    onnx::TensorProto p;
    if (!p.ParseFromString(bytes)) throw Error(path + ": not a serialized onnx.TensorProto");
    return detail::from_proto<T>(p, path);
}

template Sequential<float> import_onnx<float>(const std::string&, const OnnxImportOptions<float>&, OnnxImportReport*);
template Sequential<double> import_onnx<double>(const std::string&, const OnnxImportOptions<double>&, OnnxImportReport*);
template Tensor<float> load_onnx_tensor<float>(const std::string&);
template Tensor<double> load_onnx_tensor<double>(const std::string&);

}  // namespace elman
