#include "core/tape.hpp"

#include <iomanip>
#include <ostream>
#include <sstream>

#include <xtensor/xbuilder.hpp>

namespace elman {

namespace {
thread_local bool g_grad_enabled = true;
}

bool grad_enabled() { return g_grad_enabled; }

NoGrad::NoGrad() : previous_(g_grad_enabled) { g_grad_enabled = false; }
NoGrad::~NoGrad() { g_grad_enabled = previous_; }

template <class T>
void Parameter<T>::zero_grad()
{
    if (grad.shape() == value.shape())
        grad.fill(T(0));
    else
        grad = xt::zeros<T>(value.shape());
}

// ---- Var ----

template <class T>
detail::TapeState<T>& Var<T>::tape(const char* op) const
{
    if (!state_)
        throw Error(std::string(op) + ": Var is empty (default-constructed, never recorded)");
    if (tape_.expired()) throw Error(std::string(op) + ": Var used after its tape was destroyed");
    return *state_;
}

template <class T>
const Tensor<T>& Var<T>::value(const char* op) const
{
    return tape(op).value(index_);
}

template <class T>
bool Var<T>::has_grad() const
{
    const auto& n = tape("has_grad").nodes[index_];
    return n.param ? n.has_grad || n.param->grad.size() == n.param->value.size() : n.has_grad;
}

template <class T>
const Tensor<T>& Var<T>::grad() const
{
    const auto& n = tape("grad").nodes[index_];
    if (n.param) return n.param->grad;
    if (!n.has_grad)
        throw Error("grad: no gradient reached %" + std::to_string(index_) + " (" + n.op +
                    "); call backward first, or it does not influence the loss");
    return *n.grad;
}

template <class T>
bool Var<T>::requires_grad() const
{
    return tape("requires_grad").nodes[index_].requires_grad;
}

template <class T>
Shape Var<T>::shape(const char* op) const
{
    const auto& v = value(op);
    return Shape(v.shape().begin(), v.shape().end());
}

template <class T>
std::size_t Var<T>::dim(const char* op) const { return value(op).dimension(); }

template <class T>
std::size_t Var<T>::size(const char* op) const { return value(op).size(); }

template <class T>
T Var<T>::item() const
{
    const auto& v = value("item");
    if (v.size() != 1)
        throw Error("item: Var has shape " + shape_str(v.shape()) + ", not one element");
    return v.data()[0];
}

template <class T>
std::string Var<T>::op() const
{
    return tape("op").nodes[index_].op;
}

// ---- BackwardContext ----

template <class T>
const Tensor<T>& BackwardContext<T>::grad() const { return *tape_.nodes[self_].grad; }

template <class T>
const Tensor<T>& BackwardContext<T>::value() const { return tape_.value(self_); }

template <class T>
const Tensor<T>& BackwardContext<T>::input(std::size_t k) const
{
    return tape_.value(tape_.nodes[self_].parents[k]);
}

template <class T>
std::size_t BackwardContext<T>::num_inputs() const { return tape_.nodes[self_].parents.size(); }

template <class T>
bool BackwardContext<T>::needs_grad(std::size_t k) const
{
    return tape_.nodes[tape_.nodes[self_].parents[k]].requires_grad;
}

template <class T>
Tensor<T>& BackwardContext<T>::grad_buffer(std::size_t k)
{
    return tape_.grad_buffer(tape_.nodes[self_].parents[k]);
}

template <class T>
void BackwardContext<T>::throw_shape_mismatch(std::size_t k, const Shape& got) const
{
    const auto& node = tape_.nodes[self_];
    throw Error(std::string(node.op) + " backward: gradient for input " + std::to_string(k) +
                " has shape " + shape_str(got) + " but the input has shape " +
                shape_str(tape_.value(node.parents[k]).shape()));
}

// ---- TapeState ----

namespace detail {

template <class T>
Var<T> TapeState<T>::last()
{
    Var<T> v;
    v.tape_ = this->weak_from_this();
    v.state_ = this;
    v.index_ = nodes.size() - 1;
    return v;
}

template <class T>
Tensor<T>& TapeState<T>::grad_buffer(std::size_t i)
{
    Node<T>& n = nodes[i];
    if (n.param) {
        // A parameter's gradient persists across tapes: allocate once, then keep adding.
        if (n.param->grad.shape() != n.param->value.shape())
            n.param->grad = xt::zeros<T>(n.param->value.shape());
        n.has_grad = true;
        return n.param->grad;
    }
    if (!n.has_grad) {
        n.grad.emplace(xt::zeros<T>(n.value.shape()));
        n.has_grad = true;
    }
    return *n.grad;
}

}  // namespace detail

// ---- record ----

namespace detail {

template <class T>
std::pair<Var<T>, Node<T>*> record_node(const char* op, Tensor<T>&& value,
                                        const std::vector<Var<T>>& inputs)
{
    if (inputs.empty()) throw Error(std::string(op) + ": no inputs");
    TapeState<T>* s = &inputs[0].tape(op);
    bool any = false;
    for (const auto& in : inputs) {
        if (!in.on(*s)) {
            in.tape(op);  // throws if this input is empty or its tape is gone
            throw Error(std::string(op) + ": inputs belong to different tapes");
        }
        any = any || s->nodes[in.index()].requires_grad;
    }
    // Parents are kept for every node, so print() and to_dot() show where constants come from;
    // the backward function only when a gradient can flow.
    Node<T>& node = s->nodes.emplace_back(op, std::string(), std::move(value));
    for (const auto& in : inputs) node.parents.push_back(in.index());
    node.requires_grad = grad_enabled() && any;
    return {s->last(), node.requires_grad ? &node : nullptr};
}

}  // namespace detail

template <class T>
Var<T> detach(const Var<T>& x)
{
    auto& s = x.tape("detach");
    return s.emplace("detach", "%" + std::to_string(x.index()), Tensor<T>(s.value(x.index())));
}

// ---- Tape ----

template <class T>
Tape<T>::Tape() : state_(std::make_shared<detail::TapeState<T>>()) {}

template <class T>
Tape<T>::~Tape() = default;

template <class T>
Var<T> Tape<T>::variable(Tensor<T> value, std::string label)
{
    state_->nodes.emplace_back("input", std::move(label), std::move(value));
    state_->back().requires_grad = grad_enabled();
    return state_->last();
}

template <class T>
Var<T> Tape<T>::constant(Tensor<T> value, std::string label)
{
    return state_->emplace("constant", std::move(label), std::move(value));
}

template <class T>
Var<T> Tape<T>::param(Parameter<T>& p)
{
    // no value and no label of its own: TapeState::value() reads p.value, Node::name() p.name
    state_->nodes.emplace_back("param", &p);
    state_->back().requires_grad = grad_enabled();
    return state_->last();
}

template <class T>
void Tape<T>::backward(const Var<T>& loss)
{
    const auto& v = loss.value("backward");
    if (v.size() != 1)
        throw Error("backward: output %" + std::to_string(loss.index()) + " has shape " +
                    shape_str(v.shape()) +
                    "; backward without a seed needs a one-element loss (reduce it with "
                    "sum/mean, or pass dL/doutput as the seed)");
    backward(loss, xt::ones<T>(v.shape()));
}

template <class T>
void Tape<T>::backward(const Var<T>& output, const Tensor<T>& seed)
{
    detail::TapeState<T>* s = &output.tape("backward");
    if (s != state_.get()) throw Error("backward: output belongs to a different tape");
    if (s->backward_done)
        throw Error("backward: called twice on the same tape; record a new tape for each "
                    "backward pass");
    const std::size_t top = output.index();
    auto& out = s->nodes[top];
    if (s->value(top).shape() != seed.shape())
        throw Error("backward: seed has shape " + shape_str(seed.shape()) +
                    " but the output has shape " + shape_str(s->value(top).shape()));
    if (!out.requires_grad)
        throw Error("backward: output %" + std::to_string(top) + " (" + out.op +
                    ") does not depend on any variable or parameter that needs a gradient");
    s->backward_done = true;
    xt::noalias(s->grad_buffer(top)) += seed;
    for (std::size_t i = top + 1; i-- > 0;) {
        auto& n = s->nodes[i];
        if (!n.backward || !n.has_grad) continue;
        BackwardContext<T> ctx(*s, i);
        n.backward(ctx);
    }
}

template <class T>
std::size_t Tape<T>::size() const { return state_->nodes.size(); }

template <class T>
std::size_t Tape<T>::recorded() const
{
    std::size_t k = 0;
    for (std::size_t i = 0; i < state_->nodes.size(); ++i) k += state_->nodes[i].backward ? 1 : 0;
    return k;
}

template <class T>
void Tape<T>::print(std::ostream& os) const
{
    const auto& nodes = state_->nodes;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const auto& n = nodes[i];
        std::ostringstream line;
        line << "%" << i << " = " << n.op;
        if (!n.name().empty()) line << " " << n.name();
        if (!n.parents.empty()) {
            line << "(";
            for (std::size_t k = 0; k < n.parents.size(); ++k)
                line << (k ? ", %" : "%") << n.parents[k];
            line << ")";
        }
        os << std::left << std::setw(32) << line.str() << " " << shape_str(state_->value(i).shape())
           << (n.requires_grad ? "" : "  (no grad)") << "\n";
    }
}

template <class T>
std::string Tape<T>::str() const
{
    std::ostringstream os;
    print(os);
    return os.str();
}

#define ELMAN_INSTANTIATE(T)                                                              \
    template struct Parameter<T>;                                                        \
    template class Var<T>;                                                               \
    template class BackwardContext<T>;                                                   \
    template class Tape<T>;                                                              \
    template struct detail::TapeState<T>;                                                \
    template std::pair<Var<T>, detail::Node<T>*> detail::record_node<T>(                 \
        const char*, Tensor<T>&&, const std::vector<Var<T>>&);                           \
    template Var<T> detach<T>(const Var<T>&);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
