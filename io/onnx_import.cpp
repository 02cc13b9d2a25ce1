// import_onnx (io/onnx.hpp): follows the graph from its data input to its output, one node at
// a time, tracking the layout of the value in hand (batch first, time major, an RNN's Y or
// Y_h), and turns each run of nodes into the elman layer it computes. Side branches that only
// compute shapes (Shape, Gather, Concat, ... feeding PyTorch's zero initial_h) are recognised
// by what they produce, never evaluated.
#include <xtensor/xview.hpp>

#include "core/error.hpp"
#include "io/detail/onnx_importer.hpp"
#include "io/files.hpp"
#include "io/onnx.hpp"
#include "layers/flatten.hpp"

namespace elman {

namespace detail::onnx_importer {

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

}  // namespace detail::onnx_importer

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
    detail::onnx_importer::Importer<T> imp(m, path, options);
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
