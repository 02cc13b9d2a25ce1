// The training stage: one member (a candidate and a seed) fitted on a prefix of the training
// part (forecast/training.hpp).
#include "forecast/training.hpp"

#include <algorithm>
#include <cmath>

#include "datasets/stats.hpp"
#include "datasets/transforms.hpp"
#include "datasets/windows.hpp"
#include "forecast/util.hpp"
#include "layers/dense.hpp"
#include "layers/cells.hpp"
#include "optim/adam.hpp"

namespace elman::detail {

Sequential<float> make_model(std::size_t lookback, std::size_t units, std::size_t outputs, std::uint64_t seed,
                             const std::string& cell, std::size_t inputs)
{
    Sequential<float> model;
    model.add(make_recurrent_layer<float>(cell, {.units = units, .seed = seed}));
    model.emplace<Dense<float>>(DenseOptions{.units = outputs, .seed = seed + 1});
    model.build({lookback, inputs});
    return model;
}

namespace {

// Windows [N, L, F] -> [N, H] of the scaled differenced series s whose last targets lie in
// s[first..last): window j's targets are s[p..p+H) with p + H − 1 = first + j, its inputs
// s[p−L..p) (make_windows' layout) and, at step k, the covariates of period p − L + k + order
// (s[i] belongs to period i + order; forecast/covariates.hpp). Every window is assigned by its
// last target, so training windows (last < fit) never see a validation value.
Windows<float> windows_for(const std::vector<double>& s, std::size_t first, std::size_t last, const ForecastMember& m,
                           std::size_t order, const Covariates& x)
{
    const std::size_t L = m.lookback, H = m.outputs, F = m.inputs(), N = last - first;
    Windows<float> w{Tensor<float>::from_shape({N, L, F}), Tensor<float>::from_shape({N, H})};
    for (std::size_t j = 0; j < N; ++j) {
        const std::size_t p = first + j + 1 - H;
        for (std::size_t k = 0; k < L; ++k) {
            float* row = w.x.data() + (j * L + k) * F;
            row[0] = static_cast<float>(s[p - L + k]);
            if (F > 1) put_covariates(row + 1, x, m.covariate_mean, m.covariate_scale, p - L + k + order);
        }
        for (std::size_t h = 0; h < H; ++h) w.y.data()[j * H + h] = static_cast<float>(s[p + h]);
    }
    return w;
}

// The fit settings: at most o.max_steps optimizer steps (long series need fewer epochs, and the
// run time stays bounded whatever the length), gradient norm clipped at 1.
FitOptions<float> fit_options(std::size_t n_windows, std::size_t epochs, std::uint64_t seed, const ForecastOptions& o)
{
    const std::size_t steps_per_epoch = (n_windows + o.batch_size - 1) / o.batch_size;
    FitOptions<float> fo;
    fo.epochs = std::max<std::size_t>(1, std::min(epochs, o.max_steps / steps_per_epoch));
    fo.batch_size = o.batch_size;
    fo.seed = seed;
    fo.verbose = false;
    fo.clip_norm = 1.0f;
    fo.should_stop = o.should_stop;
    return fo;
}

// mem.mean and mem.scale from d's fitted part and the scaled series s = (d − mean)/scale; false
// (mem.constant) when the fitted part is constant.
bool scale_member(ForecastMember& mem, const std::vector<double>& d, std::size_t fit_d, std::vector<double>& s)
{
    // Constant: forecast by its value itself (a mean of equal values can round away from it).
    if (std::all_of(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(fit_d), [&](double x) { return x == d[0]; })) {
        mem.mean = d[0];
        mem.constant = true;
        return false;
    }
    mem.mean = mean_of(d.data(), fit_d);
    const double sd = population_sd(d.data(), fit_d, mem.mean);
    if (!(sd > 0.0) || !std::isfinite(sd))
        throw NotFinite(mem.describe() + ": the spread of the transformed series is not a positive finite number");
    mem.scale = sd;
    s.resize(d.size());
    for (std::size_t j = 0; j < d.size(); ++j) s[j] = (d[j] - mem.mean) / mem.scale;
    return true;
}

}  // namespace

ForecastMember train_member(const Candidate& c, const std::vector<double>& y, std::size_t fit_end, std::uint64_t seed,
                            std::size_t epochs, const ForecastOptions& o, const Covariates& x)
{
    ForecastMember mem;
    mem.log = c.log;
    mem.lags = c.lags;
    mem.lookback = c.lookback;
    mem.outputs = c.outputs;
    mem.seed = seed;
    mem.refit = fit_end == y.size();
    mem.past_covariates = x.past.size();
    fit_covariate_scaler(x, fit_end, mem.covariate_mean, mem.covariate_scale);
    mem.model = make_model(c.lookback, o.units, c.outputs, seed, o.cell, mem.inputs());
    const std::size_t order = Differencing(c.lags).order();
    const std::vector<double> d = Differencing(c.lags).apply(c.log ? log_transform(y) : y);
    const std::size_t fit_d = fit_end - order, all_d = y.size() - order;
    if (!detail::all_finite(d))
        throw NotFinite(mem.describe() + ": the transformed series is not finite (differences overflow)");
    std::vector<double> s;
    if (!scale_member(mem, d, fit_d, s)) return mem;
    const Windows<float> wt = windows_for(s, c.lookback + c.outputs - 1, fit_d, mem, order, x);
    Adam<float> opt(mem.model.parameters(), AdamOptions<float>{.lr = static_cast<float>(o.lr)});
    FitOptions<float> fo = fit_options(wt.x.shape()[0], epochs, seed, o);
    if (fit_d < all_d) {
        const Windows<float> wv = windows_for(s, fit_d, all_d, mem, order, x);
        fo.patience = o.patience;
        mem.history = fit(mem.model, opt, wt.x, wt.y, wv.x, wv.y, fo);
        mem.epochs = mem.history.best_epoch + 1;
    } else {
        mem.history = fit(mem.model, opt, wt.x, wt.y, fo);
        mem.epochs = fo.epochs;
    }
    return mem;
}

}  // namespace elman::detail
