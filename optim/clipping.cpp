#include "optim/clipping.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace elman {

namespace {

template <class T>
bool has_grad(const Parameter<T>& p)
{
    return p.grad.size() == p.value.size() && p.grad.shape() == p.value.shape();
}

}  // namespace

template <class T>
T clip_grad_norm(const std::vector<Parameter<T>*>& params, T max_norm)
{
    if (!(max_norm > T(0)) || !std::isfinite(max_norm))
        throw Error("clip_grad_norm: max_norm must be a finite number > 0, got " + std::to_string(max_norm));
    // norm² = Σ_p Σ_j g_pj²
    double sq = 0.0;
    for (const auto* p : params) {
        if (!p || !has_grad(*p)) continue;
        for (T g : p->grad) sq += static_cast<double>(g) * static_cast<double>(g);
    }
    const double norm = std::sqrt(sq);
    if (!std::isfinite(norm)) {
        std::string names;
        for (const auto* p : params) {
            if (!p || !has_grad(*p)) continue;
            const bool bad = std::any_of(p->grad.begin(), p->grad.end(), [](T g) { return !std::isfinite(g); });
            if (bad) names += (names.empty() ? "" : ", ") + p->name;
        }
        throw Error("clip_grad_norm: the total gradient norm is " + std::to_string(norm) +
                    " (non-finite gradients in: " + (names.empty() ? "overflow of the sum" : names) + ")");
    }
    const double coef = static_cast<double>(max_norm) / (norm + 1e-6);
    if (coef < 1.0) {
        const T c = static_cast<T>(coef);
        for (auto* p : params) {
            if (!p || !has_grad(*p)) continue;
            for (T& g : p->grad) g *= c;
        }
    }
    return static_cast<T>(norm);
}

template <class T>
void clip_grad_value(const std::vector<Parameter<T>*>& params, T clip_value)
{
    if (!(clip_value > T(0)) || !std::isfinite(clip_value))
        throw Error("clip_grad_value: clip_value must be a finite number > 0, got " + std::to_string(clip_value));
    for (auto* p : params) {
        if (!p || !has_grad(*p)) continue;
        // g_j = min(max(g_j, −c), c)
        for (T& g : p->grad) g = std::clamp(g, -clip_value, clip_value);
    }
}

template float clip_grad_norm(const std::vector<Parameter<float>*>&, float);
template double clip_grad_norm(const std::vector<Parameter<double>*>&, double);
template void clip_grad_value(const std::vector<Parameter<float>*>&, float);
template void clip_grad_value(const std::vector<Parameter<double>*>&, double);

}  // namespace elman
