// The cross-entropy losses of Keras 3 (keras/src/losses/losses.py, keras/src/backend/*/nn.py),
// each ONE tape node whose backward is written out below its forward.
//
// pred is walked as lines along the class axis (core/axis.hpp's [outer, K, inner] view): line
// r = o·inner + i holds the K scores of sample r, at pred[first_r + j·inner], j < K. A loss
// computes one value ℓ_r per line, then the reduction
//     sum_over_batch_size:  L = (1/n) Σ_r ℓ_r      sum:  L = Σ_r ℓ_r      none:  L_r = ℓ_r
// and its backward hands line r the seed g_r = dL/dℓ_r: dL·(1/n), dL, or dL_r.
//
// Probabilities (from_logits = false) are used as Keras uses them: renormalised along the class
// axis (categorical) and clipped to [ε, 1 − ε], ε = 1e-7; the clip passes no gradient where it
// is active (as TF's clip_by_value). Logits go through log-sum-exp / log-sigmoid: exact, no clip.
#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "core/axis.hpp"
#include "core/softmax_line.hpp"
#include "layers/targets.hpp"
#include "layers/losses.hpp"

namespace elman {

namespace {

struct Lines {
    AxisSplit split;
    Shape per_sample;  // pred's shape without the class axis
    std::size_t count() const { return split.outer * split.inner; }
    std::size_t first(std::size_t r) const
    {
        return r / split.inner * split.k * split.inner + r % split.inner;
    }
};

Lines lines_of(const std::string& op, const Shape& shape, int axis)
{
    if (shape.empty()) throw Error(op + ": pred is a scalar (shape []); it needs a class axis");
    const std::size_t ax = normalize_axis(axis, shape.size(), op.c_str(), shape);
    Lines l{split_at_axis(shape, ax), shape};
    l.per_sample.erase(l.per_sample.begin() + static_cast<long>(ax));
    std::size_t elements = 1;
    for (std::size_t d : shape) elements *= d;
    if (elements == 0) throw Error(op + ": pred of shape " + shape_str(shape) + " is empty");
    return l;
}

template <class T>
std::string number(T v)
{
    std::ostringstream os;
    os << static_cast<double>(v);
    return os.str();
}

// "pred[2,1] = -0.3 ..." for the element at flat index `flat`.
[[noreturn]] void bad_pred(const std::string& op, const Shape& shape, std::size_t flat,
                           const std::string& value, const std::string& problem)
{
    throw Error(op + ": pred" + shape_str(unravel_index(flat, shape)) + " = " + value + " " +
                problem + "; with from_logits = false pred must hold probabilities (a softmax "
                "or sigmoid output): pass from_logits = true if it holds logits");
}

void check_options(const std::string& op, const CrossentropyOptions& o)
{
    if (!(o.label_smoothing >= 0.0 && o.label_smoothing <= 1.0))
        throw Error(op + ": label_smoothing must be in [0, 1], got " + number(o.label_smoothing));
}

// One node for L = reduce_r ℓ_r. loss(r) gives ℓ_r from the forward values; step(p, t, r, g_r,
// dp, dt) adds line r's share of the gradient into dp and dt (either may be null).
template <class T, class Loss, class Step>
Var<T> reduced(const char* op, const Var<T>& pred, const Var<T>& target, const Lines& lines,
               Reduction reduction, Loss loss, Step step)
{
    const std::size_t n = lines.count();
    Tensor<T> per = Tensor<T>::from_shape(lines.per_sample);
    double total = 0;  // in double: the correctly rounded mean for float, as in losses.cpp
    for (std::size_t r = 0; r < n; ++r) {
        per.data()[r] = loss(r);
        total += static_cast<double>(per.data()[r]);
    }
    Tensor<T> value = reduction == Reduction::none
                          ? std::move(per)
                          : scalar_tensor(static_cast<T>(
                                reduction == Reduction::sum ? total : total / static_cast<double>(n)));
    return record<T>(op, std::move(value), {pred, target}, [n, reduction, step](BackwardContext<T>& c) {
        T* dp = c.needs_grad(0) ? c.grad_buffer(0).data() : nullptr;
        T* dt = c.needs_grad(1) ? c.grad_buffer(1).data() : nullptr;
        if (!dp && !dt) return;
        const T* g = c.grad().data();
        const T scale = reduction == Reduction::mean ? T(1) / static_cast<T>(n) : T(1);
        for (std::size_t r = 0; r < n; ++r)
            step(c.input(0).data(), c.input(1).data(), r,
                 reduction == Reduction::none ? g[r] : g[0] * scale, dp, dt);
    });
}

// Cross-entropy of one line x[j·s], j < K, against target weights w(j) (already smoothed):
//   logits z:         ℓ = Σ_j w_j·(lse − z_j)                  lse = log Σ_j e^(z_j)
//                     dz_j = g·(softmax_j·Σ_k w_k − w_j)        dw_j = g·(lse − z_j)
//   probabilities p:  q_j = p_j / S, S = Σ_k p_k,  c_j = clip(q_j, ε, 1 − ε)
//                     ℓ = −Σ_j w_j·log c_j
//                     dp_j = (g/S)·(d_j − Σ_k q_k·d_k),  d_j = −w_j·a_j / q_j,
//                     a_j = [ε <= q_j <= 1 − ε] (the clip's gradient), so Σ_k q_k·d_k = −Σ_k w_k·a_k
//                     dw_j = −g·log c_j
template <class T>
struct CategoricalLine {
    bool from_logits;
    std::size_t k;
    T lo = static_cast<T>(crossentropy_epsilon), hi = T(1) - static_cast<T>(crossentropy_epsilon);

