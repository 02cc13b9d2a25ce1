// The tape: reverse-mode automatic differentiation, one list of nodes.
//
// Every differentiable op computes its result eagerly and appends one node to the tape:
// its value, its parents, and a backward function that turns the gradient of its output
// into gradients of its inputs. Nodes are appended in creation order, which is already a
// topological order, so backward(loss) is a single reverse loop over the list:
//
//     for i = loss .. 0:   node[i].backward(dL/d node[i])   // adds into its parents' grads
//
// Gradients accumulate (+=): a value used twice receives both contributions; a weight used at
// every time step receives the sum over steps, which is what BPTT is.
//
// One tape per training step. Destroying the tape frees the graph; a Var that outlives its
// tape throws when used. Parameters (weights) live outside the tape: tape.param(p) makes a
// leaf bound to p, and backward adds into p.grad, which persists until zero_grad().
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <xtensor/xnoalias.hpp>
#include <xtensor/xstorage.hpp>

#include "core/error.hpp"
#include "core/node_list.hpp"
#include "core/tensor.hpp"

namespace elman {

// A trainable weight: lives across tapes; its gradient accumulates until zero_grad().
template <class T>
struct Parameter {
    std::string name;
    Tensor<T> value;
    Tensor<T> grad;  // shape of value once zero_grad() or a backward has touched it

    void zero_grad();
};

template <class T>
class Tape;

namespace detail {
template <class T>
struct TapeState;
}

// A value recorded on a tape: a cheap handle (tape + node index), copied freely.
template <class T>
class Var {
public:
    Var() = default;
    Var(const Var&) = default;
    Var& operator=(const Var&) = default;
    // A moved-from Var is empty (not "used after its tape was destroyed").
    Var(Var&& o) noexcept
        : tape_(std::move(o.tape_)), state_(std::exchange(o.state_, nullptr)), index_(o.index_)
    {
    }
    Var& operator=(Var&& o) noexcept
    {
        if (this != &o) {
            tape_ = std::move(o.tape_);
            state_ = std::exchange(o.state_, nullptr);
            index_ = o.index_;
        }
        return *this;
    }

    // `op` names the caller in the error thrown when the tape is gone.
    const Tensor<T>& value(const char* op = "value") const;
    // dL/d(this) after backward; throws if no gradient reached this node.
    const Tensor<T>& grad() const;
    bool has_grad() const;
    bool requires_grad() const;
    Shape shape(const char* op = "shape") const;
    std::size_t dim(const char* op = "dim") const;
    std::size_t size(const char* op = "size") const;
    // The value of a one-element Var.
    T item() const;
    std::size_t index() const { return index_; }
    // The op that produced this Var ("matmul", "input", ...).
    std::string op() const;

    // The tape this Var lives on; throws naming `op` if that tape is gone or Var is empty.
    // Takes no reference: tape_.expired() is one load, where lock() is two atomic
    // read-modify-writes, and every op reads its inputs' values through here.
    detail::TapeState<T>& tape(const char* op) const;
    // Whether this Var was recorded on `tape`, which is live.
    bool on(const detail::TapeState<T>& tape) const { return state_ == &tape && !tape_.expired(); }

private:
    friend struct detail::TapeState<T>;
    // state_ is read only while tape_ is live. It cannot point to a newer tape at the same
    // address: the tape's state is make_shared, so tape_ keeps its block allocated.
    std::weak_ptr<detail::TapeState<T>> tape_;
    detail::TapeState<T>* state_ = nullptr;
    std::size_t index_ = 0;
};

// What a backward function sees: the gradient of its output, the values of its inputs, and
// a way to add into the inputs' gradients. Input k is the k-th Var given to record().
template <class T>
class BackwardContext {
public:
    BackwardContext(detail::TapeState<T>& tape, std::size_t self) : tape_(tape), self_(self) {}

    const Tensor<T>& grad() const;        // dL/dy, shape of y
    const Tensor<T>& value() const;       // y
    const Tensor<T>& input(std::size_t k) const;
    std::size_t num_inputs() const;
    bool needs_grad(std::size_t k) const;  // false for constants and detached values

    // dL/d input_k += e   (e must have input k's shape; broadcasting here would hide bugs)
    template <class E>
    void add_grad(std::size_t k, E&& e)
    {
        if (!needs_grad(k)) return;
        Tensor<T>& g = grad_buffer(k);
        if (!same_shape(e.shape(), g.shape()))
            throw_shape_mismatch(k, Shape(e.shape().begin(), e.shape().end()));
        xt::noalias(g) += std::forward<E>(e);
    }

    // Input k's gradient buffer, zero-filled on first use, for kernels that accumulate
    // into it directly (BLAS with beta = 1). Only call when needs_grad(k).
    Tensor<T>& grad_buffer(std::size_t k);

private:
    template <class S1, class S2>
    static bool same_shape(const S1& a, const S2& b)
    {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (static_cast<std::size_t>(a[i]) != static_cast<std::size_t>(b[i])) return false;
        return true;
    }
    [[noreturn]] void throw_shape_mismatch(std::size_t k, const Shape& got) const;

