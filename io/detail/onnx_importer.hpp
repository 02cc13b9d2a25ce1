// The state of import_onnx (io/onnx.hpp) as it walks a graph: the nodes by the values they
// make and read, the value in hand and its layout, and a Dense being assembled. Its steps are
// in io/onnx_import.cpp (layout and Dense nodes, the walk) and io/detail/onnx_import_recurrent.cpp
// (RNN, GRU and LSTM nodes). Internal to elman's io/.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "io/detail/onnx_proto.hpp"
#include "io/onnx.hpp"
#include "layers/dense.hpp"

namespace elman::detail::onnx_importer {

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

}  // namespace elman::detail::onnx_importer
