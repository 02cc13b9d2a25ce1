// The global model's training stage (forecast/global_training.hpp).
#include "forecast/global_training.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "datasets/stats.hpp"
#include "datasets/transforms.hpp"
#include "datasets/windows.hpp"
#include "forecast/training.hpp"
#include "forecast/util.hpp"
#include "optim/adam.hpp"

namespace elman::detail {

namespace {

// Windows of every series stacked along the batch axis: x [Σ Nᵢ, lookback, 1], y [Σ Nᵢ, 1].
Windows<float> stack(const std::vector<Windows<float>>& parts)
{
    std::size_t n = 0;
    for (const auto& w : parts) n += w.x.shape()[0];
    const std::size_t lookback = parts.front().x.shape()[1];
    Windows<float> out;
    out.x = Tensor<float>::from_shape({n, lookback, 1});
    out.y = Tensor<float>::from_shape({n, 1});
    auto xi = out.x.begin();
    auto yi = out.y.begin();
    for (const auto& w : parts) {
        xi = std::copy(w.x.begin(), w.x.end(), xi);
        yi = std::copy(w.y.begin(), w.y.end(), yi);
    }
    return out;
}

}  // namespace

std::size_t global_values_needed(const Candidate& c)
{
    std::size_t order = 0;
    for (std::size_t l : c.lags) order += l;
    return order + c.lookback + 8;
}

ForecastMember GlobalMember::for_series(std::size_t i, std::size_t units)
{
    ForecastMember m;
    m.log = shared.log;
    m.lags = shared.lags;
    m.lookback = shared.lookback;
    m.seed = shared.seed;
    m.epochs = shared.epochs;
    m.val_mae = val_score;
    m.history = shared.history;
    m.mean = mean[i];
    m.scale = scale[i];
    m.constant = constant[i];
    m.model = make_model(shared.lookback, units, 1, shared.seed);
    auto to = m.model.parameters();
    const auto from = shared.model.parameters();
    for (std::size_t p = 0; p < to.size(); ++p) to[p]->value = from[p]->value;
    return m;
}

GlobalMember train_global(const Candidate& c, const std::vector<GlobalSeries>& series, const ForecastOptions& o)
{
    GlobalMember g;
    g.shared.log = c.log;
    g.shared.lags = c.lags;
    g.shared.lookback = c.lookback;
    g.shared.seed = o.seed;
    g.shared.model = make_model(c.lookback, o.units, 1, o.seed);
    const Differencing diff(c.lags);
    std::vector<Windows<float>> train_parts, val_parts;
    for (const GlobalSeries& gs : series) {
        const std::vector<double> d = diff.apply(c.log ? log_transform(gs.train) : gs.train);
        const std::size_t fit_d = gs.n_fit - diff.order(), all_d = d.size();
        if (!all_finite(d)) throw NotFinite(g.shared.describe() + ": a series' transformed values are not finite");
        const bool constant = std::all_of(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(fit_d),
                                          [&](double x) { return x == d[0]; });
        g.constant.push_back(constant);
        g.mean.push_back(constant ? d[0] : mean_of(d.data(), fit_d));
        g.scale.push_back(constant ? 1.0 : population_sd(d.data(), fit_d, g.mean.back()));
        if (constant) continue;  // it teaches nothing and is forecast exactly
        if (!(g.scale.back() > 0.0) || !std::isfinite(g.scale.back()))
            throw NotFinite(g.shared.describe() + ": a series' spread is not a positive finite number");
        std::vector<double> s(d.size());
        for (std::size_t j = 0; j < d.size(); ++j) s[j] = (d[j] - g.mean.back()) / g.scale.back();
        train_parts.push_back(make_windows<float>(slice(s, 0, fit_d), c.lookback, 1));
        val_parts.push_back(make_windows<float>(slice(s, fit_d - c.lookback, all_d), c.lookback, 1));
    }
    if (train_parts.empty()) throw Error("every series is constant: nothing to train a global model on");
    const Windows<float> wt = stack(train_parts), wv = stack(val_parts);
    Adam<float> opt(g.shared.model.parameters(), AdamOptions<float>{.lr = static_cast<float>(o.lr)});
    // The step budget of one model per series, as the local models have it.
    const std::size_t steps_per_epoch = (wt.x.shape()[0] + o.batch_size - 1) / o.batch_size;
    FitOptions<float> fo;
    fo.epochs = std::max<std::size_t>(1, std::min(o.epochs, o.max_steps * train_parts.size() / steps_per_epoch));
    fo.batch_size = o.batch_size;
    fo.seed = o.seed;
    fo.verbose = false;
    fo.clip_norm = 1.0f;
    fo.should_stop = o.should_stop;
    fo.patience = o.patience;
    g.shared.history = fit(g.shared.model, opt, wt.x, wt.y, wv.x, wv.y, fo);
    g.shared.epochs = g.shared.history.best_epoch + 1;
    g.val_score = global_score(g, series, o.units);
    return g;
}

double global_score(GlobalMember& g, const std::vector<GlobalSeries>& series, std::size_t units)
{
    double sum = 0;
    std::size_t counted = 0;
    for (std::size_t i = 0; i < series.size(); ++i) {
        const GlobalSeries& gs = series[i];
        double naive = 0;
        for (std::size_t t = 1; t < gs.n_fit; ++t) naive += std::abs(gs.train[t] - gs.train[t - 1]);
        naive /= static_cast<double>(gs.n_fit - 1);
        if (!(naive > 0.0)) continue;
        const std::vector<double> f = g.for_series(i, units).one_step(gs.train, gs.n_fit);
        double mae = 0;
        for (std::size_t t = 0; t < f.size(); ++t) mae += std::abs(f[t] - gs.train[gs.n_fit + t]);
        sum += mae / static_cast<double>(f.size()) / naive;
        ++counted;
    }
    return counted ? sum / static_cast<double>(counted) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace elman::detail