    template <class W>
    T loss(const T* x, std::size_t s, W w) const
    {
        T l = T(0);
        if (from_logits) {
            const auto [m, sum] = max_and_sum_exp(x, k, s);
            const T lse = m + std::log(sum);
            for (std::size_t j = 0; j < k; ++j) l += w(j) * (lse - x[j * s]);
            return l;
        }
        T total = T(0);
        for (std::size_t j = 0; j < k; ++j) total += x[j * s];
        for (std::size_t j = 0; j < k; ++j)
            if (w(j) != T(0)) l -= w(j) * std::log(std::clamp(x[j * s] / total, lo, hi));
        return l;
    }

    // dw_scale: dℓ/d(raw target) = dℓ/dw · (1 − label_smoothing)
    template <class W>
    void backward(const T* x, std::size_t s, W w, T g, T* dx, T* dw, T dw_scale) const
    {
        if (from_logits) {
            const auto [m, sum] = max_and_sum_exp(x, k, s);
            const T lse = m + std::log(sum);
            T wsum = T(0);
            for (std::size_t j = 0; j < k; ++j) wsum += w(j);
            for (std::size_t j = 0; j < k; ++j) {
                if (dx) dx[j * s] += g * (std::exp(x[j * s] - m) / sum * wsum - w(j));
                if (dw) dw[j * s] += g * dw_scale * (lse - x[j * s]);
            }
            return;
        }
        T total = T(0), wa = T(0);
        for (std::size_t j = 0; j < k; ++j) total += x[j * s];
        for (std::size_t j = 0; j < k; ++j) {
            const T q = x[j * s] / total;
            if (q >= lo && q <= hi) wa += w(j);
        }
        for (std::size_t j = 0; j < k; ++j) {
            const T q = x[j * s] / total;
            const T d = q >= lo && q <= hi ? -w(j) / q : T(0);
            if (dx) dx[j * s] += g / total * (d + wa);
            if (dw) dw[j * s] -= g * dw_scale * std::log(std::clamp(q, lo, hi));
        }
    }
};

// With from_logits = false: every p >= 0 and each line's sum > 0 (NaN passes: fit reports it
// as a diverged loss).
template <class T>
void check_distributions(const std::string& op, const Tensor<T>& p, const Lines& lines)
{
    const Shape shape(p.shape().begin(), p.shape().end());
    for (std::size_t r = 0; r < lines.count(); ++r) {
        const std::size_t f = lines.first(r);
        T total = T(0);
        for (std::size_t j = 0; j < lines.split.k; ++j) {
            const T v = p.data()[f + j * lines.split.inner];
            if (v < T(0)) bad_pred(op, shape, f + j * lines.split.inner, number(v), "is negative");
            total += v;
        }
        if (total == T(0)) bad_pred(op, shape, f, "0", "starts a line of classes that sums to 0");
    }
}

// Binary cross-entropy of one element with target t (already smoothed):
//   logits z:         ℓ = max(z, 0) − z·t + log(1 + e^(−|z|))    (= −t·log σ(z) − (1 − t)·log σ(−z))
//                     dℓ/dz = σ(z) − t                             dℓ/dt = −z
//   probabilities p:  c = clip(p, ε, 1 − ε),   ℓ = −t·log c − (1 − t)·log(1 − c)
//                     dℓ/dp = a·((1 − t)/(1 − c) − t/c)            dℓ/dt = log(1 − c) − log c
//                     a = [ε <= p <= 1 − ε]
// The per-sample loss is the mean over the K elements of a line: ℓ_r = (1/K)·Σ_j ℓ_rj (Keras).
template <class T>
struct BinaryElement {
    bool from_logits;
    T lo = static_cast<T>(crossentropy_epsilon), hi = T(1) - static_cast<T>(crossentropy_epsilon);

