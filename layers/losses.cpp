#include "layers/losses.hpp"

#include <cmath>
#include <string>

namespace elman {

namespace {

// One fused node for loss = scale · Σ_i ℓ(p_i − t_i), with ℓ' given as `dl`.
//   forward:   e_i = p_i − t_i          p, t: [...] (same shape) -> loss: []
//              loss = scale · Σ_i ℓ(e_i)        scale = 1/N (mean) or 1 (sum)
//   backward:  dp_i += dloss · scale · ℓ'(e_i)
//              dt_i −= dloss · scale · ℓ'(e_i)  (de/dt = −1)
// The sum is accumulated in double: for float32 it gives the correctly rounded mean, which is
// what PyTorch's pairwise reduction approximates.
template <class T, class L, class DL>
Var<T> pointwise_loss(const char* op, const Var<T>& pred, const Var<T>& target,
                      Reduction reduction, L loss, DL dl)
{
    if (reduction == Reduction::none)
        throw Error(std::string(op) + ": Reduction::none is not offered by the regression losses "
                    "(for elementwise losses use ops, e.g. square(pred - target))");
    const Tensor<T>& p = pred.value(op);
    const Tensor<T>& t = target.value(op);
    if (p.shape() != t.shape())
        throw Error(std::string(op) + ": pred has shape " + shape_str(p.shape()) +
                    " but target has shape " + shape_str(t.shape()) +
                    "; they must be identical (reshape one, e.g. [B] -> [B,1])");
    const std::size_t n = p.size();
    if (n == 0) throw Error(std::string(op) + ": pred of shape " + shape_str(p.shape()) + " is empty");
    const T scale = reduction == Reduction::mean ? T(1) / static_cast<T>(n) : T(1);

    const T* pp = p.data();
    const T* tp = t.data();
    double total = 0.0;
    for (std::size_t i = 0; i < n; ++i) total += static_cast<double>(loss(pp[i] - tp[i]));
    const T value = static_cast<T>(reduction == Reduction::mean ? total / static_cast<double>(n) : total);

    return record<T>(op, scalar_tensor(value), {pred, target}, [scale, n, dl](BackwardContext<T>& c) {
        const T g = c.grad().data()[0] * scale;
        const T* p = c.input(0).data();
        const T* t = c.input(1).data();
        T* dp = c.needs_grad(0) ? c.grad_buffer(0).data() : nullptr;
        T* dt = c.needs_grad(1) ? c.grad_buffer(1).data() : nullptr;
        for (std::size_t i = 0; i < n; ++i) {
            const T d = g * dl(p[i] - t[i]);
            if (dp) dp[i] += d;
            if (dt) dt[i] -= d;
        }
    });
}

}  // namespace

// ℓ(e) = e²,  ℓ'(e) = 2e
template <class T>
Var<T> mse(const Var<T>& pred, const Var<T>& target, Reduction reduction)
{
    return pointwise_loss<T>(
        "mse", pred, target, reduction, [](T e) { return e * e; }, [](T e) { return T(2) * e; });
}

// ℓ(e) = |e|,  ℓ'(e) = sign(e)  (0 at e = 0)
template <class T>
Var<T> mae(const Var<T>& pred, const Var<T>& target, Reduction reduction)
{
    return pointwise_loss<T>(
        "mae", pred, target, reduction, [](T e) { return std::abs(e); },
        [](T e) { return e > T(0) ? T(1) : (e < T(0) ? T(-1) : T(0)); });
}

// ℓ(e) = 0.5·e² if |e| <= δ else δ·(|e| − 0.5·δ)
// ℓ'(e) = e     if |e| <= δ else δ·sign(e)        (continuous at |e| = δ)
template <class T>
Var<T> huber(const Var<T>& pred, const Var<T>& target, std::type_identity_t<T> delta,
             Reduction reduction)
{
    if (!(delta > T(0)) || !std::isfinite(delta))
        throw Error("huber: delta must be a finite number > 0, got " + std::to_string(delta));
    return pointwise_loss<T>(
        "huber", pred, target, reduction,
        [delta](T e) {
            const T a = std::abs(e);
            return a <= delta ? T(0.5) * e * e : delta * (a - T(0.5) * delta);
        },
        [delta](T e) { return std::abs(e) <= delta ? e : (e > T(0) ? delta : -delta); });
}

#define ELMAN_INSTANTIATE(T)                                                        \
    template Var<T> mse(const Var<T>&, const Var<T>&, Reduction);                   \
    template Var<T> mae(const Var<T>&, const Var<T>&, Reduction);                   \
    template Var<T> huber(const Var<T>&, const Var<T>&, std::type_identity_t<T>, Reduction);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
