#include "optim/adam.hpp"

#include <cmath>
#include <string>

#include "core/simd.hpp"

namespace elman {

namespace {

template <class T>
const AdamOptions<T>& validated(const AdamOptions<T>& o)
{
    auto fail = [](const std::string& what, T v) {
        throw Error("Adam: " + what + ", got " + std::to_string(v));
    };
    if (!(o.lr > T(0)) || !std::isfinite(o.lr)) fail("lr must be a finite number > 0", o.lr);
    if (!(o.beta1 >= T(0) && o.beta1 < T(1))) fail("beta1 must be in [0, 1)", o.beta1);
    if (!(o.beta2 >= T(0) && o.beta2 < T(1))) fail("beta2 must be in [0, 1)", o.beta2);
    if (!(o.eps > T(0)) || !std::isfinite(o.eps)) fail("eps must be a finite number > 0", o.eps);
    if (!(o.weight_decay >= T(0)) || !std::isfinite(o.weight_decay))
        fail("weight_decay must be >= 0", o.weight_decay);
    return o;
}

Shape shape_of(const auto& t) { return Shape(t.shape().begin(), t.shape().end()); }

// The per-element updates, one clone per instruction set (core/simd.hpp) for each type.
// c = {β1, β2, 1 − β1, 1 − β2, weight decay, eps, step size, sqrt(bc2)}; see step() for the math.
template <class T>
struct AdamCoefficients {
    T b1, b2, c1, c2, wd, eps, step_size, bc2_sqrt;
};

// Both updates for n elements. The coefficients come by value: through a reference GCC must
// assume a store to w, m or v could change them, and keeps the loop scalar.
template <class T>
[[gnu::always_inline]] inline void update_run(bool keras, const T* __restrict grad,
                                              T* __restrict w, T* __restrict m, T* __restrict v,
                                              std::size_t n, const AdamCoefficients<T> c)
{
    if (keras) {
        for (std::size_t j = 0; j < n; ++j) {
            const T g = grad[j] + c.wd * w[j];
            const T mj = m[j] + (g - m[j]) * c.c1;
            const T vj = v[j] + (g * g - v[j]) * c.c2;
            m[j] = mj;
            v[j] = vj;
            w[j] -= c.step_size * mj / (std::sqrt(vj) + c.eps);
        }
    } else {
        for (std::size_t j = 0; j < n; ++j) {
            const T g = grad[j] + c.wd * w[j];
            const T mj = c.b1 * m[j] + c.c1 * g;
            const T vj = c.b2 * v[j] + c.c2 * (g * g);
            m[j] = mj;
            v[j] = vj;
            w[j] -= c.step_size * (mj / (std::sqrt(vj) / c.bc2_sqrt + c.eps));
        }
    }
}

// Runs of 16, a fixed trip count that GCC vectorises even at -O2 (its cheap cost model leaves
// loops of unknown length scalar), then the remainder.
template <class T>
[[gnu::always_inline]] inline void update(bool keras, const T* grad, T* w, T* m, T* v,
                                          std::size_t n, const AdamCoefficients<T>& c)
{
    constexpr std::size_t run = 16;
    std::size_t j = 0;
    for (; j + run <= n; j += run) update_run(keras, grad + j, w + j, m + j, v + j, run, c);
    update_run(keras, grad + j, w + j, m + j, v + j, n - j, c);
}

ELMAN_CLONES void adam_update(bool keras, const float* grad, float* w, float* m, float* v,
                              std::size_t n, const AdamCoefficients<float>& c)
{
    update(keras, grad, w, m, v, n, c);
}

ELMAN_CLONES void adam_update(bool keras, const double* grad, double* w, double* m, double* v,
                              std::size_t n, const AdamCoefficients<double>& c)
{
    update(keras, grad, w, m, v, n, c);
}

}  // namespace

template <class T>
Adam<T>::Adam(std::vector<Parameter<T>*> params, AdamOptions<T> options)
    : Optimizer<T>("Adam", std::move(params), validated(options).lr), options_(options)
{
    m_.resize(this->params_.size());
    v_.resize(this->params_.size());
    t_.assign(this->params_.size(), 0);
}

template <class T>
void Adam<T>::step()
{
    const T b1 = options_.beta1, b2 = options_.beta2, eps = options_.eps;
    const T wd = options_.weight_decay;
    const T c1 = T(1) - b1, c2 = T(1) - b2;
    for (std::size_t i = 0; i < this->params_.size(); ++i) {
        Parameter<T>& p = *this->params_[i];
        if (!this->has_grad(p)) continue;
        if (m_[i].shape() != p.value.shape()) {
            m_[i] = xt::zeros<T>(p.value.shape());
            v_[i] = xt::zeros<T>(p.value.shape());
        }
        const std::size_t t = ++t_[i];
        // Bias corrections in double, as torch computes them in Python floats.
        const double bc1 = 1.0 - std::pow(static_cast<double>(b1), static_cast<double>(t));
        const double bc2 = 1.0 - std::pow(static_cast<double>(b2), static_cast<double>(t));
        AdamCoefficients<T> c{b1, b2, c1, c2, wd, eps, T(0), T(1)};
        if (options_.keras_epsilon) {
            // m_j += (g_j − m_j)(1 − β1);  v_j += (g_j² − v_j)(1 − β2)   (Keras' kernel)
            // w_j −= lr_t·m_j / (sqrt(v_j) + eps),  lr_t = lr·sqrt(bc2)/bc1
            c.step_size = static_cast<T>(static_cast<double>(this->lr_) * std::sqrt(bc2) / bc1);
        } else {
            // m_j = β1·m_j + (1 − β1)·g_j;  v_j = β2·v_j + (1 − β2)·g_j²
            // w_j −= (lr/bc1) · m_j / (sqrt(v_j)/sqrt(bc2) + eps)     (torch's order of operations)
            c.step_size = static_cast<T>(static_cast<double>(this->lr_) / bc1);
            c.bc2_sqrt = static_cast<T>(std::sqrt(bc2));
        }
        // with g_j = grad_j + weight_decay·w_j in both
        adam_update(options_.keras_epsilon, p.grad.data(), p.value.data(), m_[i].data(),
                    v_[i].data(), p.value.size(), c);
    }
    ++this->steps_;
}

template <class T>
NamedTensors<T> Adam<T>::state() const
{
    NamedTensors<T> s = this->common_state();
    for (std::size_t i = 0; i < this->params_.size(); ++i) {
        const auto& shape = this->params_[i]->value.shape();
        const bool ready = m_[i].shape() == shape;
        s.emplace_back(this->key(i, "step"), scalar_tensor(static_cast<T>(t_[i])));
        s.emplace_back(this->key(i, "exp_avg"), ready ? m_[i] : Tensor<T>(xt::zeros<T>(shape)));
        s.emplace_back(this->key(i, "exp_avg_sq"), ready ? v_[i] : Tensor<T>(xt::zeros<T>(shape)));
    }
    return s;
}

template <class T>
void Adam<T>::load_state(const NamedTensors<T>& state)
{
    detail::StateReader<T> r("Adam.load_state", state);
    const std::size_t steps = r.count("step");
    const T lr = r.scalar("lr");
    this->check_lr("Adam.load_state", lr);
    const std::size_t k = this->params_.size();
    std::vector<std::size_t> t(k);
    std::vector<const Tensor<T>*> m(k), v(k);
    for (std::size_t i = 0; i < k; ++i) {
        const Shape shape = shape_of(this->params_[i]->value);
        t[i] = r.count(this->key(i, "step"));
        m[i] = &r.required(this->key(i, "exp_avg"), shape, this->describe(i));
        v[i] = &r.required(this->key(i, "exp_avg_sq"), shape, this->describe(i));
    }
    r.finish();
    // Everything checked: now change the state.
    this->steps_ = steps;
    this->lr_ = lr;
    for (std::size_t i = 0; i < k; ++i) {
        t_[i] = t[i];
        m_[i] = *m[i];
        v_[i] = *v[i];
    }
}

template class Adam<float>;
template class Adam<double>;

}  // namespace elman
