// A member's forecasts (forecast/member.hpp): paths from any origins, and one-step, multi-step
// and rolling-origin forecasts made from them, each inverted exactly to the original scale.
#include "forecast/member.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "datasets/transforms.hpp"
#include "forecast/util.hpp"
#include "layers/fit.hpp"

namespace elman {

using detail::slice;

std::string ForecastMember::describe_transforms() const
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

std::string ForecastMember::describe() const
{
    return (outputs > 1 ? "MIMO " + std::to_string(outputs) + ", " : std::string()) + describe_transforms();
}

std::size_t ForecastMember::warmup() const { return Differencing(lags).order() + lookback; }

namespace {

// The model's scaled predictions [N][outputs] for windows x:[N, L, 1]; a constant member
// predicts 0, its mean on the original scale exactly.
std::vector<std::vector<double>> scaled_predictions(ForecastMember& m, const Tensor<float>& x)
{
    const std::size_t n = x.shape()[0], k = m.outputs;
    std::vector<std::vector<double>> out(n, std::vector<double>(k, 0.0));
    if (m.constant) return out;
    const Tensor<float> p = predict(m.model, x);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < k; ++j) out[i][j] = static_cast<double>(p.data()[i * k + j]);
    return out;
}

// The covariates x must be the member's (their count) and long enough for paths from `origins`
// over `horizon` values: past ones up to the last origin, known-future ones up to the last
// period a window step reads (origin + the start of the last block of `outputs`).
void check_covariates(const ForecastMember& m, const Covariates& x, const std::vector<std::size_t>& origins,
                      std::size_t horizon)
{
    const std::size_t P = m.past_covariates, F = m.covariate_mean.size() - P;
    if (x.past.size() != P || x.future.size() != F)
        throw Error("forecast: " + m.describe() + " was fitted with " + std::to_string(P) + " past and " +
                    std::to_string(F) + " future covariates, got " + std::to_string(x.past.size()) + " and " +
                    std::to_string(x.future.size()));
    if (P > 0 && horizon > m.outputs)
        throw Error("forecast: " + m.describe() + " uses past-only covariates, unknown after the forecast origin: it "
                    "forecasts at most " + std::to_string(m.outputs) + " values at once, asked for " +
                    std::to_string(horizon));
    if (origins.empty()) return;
    const std::size_t last = *std::max_element(origins.begin(), origins.end());
    const std::size_t last_block = (horizon - 1) / m.outputs * m.outputs;
    for (const auto& v : x.past)
        if (v.size() < last) throw Error("forecast: a past covariate has " + std::to_string(v.size()) +
                                         " values, the forecast from origin " + std::to_string(last) + " needs them all");
    for (const auto& v : x.future)
        if (v.size() < last + last_block + 1)
            throw Error("forecast: a known-future covariate has " + std::to_string(v.size()) + " values, the forecast of " +
                        std::to_string(horizon) + " values from origin " + std::to_string(last) + " needs " +
                        std::to_string(last + last_block + 1) + " (its values for the periods forecast)");
}

}  // namespace

