// A member's forecasts (forecast/member.hpp): one-step, multi-step from one origin, and
// multi-step from rolling origins, each inverted exactly to the original scale.
#include "forecast/member.hpp"

#include <cmath>

#include "core/error.hpp"
#include "datasets/transforms.hpp"
#include "forecast/util.hpp"
#include "layers/fit.hpp"

namespace elman {

using detail::slice;

std::string ForecastMember::describe() const
{
    std::string d = log ? "log, " : "";
    if (lags.empty())
        d += "no diff";
    else {
        d += "diff ";
        for (std::size_t i = 0; i < lags.size(); ++i) d += (i ? "," : "") + std::to_string(lags[i]);
    }
    return d + ", lookback " + std::to_string(lookback);
}

std::size_t ForecastMember::warmup() const { return Differencing(lags).order() + lookback; }

namespace {

// The model's scaled predictions for windows x:[N, L, 1]; a constant member predicts 0, its
// mean on the original scale exactly.
std::vector<double> scaled_predictions(ForecastMember& m, const Tensor<float>& x)
{
    const std::size_t n = x.shape()[0];
    if (m.constant) return std::vector<double>(n, 0.0);
    const Tensor<float> p = predict(m.model, x);
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<double>(p.data()[i]);
    return out;
}

}  // namespace

std::vector<double> ForecastMember::one_step(const std::vector<double>& y, std::size_t from)
{
    const Differencing diff(lags);
    const std::size_t o = diff.order();
    if (from < o + lookback)
        throw Error("forecast: " + describe() + " needs " + std::to_string(o + lookback) +
                    " values before the first forecast, got " + std::to_string(from));
    const std::vector<double> z = log ? log_transform(y) : y;
    const std::vector<double> d = diff.apply(z);
    // x[i] = s[t−o−L .. t−o) for t = from + i: the scaled differences before time t.
    const std::size_t N = y.size() - from;
    Tensor<float> x = Tensor<float>::from_shape({N, lookback, std::size_t(1)});
    for (std::size_t i = 0; i < N; ++i)
        for (std::size_t k = 0; k < lookback; ++k)
            x.data()[i * lookback + k] = static_cast<float>((d[from + i - o - lookback + k] - mean) / scale);
    const std::vector<double> p = scaled_predictions(*this, x);
    std::vector<double> f(N);
    for (std::size_t i = 0; i < N; ++i) {
        const std::size_t t = from + i;
        const double dhat = p[i] * scale + mean;
        const double zhat = o == 0 ? dhat : diff.invert(slice(z, t - o, t), {dhat}).front();
        f[i] = log ? std::exp(zhat) : zhat;
    }
    return f;
}

std::vector<double> ForecastMember::multi_step(const std::vector<double>& history, std::size_t horizon)
{
    const Differencing diff(lags);
    if (history.size() < warmup())
        throw Error("forecast: " + describe() + " needs " + std::to_string(warmup()) + " values of history, got " +
                    std::to_string(history.size()));
    const std::vector<double> z = log ? log_transform(history) : history;
    std::vector<double> s = diff.apply(z);
    for (double& v : s) v = (v - mean) / scale;
    std::vector<double> dhat;
    Tensor<float> x = Tensor<float>::from_shape({std::size_t(1), lookback, std::size_t(1)});
    for (std::size_t h = 0; h < horizon; ++h) {
        for (std::size_t k = 0; k < lookback; ++k) x.data()[k] = static_cast<float>(s[s.size() - lookback + k]);
        const double next = scaled_predictions(*this, x).front();
        s.push_back(next);
        dhat.push_back(next * scale + mean);
    }
    std::vector<double> zhat = diff.order() == 0 ? dhat : diff.invert(z, dhat);
    if (log)
        for (double& v : zhat) v = std::exp(v);
    return zhat;
}

std::vector<double> ForecastMember::rolling(const std::vector<double>& y, std::size_t from, std::size_t horizon)
{
    const Differencing diff(lags);
    const std::size_t o = diff.order(), n = y.size();
    if (horizon < 1) throw Error("forecast: the horizon must be >= 1");
    if (from < o + lookback || from > n)
        throw Error("forecast: " + describe() + " needs " + std::to_string(o + lookback) +
                    " values before the first forecast, got " + std::to_string(from));
    const std::vector<double> z = log ? log_transform(y) : y;
    const std::vector<double> d = diff.apply(z);  // d[j] belongs to time j + o
    // Block b forecasts y[t_b .. min(t_b + H, n)) from the origin t_b = from + b·H; s[b] holds
    // the scaled differences before t_b, then its own predictions, fed back.
    const std::size_t blocks = (n - from + horizon - 1) / horizon;
    std::vector<std::vector<double>> s(blocks), dhat(blocks);
    for (std::size_t b = 0; b < blocks; ++b)
        for (std::size_t k = 0; k < lookback; ++k)
            s[b].push_back((d[from + b * horizon - o - lookback + k] - mean) / scale);
    for (std::size_t h = 0; h < horizon; ++h) {
        // All blocks step together: one batch of windows per lead time.
        std::vector<std::size_t> active;
        for (std::size_t b = 0; b < blocks; ++b)
            if (from + b * horizon + h < n) active.push_back(b);
        if (active.empty()) break;
        Tensor<float> x = Tensor<float>::from_shape({active.size(), lookback, std::size_t(1)});
        for (std::size_t i = 0; i < active.size(); ++i)
            for (std::size_t k = 0; k < lookback; ++k)
                x.data()[i * lookback + k] = static_cast<float>(s[active[i]][s[active[i]].size() - lookback + k]);
        const std::vector<double> p = scaled_predictions(*this, x);
        for (std::size_t i = 0; i < active.size(); ++i) {
            s[active[i]].push_back(p[i]);
            dhat[active[i]].push_back(p[i] * scale + mean);
        }
    }
    std::vector<double> out;
    out.reserve(n - from);
    for (std::size_t b = 0; b < blocks; ++b) {
        const std::size_t t = from + b * horizon;
        std::vector<double> zhat = o == 0 ? dhat[b] : diff.invert(slice(z, t - o, t), dhat[b]);
        for (double v : zhat) out.push_back(log ? std::exp(v) : v);
    }
    return out;
}

}  // namespace elman
