// The ONNX graph export_onnx (io/onnx_export.cpp) writes into: nodes, initializers (weights
// and integer constants), graph inputs and outputs, and node attributes. Internal to io/.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "core/tensor.hpp"
#include "io/detail/onnx_proto.hpp"

namespace elman::detail::onnx_graph {

// A value flowing through the graph: its name and rank (2: [B,F], 3: [B,T,F]).
struct Value {
    std::string name;
    std::size_t rank;
};

// Appends to one GraphProto: nodes in order, initializers (T: float or double weights; int64
// constants), graph inputs and outputs.
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

// Node attributes, one function per ONNX attribute type (INT, STRING, INTS, STRINGS, FLOATS).
inline void attr(onnx::NodeProto& n, const std::string& name, std::int64_t v)
{
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
}
inline void attr(onnx::NodeProto& n, const std::string& name, const std::string& v)
{
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
}
inline void attr_ints(onnx::NodeProto& n, const std::string& name, const std::vector<std::int64_t>& v)
{
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto x : v) a->add_ints(x);
}
inline void attr_strings(onnx::NodeProto& n, const std::string& name, const std::vector<std::string>& v)
{
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRINGS);
    for (const auto& x : v) a->add_strings(x);
}
inline void attr_floats(onnx::NodeProto& n, const std::string& name, const std::vector<float>& v)
{
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOATS);
    for (auto x : v) a->add_floats(x);
}

// A graph input's dimension: d, or `symbol` (a named, free dimension) when d is 0.
inline std::string dim(std::size_t d, const std::string& symbol) { return d == 0 ? symbol : std::to_string(d); }

}  // namespace elman::detail::onnx_graph