std::vector<std::vector<double>> ForecastMember::paths(const std::vector<double>& y,
                                                       const std::vector<std::size_t>& origins, std::size_t horizon,
                                                       const Covariates& x)
{
    const Differencing diff(lags);
    const std::size_t o = diff.order(), L = lookback, F = inputs();
    if (horizon < 1) throw Error("forecast: the horizon must be >= 1");
    for (std::size_t t : origins)
        if (t < o + L || t > y.size())
            throw Error("forecast: " + describe() + " needs " + std::to_string(o + L) +
                        " values before the first forecast, got " + std::to_string(t));
    check_covariates(*this, x, origins, horizon);
    const std::vector<double> z = log ? log_transform(y) : y;
    const std::vector<double> d = diff.apply(z);  // d[j] belongs to time j + o
    // s[b]: the scaled differences before origin b, then its own predictions, fed back.
    const std::size_t B = origins.size();
    std::vector<std::vector<double>> s(B), dhat(B);
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t k = 0; k < L; ++k) s[b].push_back((d[origins[b] - o - L + k] - mean) / scale);
    // Every origin steps together: one batch of windows [B, L, F] per step of `outputs` values;
    // step k of origin b's window at step h is period τ = origins[b] + h − L + k.
    for (std::size_t h = 0; h < horizon; h += outputs) {
        Tensor<float> in = Tensor<float>::from_shape({B, L, F});
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t k = 0; k < L; ++k) {
                float* row = in.data() + (b * L + k) * F;
                row[0] = static_cast<float>(s[b][s[b].size() - L + k]);
                if (F > 1) put_covariates(row + 1, x, covariate_mean, covariate_scale, origins[b] + h - L + k);
            }
        const std::vector<std::vector<double>> p = scaled_predictions(*this, in);
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t j = 0; j < outputs && h + j < horizon; ++j) {
                s[b].push_back(p[b][j]);
                dhat[b].push_back(p[b][j] * scale + mean);
            }
    }
    std::vector<std::vector<double>> out(B);
    for (std::size_t b = 0; b < B; ++b) {
        const std::size_t t = origins[b];
        out[b] = o == 0 ? dhat[b] : diff.invert(slice(z, t - o, t), dhat[b]);
        if (log)
            for (double& v : out[b]) v = std::exp(v);
    }
    return out;
}

std::vector<double> ForecastMember::one_step(const std::vector<double>& y, std::size_t from, const Covariates& x)
{
    if (from > y.size()) throw Error("forecast: one-step forecasts from " + std::to_string(from) + " past the series");
    std::vector<std::size_t> origins;
    for (std::size_t t = from; t < y.size(); ++t) origins.push_back(t);
    std::vector<double> f;
    if (origins.empty()) return f;
    for (const auto& p : paths(y, origins, 1, x)) f.push_back(p.front());
    return f;
}

std::vector<double> ForecastMember::multi_step(const std::vector<double>& history, std::size_t horizon,
                                               const Covariates& x)
{
    if (history.size() < warmup())
        throw Error("forecast: " + describe() + " needs " + std::to_string(warmup()) + " values of history, got " +
                    std::to_string(history.size()));
    return paths(history, {history.size()}, horizon, x).front();
}

std::vector<double> ForecastMember::rolling(const std::vector<double>& y, std::size_t from, std::size_t horizon,
                                            const Covariates& x)
{
    if (horizon < 1) throw Error("forecast: the horizon must be >= 1");
    if (from < warmup() || from > y.size())
        throw Error("forecast: " + describe() + " needs " + std::to_string(warmup()) +
                    " values before the first forecast, got " + std::to_string(from));
    const std::vector<std::size_t> origins = rolling_origins(from, y.size(), horizon);
    if (origins.empty()) return {};
    for (const auto& v : x.future)
        if (v.size() < y.size())
            throw Error("forecast: a known-future covariate has " + std::to_string(v.size()) + " values for a series of " +
                        std::to_string(y.size()));
    // The last block's steps past the end of y are cut: their covariates need not be known.
    const Covariates known = x.future.empty() ? x : padded_future(x, y.size() + horizon);
    return join_rolling(paths(y, origins, horizon, known), from, y.size(), horizon);
}

std::vector<std::size_t> rolling_origins(std::size_t from, std::size_t n, std::size_t horizon)
{
    std::vector<std::size_t> origins;
    for (std::size_t t = from; t < n; t += horizon) origins.push_back(t);
    return origins;
}

std::vector<double> join_rolling(const std::vector<std::vector<double>>& paths, std::size_t from, std::size_t n,
                                 std::size_t horizon)
{
    std::vector<double> out;
    for (std::size_t b = 0; b < paths.size(); ++b) {
        const std::size_t t = from + b * horizon, k = std::min(horizon, n - t);
        out.insert(out.end(), paths[b].begin(), paths[b].begin() + static_cast<std::ptrdiff_t>(k));
    }
    return out;
}

}  // namespace elman
