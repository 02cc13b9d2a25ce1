#include "optim/sgd.hpp"

#include <cmath>
#include <string>

namespace elman {

namespace {

template <class T>
const SGDOptions<T>& validated(const SGDOptions<T>& o)
{
    auto fail = [](const std::string& what, T v) {
        throw Error("SGD: " + what + ", got " + std::to_string(v));
    };
    if (!(o.lr > T(0)) || !std::isfinite(o.lr)) fail("lr must be a finite number > 0", o.lr);
    if (!(o.momentum >= T(0)) || !std::isfinite(o.momentum)) fail("momentum must be >= 0", o.momentum);
    if (!(o.dampening >= T(0) && o.dampening <= T(1))) fail("dampening must be in [0, 1]", o.dampening);
    if (!(o.weight_decay >= T(0)) || !std::isfinite(o.weight_decay))
        fail("weight_decay must be >= 0", o.weight_decay);
    if (o.nesterov && o.momentum == T(0))
        fail("nesterov needs momentum > 0 (nesterov=true, momentum=0)", o.momentum);
    if (o.nesterov && o.dampening != T(0))
        fail("nesterov needs dampening = 0 (nesterov=true)", o.dampening);
    return o;
}

}  // namespace

template <class T>
SGD<T>::SGD(std::vector<Parameter<T>*> params, SGDOptions<T> options)
    : Optimizer<T>("SGD", std::move(params), validated(options).lr), options_(options)
{
    buffers_.resize(this->params_.size());
    has_buffer_.assign(this->params_.size(), false);
}

template <class T>
void SGD<T>::step()
{
    const T lr = this->lr_;
    const T wd = options_.weight_decay;
    const T mu = options_.momentum;
    const T keep = T(1) - options_.dampening;
    for (std::size_t i = 0; i < this->params_.size(); ++i) {
        Parameter<T>& p = *this->params_[i];
        if (!this->has_grad(p)) continue;
        const std::size_t n = p.value.size();
        T* w = p.value.data();
        const T* grad = p.grad.data();
        if (mu == T(0)) {
            // w_j −= lr·(g_j + wd·w_j)
            for (std::size_t j = 0; j < n; ++j) w[j] -= lr * (grad[j] + wd * w[j]);
            continue;
        }
        const bool first = !has_buffer_[i];
        if (first) {
            buffers_[i] = Tensor<T>::from_shape(p.value.shape());
            has_buffer_[i] = true;
        }
        T* buf = buffers_[i].data();
        // g_j = grad_j + wd·w_j;  buf_j = g_j (first step) or mu·buf_j + (1 − dampening)·g_j;
        // w_j −= lr·(g_j + mu·buf_j) (nesterov) or lr·buf_j
        for (std::size_t j = 0; j < n; ++j) {
            const T g = grad[j] + wd * w[j];
            buf[j] = first ? g : mu * buf[j] + keep * g;
            w[j] -= lr * (options_.nesterov ? g + mu * buf[j] : buf[j]);
        }
    }
    ++this->steps_;
}

template <class T>
NamedTensors<T> SGD<T>::state() const
{
    NamedTensors<T> s = this->common_state();
    for (std::size_t i = 0; i < this->params_.size(); ++i)
        if (has_buffer_[i]) s.emplace_back(this->key(i, "momentum_buffer"), buffers_[i]);
    return s;
}

template <class T>
void SGD<T>::load_state(const NamedTensors<T>& state)
{
    detail::StateReader<T> r("SGD.load_state", state);
    const std::size_t steps = r.count("step");
    const T lr = r.scalar("lr");
    this->check_lr("SGD.load_state", lr);
    std::vector<const Tensor<T>*> found(this->params_.size());
    for (std::size_t i = 0; i < this->params_.size(); ++i) {
        const auto& v = this->params_[i]->value.shape();
        found[i] = r.optional(this->key(i, "momentum_buffer"), Shape(v.begin(), v.end()), this->describe(i));
    }
    r.finish();
    // Everything checked: now change the state.
    this->steps_ = steps;
    this->lr_ = lr;
    for (std::size_t i = 0; i < this->params_.size(); ++i) {
        has_buffer_[i] = found[i] != nullptr;
        buffers_[i] = found[i] ? *found[i] : Tensor<T>();
    }
}

template class SGD<float>;
template class SGD<double>;

}  // namespace elman
