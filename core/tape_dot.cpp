#include "core/tape_dot.hpp"

#include <ostream>
#include <sstream>

namespace elman {

namespace {

// Text inside a DOT string literal: quotes and backslashes escaped.
std::string escaped(const std::string& s)
{
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

template <class T>
void write_dot(std::ostream& os, const Tape<T>& tape, const DotOptions& options)
{
    // Tape::state() has no const overload; nothing below modifies the tape.
    const detail::TapeState<T>& s = const_cast<Tape<T>&>(tape).state();
    os << "digraph \"" << escaped(options.name) << "\" {\n"
       << "  rankdir=" << options.rankdir << ";\n"
       << "  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n"
       << "  edge [fontname=\"Helvetica\", fontsize=9];\n";

    for (std::size_t i = 0; i < s.nodes.size(); ++i) {
        const detail::Node<T>& n = s.nodes[i];
        // Lines of the label joined by DOT's "\n" (added after escaping the text).
        std::string label = "%" + std::to_string(i) + " " + escaped(n.op);
        if (!n.name().empty()) label += " " + escaped(n.name());
        label += "\\n" + shape_str(s.value(i).shape());
        if (options.gradients && n.has_grad) {
            const Tensor<T>& g = n.param ? n.param->grad : *n.grad;
            label += "\\ngrad " + shape_str(g.shape());
        }
        std::string style;
        if (n.param)
            style = ", style=filled, fillcolor=\"#ffe9b3\"";  // a weight: gradient kept
        else if (n.parents.empty() && !n.requires_grad)
            style = ", shape=ellipse, style=filled, fillcolor=\"#eeeeee\"";  // data, no grad
        else if (n.parents.empty())
            style = ", shape=ellipse, style=filled, fillcolor=\"#d6eaf8\"";  // a variable
        else if (!n.requires_grad)
            style = ", style=dashed";
        os << "  n" << i << " [label=\"" << label << "\"" << style << "];\n";
    }

    // Forward: parent -> child, in the order of the child's inputs.
    for (std::size_t i = 0; i < s.nodes.size(); ++i)
        for (std::size_t p : s.nodes[i].parents) os << "  n" << p << " -> n" << i << ";\n";

    // Backward: child -> parent where the child's backward ran (it had a gradient) and the
    // parent takes one. constraint=false keeps the layout that of the forward graph.
    if (options.gradients)
        for (std::size_t i = s.nodes.size(); i-- > 0;) {
            const detail::Node<T>& n = s.nodes[i];
            if (!n.backward || !n.has_grad) continue;
            for (std::size_t p : n.parents)
                if (s.nodes[p].requires_grad)
                    os << "  n" << i << " -> n" << p
                       << " [style=dashed, color=\"#c0392b\", constraint=false];\n";
        }
    os << "}\n";
}

template <class T>
std::string to_dot(const Tape<T>& tape, const DotOptions& options)
{
    std::ostringstream os;
    write_dot(os, tape, options);
    return os.str();
}

#define ELMAN_INSTANTIATE(T)                                                              \
    template void write_dot<T>(std::ostream&, const Tape<T>&, const DotOptions&);        \
    template std::string to_dot<T>(const Tape<T>&, const DotOptions&);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