    T loss(T x, T t) const
    {
        if (from_logits) return std::max(x, T(0)) - x * t + std::log1p(std::exp(-std::abs(x)));
        const T c = std::clamp(x, lo, hi);
        return -t * std::log(c) - (T(1) - t) * std::log(T(1) - c);
    }
    T dx(T x, T t) const
    {
        if (from_logits) {
            const T e = std::exp(-std::abs(x));  // σ(x) without overflow on either side
            return (x >= T(0) ? T(1) / (T(1) + e) : e / (T(1) + e)) - t;
        }
        if (x < lo || x > hi) return T(0);
        return (T(1) - t) / (T(1) - x) - t / x;
    }
    T dt(T x) const
    {
        if (from_logits) return -x;
        const T c = std::clamp(x, lo, hi);
        return std::log(T(1) - c) - std::log(c);
    }
};

template <class T>
void check_probabilities(const std::string& op, const Tensor<T>& p)
{
    const Shape shape(p.shape().begin(), p.shape().end());
    for (std::size_t i = 0; i < p.size(); ++i)
        if (p.data()[i] < T(0) || p.data()[i] > T(1))
            bad_pred(op, shape, i, number(p.data()[i]), "is outside [0, 1]");
}


}  // namespace

template <class T>
Var<T> categorical_crossentropy(const Var<T>& pred, const Var<T>& target,
                                const CrossentropyOptions& o)
{
    const std::string op = "categorical_crossentropy";
    check_options(op, o);
    const Shape ps = pred.shape(op.c_str()), ts = target.shape(op.c_str());
    if (ps != ts)
        throw Error(op + ": pred has shape " + shape_str(ps) + " but target has shape " +
                    shape_str(ts) + "; they must be identical (one-hot targets; for class ids "
                    "use sparse_categorical_crossentropy)");
    const Lines lines = lines_of(op, ps, o.axis);
    if (!o.from_logits) check_distributions(op, pred.value(), lines);
    const CategoricalLine<T> line{o.from_logits, lines.split.k};
    const T keep = static_cast<T>(1.0 - o.label_smoothing);
    const T spread = static_cast<T>(o.label_smoothing / static_cast<double>(lines.split.k));
    const std::size_t s = lines.split.inner;
    const T* p = pred.value().data();
    const T* t = target.value().data();
    return reduced<T>(
        "categorical_crossentropy", pred, target, lines, o.reduction,
        [&](std::size_t r) {
            const std::size_t f = lines.first(r);
            return line.loss(p + f, s, [&](std::size_t j) { return t[f + j * s] * keep + spread; });
        },
        [line, lines, keep, spread, s](const T* p, const T* t, std::size_t r, T g, T* dp, T* dt) {
            const std::size_t f = lines.first(r);
            line.backward(p + f, s, [&](std::size_t j) { return t[f + j * s] * keep + spread; }, g,
                          dp ? dp + f : nullptr, dt ? dt + f : nullptr, keep);
        });
}

// w_j = (1 − s)·[j = y_r] + s/K for the class id y_r of line r; the gradient reaches pred only.
template <class T>
Var<T> sparse_categorical_crossentropy(const Var<T>& pred, const Var<T>& target,
                                       const CrossentropyOptions& o)
{
    const std::string op = "sparse_categorical_crossentropy";
    check_options(op, o);
    const Shape ps = pred.shape(op.c_str()), ts = target.shape(op.c_str());
    if (!ps.empty() && normalize_axis(o.axis, ps.size(), op.c_str(), ps) != ps.size() - 1)
        throw Error(op + ": the class axis must be the last (axis -1), as in Keras; got axis " +
                    std::to_string(o.axis) + " for pred " + shape_str(ps));
    check_class_id_shape(op, ps, ts);
    const Lines lines = lines_of(op, ps, -1);
    const std::size_t k = lines.split.k;
    const std::vector<std::size_t> ids =
        to_ids(target.value(), k, op, "target", "class id",
               "class ids are integers in [0, " + std::to_string(k) + ") (pred " + shape_str(ps) +
                   " has " + std::to_string(k) + " classes)");
    if (!o.from_logits) check_distributions(op, pred.value(), lines);
    const CategoricalLine<T> line{o.from_logits, k};
    const T hit = static_cast<T>(1.0 - o.label_smoothing + o.label_smoothing / static_cast<double>(k));
    const T miss = static_cast<T>(o.label_smoothing / static_cast<double>(k));
    const T* p = pred.value().data();
    return reduced<T>(
        "sparse_categorical_crossentropy", pred, target, lines, o.reduction,
        [&](std::size_t r) {
            return line.loss(p + r * k, 1, [&](std::size_t j) { return j == ids[r] ? hit : miss; });
        },
        [line, ids, hit, miss, k](const T* p, const T*, std::size_t r, T g, T* dp, T*) {
            if (!dp) return;
            line.backward(p + r * k, 1, [&](std::size_t j) { return j == ids[r] ? hit : miss; }, g,
                          dp + r * k, nullptr, T(0));
        });
}

template <class T>
Var<T> binary_crossentropy(const Var<T>& pred, const Var<T>& target, const CrossentropyOptions& o)
{
    const std::string op = "binary_crossentropy";
    check_options(op, o);
    const Shape ps = pred.shape(op.c_str()), ts = target.shape(op.c_str());
    if (!pairs_up(ps, ts))
        throw Error(op + ": pred has shape " + shape_str(ps) + " but target has shape " +
                    shape_str(ts) + "; they must be identical (or differ by a last axis of 1)");
    const Lines lines = lines_of(op, ps, o.axis);
    if (!o.from_logits) check_probabilities(op, pred.value());
    const BinaryElement<T> e{o.from_logits};
    const T keep = static_cast<T>(1.0 - o.label_smoothing);
    const T half = static_cast<T>(0.5 * o.label_smoothing);
    const std::size_t k = lines.split.k, s = lines.split.inner;
    const T* p = pred.value().data();
    const T* t = target.value().data();
    return reduced<T>(
        "binary_crossentropy", pred, target, lines, o.reduction,
        [&](std::size_t r) {
            const std::size_t f = lines.first(r);
            T sum = T(0);
            for (std::size_t j = 0; j < k; ++j) sum += e.loss(p[f + j * s], t[f + j * s] * keep + half);
            return sum / static_cast<T>(k);
        },
        [e, lines, keep, half, k, s](const T* p, const T* t, std::size_t r, T g, T* dp, T* dt) {
            const std::size_t f = lines.first(r);
            const T gk = g / static_cast<T>(k);
            for (std::size_t j = 0; j < k; ++j) {
                const std::size_t i = f + j * s;
                if (dp) dp[i] += gk * e.dx(p[i], t[i] * keep + half);
                if (dt) dt[i] += gk * keep * e.dt(p[i]);
            }
        });
}

#define ELMAN_INSTANTIATE(T)                                                                  \
    template Var<T> categorical_crossentropy(const Var<T>&, const Var<T>&,                    \
                                             const CrossentropyOptions&);                     \
    template Var<T> sparse_categorical_crossentropy(const Var<T>&, const Var<T>&,             \
                                                    const CrossentropyOptions&);              \
    template Var<T> binary_crossentropy(const Var<T>&, const Var<T>&, const CrossentropyOptions&);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
