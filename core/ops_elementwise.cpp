// add, sub, mul, div, neg and their scalar forms, with numpy broadcasting.
// Shapes: a:[Sa] b:[Sb] -> y:[S] with S = broadcast(Sa, Sb); a gradient computed at shape S
// is summed back to Sa (or Sb) by sum_to_shape.
#include <cmath>
#include <string>

#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

#include "core/broadcast.hpp"
#include "core/ops.hpp"

namespace elman {

namespace {

template <class T>
Shape shape_of(const Tensor<T>& t)
{
    return Shape(t.shape().begin(), t.shape().end());
}

// Checks that a and b broadcast, naming the op otherwise.
template <class T>
void check_broadcast(const Var<T>& a, const Var<T>& b, const char* op)
{
    broadcast_shape(a.shape(op), b.shape(op), op);
}

}  // namespace

// y = a + b
// da += sum_to(dy, Sa)    db += sum_to(dy, Sb)
template <class T>
Var<T> add(const Var<T>& a, const Var<T>& b)
{
    check_broadcast(a, b, "add");
    Tensor<T> y = a.value("add") + b.value("add");
    return record<T>("add", std::move(y), {a, b}, [](BackwardContext<T>& c) {
        for (std::size_t k = 0; k < 2; ++k)
            if (c.needs_grad(k)) c.add_grad(k, sum_to_shape(c.grad(), shape_of(c.input(k))));
    });
}

// y = a − b
// da += sum_to(dy, Sa)    db −= sum_to(dy, Sb)
template <class T>
Var<T> sub(const Var<T>& a, const Var<T>& b)
{
    check_broadcast(a, b, "sub");
    Tensor<T> y = a.value("sub") - b.value("sub");
    return record<T>("sub", std::move(y), {a, b}, [](BackwardContext<T>& c) {
        if (c.needs_grad(0)) c.add_grad(0, sum_to_shape(c.grad(), shape_of(c.input(0))));
        if (c.needs_grad(1)) c.add_grad(1, -sum_to_shape(c.grad(), shape_of(c.input(1))));
    });
}

// y = a ⊙ b
// da += sum_to(dy ⊙ b, Sa)    db += sum_to(dy ⊙ a, Sb)
template <class T>
Var<T> mul(const Var<T>& a, const Var<T>& b)
{
    check_broadcast(a, b, "mul");
    Tensor<T> y = a.value("mul") * b.value("mul");
    return record<T>("mul", std::move(y), {a, b}, [](BackwardContext<T>& c) {
        if (c.needs_grad(0)) {
            Tensor<T> g = c.grad() * c.input(1);
            c.add_grad(0, sum_to_shape(g, shape_of(c.input(0))));
        }
        if (c.needs_grad(1)) {
            Tensor<T> g = c.grad() * c.input(0);
            c.add_grad(1, sum_to_shape(g, shape_of(c.input(1))));
        }
    });
}

// y = a / b
// da += sum_to(dy / b, Sa)    db += sum_to(−dy ⊙ a / b², Sb) = sum_to(−dy ⊙ y / b, Sb)
template <class T>
Var<T> div(const Var<T>& a, const Var<T>& b)
{
    check_broadcast(a, b, "div");
    const auto& bv = b.value("div");
    for (std::size_t i = 0; i < bv.size(); ++i)
        if (bv.data()[i] == T(0))
            throw Error("div: divisor of shape " + shape_str(bv.shape()) +
                        " has a zero at flat index " + std::to_string(i));
    Tensor<T> y = a.value("div") / bv;
    return record<T>("div", std::move(y), {a, b}, [](BackwardContext<T>& c) {
        if (c.needs_grad(0)) {
            Tensor<T> g = c.grad() / c.input(1);
            c.add_grad(0, sum_to_shape(g, shape_of(c.input(0))));
        }
        if (c.needs_grad(1)) {
            Tensor<T> g = -c.grad() * c.value() / c.input(1);
            c.add_grad(1, sum_to_shape(g, shape_of(c.input(1))));
        }
    });
}

// y = −a
// da −= dy
template <class T>
Var<T> neg(const Var<T>& a)
{
    Tensor<T> y = -a.value("neg");
    return record<T>("neg", std::move(y), {a},
                     [](BackwardContext<T>& c) { c.add_grad(0, -c.grad()); });
}

// y = a + s
// da += dy
template <class T>
Var<T> add_scalar(const Var<T>& a, T s)
{
    Tensor<T> y = a.value("add_scalar") + s;
    return record<T>("add_scalar", std::move(y), {a},
                     [](BackwardContext<T>& c) { c.add_grad(0, c.grad()); });
}

// y = a · s
// da += dy · s
template <class T>
Var<T> mul_scalar(const Var<T>& a, T s)
{
    Tensor<T> y = a.value("mul_scalar") * s;
    return record<T>("mul_scalar", std::move(y), {a},
                     [s](BackwardContext<T>& c) { c.add_grad(0, c.grad() * s); });
}

// y = s − a
// da −= dy
template <class T>
Var<T> rsub_scalar(const Var<T>& a, T s)
{
    Tensor<T> y = s - a.value("rsub_scalar");
    return record<T>("rsub_scalar", std::move(y), {a},
                     [](BackwardContext<T>& c) { c.add_grad(0, -c.grad()); });
}

// y = s / a
// da += −dy · s / a² = −dy ⊙ y / a
template <class T>
Var<T> rdiv_scalar(const Var<T>& a, T s)
{
    const auto& av = a.value("rdiv_scalar");
    for (std::size_t i = 0; i < av.size(); ++i)
        if (av.data()[i] == T(0))
            throw Error("rdiv_scalar: divisor of shape " + shape_str(av.shape()) +
                        " has a zero at flat index " + std::to_string(i));
    Tensor<T> y = s / av;
    return record<T>("rdiv_scalar", std::move(y), {a}, [](BackwardContext<T>& c) {
        c.add_grad(0, -c.grad() * c.value() / c.input(0));
    });
}

#define ELMAN_INSTANTIATE(T)                                      \
    template Var<T> add(const Var<T>&, const Var<T>&);            \
    template Var<T> sub(const Var<T>&, const Var<T>&);            \
    template Var<T> mul(const Var<T>&, const Var<T>&);            \
    template Var<T> div(const Var<T>&, const Var<T>&);            \
    template Var<T> neg(const Var<T>&);                           \
    template Var<T> add_scalar(const Var<T>&, T);                 \
    template Var<T> mul_scalar(const Var<T>&, T);                 \
    template Var<T> rsub_scalar(const Var<T>&, T);                \
    template Var<T> rdiv_scalar(const Var<T>&, T);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