    detail::TapeState<T>& tape_;
    std::size_t self_;
};

template <class T>
using BackwardFn = std::function<void(BackwardContext<T>&)>;

namespace detail {
template <class T>
struct Node;
// record()'s node without its backward function: the Var, and the node when a gradient can
// flow through it (else nullptr). Throws elman::Error naming `op` if `inputs` is empty, an
// input is empty or its tape is gone, or the inputs are on different tapes.
template <class T>
std::pair<Var<T>, Node<T>*> record_node(const char* op, Tensor<T>&& value,
                                        const std::vector<Var<T>>& inputs);
}  // namespace detail

// Append a node computed by `op` from `inputs`. The backward function (any copyable callable
// taking a BackwardContext<T>&, as std::function requires) is kept only when gradients are
// enabled and some input needs a gradient; otherwise the node is a constant (which still lists
// its parents, for print() and to_dot()), and no std::function is built: under NoGrad an op
// allocates nothing for its backward. If building it throws, the node is taken back and the
// tape is as before.
template <class T, class F>
Var<T> record(const char* op, Tensor<T> value, const std::vector<Var<T>>& inputs, F&& backward)
{
    auto [var, node] = detail::record_node(op, std::move(value), inputs);
    if (node) {
        try {
            node->backward = std::forward<F>(backward);
        }
        catch (...) {
            var.tape(op).nodes.pop_back();
            throw;
        }
    }
    return var;
}

template <class T>
class Tape {
public:
    Tape();
    ~Tape();
    Tape(const Tape&) = delete;
    Tape& operator=(const Tape&) = delete;

    // A leaf that receives a gradient (an input you differentiate with respect to).
    Var<T> variable(Tensor<T> value, std::string label = "x");
    // A leaf that does not (data, targets).
    Var<T> constant(Tensor<T> value, std::string label = "const");
    // A leaf bound to a parameter: reads p.value, backward adds into p.grad.
    // p must outlive the tape and must not change until backward has run.
    Var<T> param(Parameter<T>& p);

    // Reverse sweep from a one-element loss (seed dL/dloss = 1).
    void backward(const Var<T>& loss);
    // Reverse sweep from any output, given dL/doutput (same shape as the output).
    void backward(const Var<T>& output, const Tensor<T>& seed);

    std::size_t size() const;      // nodes on the tape
    std::size_t recorded() const;  // nodes with a backward function
    // One line per node: index, op, parents, shape. A teaching feature.
    void print(std::ostream& os) const;
    std::string str() const;

    detail::TapeState<T>& state() { return *state_; }

private:
    std::shared_ptr<detail::TapeState<T>> state_;
};

// Gradients are recorded while this is true (the default), per thread.
bool grad_enabled();

// Scope in which ops compute values only and record nothing for backward:
//   { NoGrad guard; auto y = model.forward(tape, x); }
class NoGrad {
public:
    NoGrad();
    ~NoGrad();
    NoGrad(const NoGrad&) = delete;
    NoGrad& operator=(const NoGrad&) = delete;

private:
    bool previous_;
};

// Same value, no gradient flows back through it (a new leaf on the same tape).
template <class T>
Var<T> detach(const Var<T>& x);

namespace detail {

template <class T>
struct Node {
    Node(const char* op_, std::string label_, Tensor<T>&& value_)
        : op(op_), label(std::move(label_)), value(std::move(value_))
    {
    }
    // A tape.param() leaf: no label and no value of its own (both are the parameter's), so
    // recording a weight allocates nothing.
    Node(const char* op_, Parameter<T>* p)
        : op(op_), value(Tensor<T>::from_shape(std::array<std::size_t, 1>{0})), param(p)
    {
    }

    // What print() and to_dot() show after the op: the label, or the parameter's name.
    const std::string& name() const { return param ? param->name : label; }

    const char* op = "";
    std::string label;               // leaves: "x", ...; empty for parameters (name())
    // Set by the constructor's caller: a default xarray is 0-D, one element on the heap, and a
    // batch-1 forward records few enough nodes that those allocations showed in its profile.
    Tensor<T> value;
    std::optional<Tensor<T>> grad;   // allocated by the first gradient that reaches the node
    bool has_grad = false;           // grad holds dL/dvalue
    bool requires_grad = false;
    // The inputs' node indices (ops have 1-5 inputs: no heap allocation up to 4).
    xt::svector<std::size_t, 4> parents;
    BackwardFn<T> backward;
    Parameter<T>* param = nullptr;   // set for tape.param() leaves
};

template <class T>
struct TapeState : std::enable_shared_from_this<TapeState<T>> {
    NodeList<Node<T>> nodes;
    bool backward_done = false;

    const Tensor<T>& value(std::size_t i) const
    {
        const Node<T>& n = nodes[i];
        return n.param ? n.param->value : n.value;
    }
    // Appends a node built in place from Node's constructor arguments and returns its Var.
    // In place: moving a Node moves two tensors' shape vectors, which a batch-1 forward's
    // profile showed.
    template <class... Args>
    Var<T> emplace(Args&&... args)
    {
        nodes.emplace_back(std::forward<Args>(args)...);
        return last();
    }
    // The newest node, to finish in place before taking its Var from last().
    Node<T>& back() { return nodes.back(); }
    Var<T> last();
    Tensor<T>& grad_buffer(std::size_t i);
};

}  // namespace detail

}  // namespace elman
