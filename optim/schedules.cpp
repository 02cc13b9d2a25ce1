#include "optim/schedules.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace elman {

template <class T>
StepDecay<T>::StepDecay(Optimizer<T>& optimizer, std::size_t step_size, T gamma)
    : optimizer_(optimizer), step_size_(step_size), gamma_(gamma), initial_lr_(optimizer.lr())
{
    if (step_size == 0) throw Error("StepDecay: step_size must be >= 1, got 0");
    if (!(gamma > T(0)) || !std::isfinite(gamma))
        throw Error("StepDecay: gamma must be a finite number > 0, got " + std::to_string(gamma));
}

template <class T>
T StepDecay<T>::lr_at(std::size_t epoch) const
{
    // initial · gamma^floor(epoch / step_size), in double then rounded once
    const double k = static_cast<double>(epoch / step_size_);
    return static_cast<T>(static_cast<double>(initial_lr_) * std::pow(static_cast<double>(gamma_), k));
}

template <class T>
void StepDecay<T>::step()
{
    ++epoch_;
    optimizer_.set_lr(lr_at(epoch_));
}

template <class T>
ReduceLROnPlateau<T>::ReduceLROnPlateau(Optimizer<T>& optimizer, PlateauOptions<T> options)
    : optimizer_(optimizer), options_(options)
{
    auto fail = [](const std::string& what, T v) {
        throw Error("ReduceLROnPlateau: " + what + ", got " + std::to_string(v));
    };
    if (!(options.factor > T(0) && options.factor < T(1))) fail("factor must be in (0, 1)", options.factor);
    if (!(options.threshold >= T(0)) || !std::isfinite(options.threshold))
        fail("threshold must be >= 0", options.threshold);
    if (!(options.min_lr >= T(0)) || !std::isfinite(options.min_lr)) fail("min_lr must be >= 0", options.min_lr);
    if (!(options.eps >= T(0)) || !std::isfinite(options.eps)) fail("eps must be >= 0", options.eps);
    const double inf = std::numeric_limits<double>::infinity();
    best_ = options.mode == PlateauMode::min ? inf : -inf;
}

template <class T>
bool ReduceLROnPlateau<T>::is_better(double a) const
{
    const double th = static_cast<double>(options_.threshold);
    const bool rel = options_.threshold_mode == ThresholdMode::rel;
    if (options_.mode == PlateauMode::min) return a < (rel ? best_ * (1.0 - th) : best_ - th);
    return a > (rel ? best_ * (1.0 + th) : best_ + th);
}

template <class T>
bool ReduceLROnPlateau<T>::step(T metric)
{
    const double a = static_cast<double>(metric);
    if (is_better(a)) {
        best_ = a;
        bad_ = 0;
    } else {
        ++bad_;
    }
    if (cooldown_left_ > 0) {
        --cooldown_left_;
        bad_ = 0;
    }
    if (bad_ <= options_.patience) return false;
    cooldown_left_ = options_.cooldown;
    bad_ = 0;
    const double old_lr = static_cast<double>(optimizer_.lr());
    const double new_lr = std::max(old_lr * static_cast<double>(options_.factor),
                                   static_cast<double>(options_.min_lr));
    if (old_lr - new_lr <= static_cast<double>(options_.eps)) return false;
    optimizer_.set_lr(static_cast<T>(new_lr));
    return true;
}

template class StepDecay<float>;
template class StepDecay<double>;
template class ReduceLROnPlateau<float>;
template class ReduceLROnPlateau<double>;

}  // namespace elman
