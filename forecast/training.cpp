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
#include "layers/simple_rnn.hpp"
#include "optim/adam.hpp"

namespace elman::detail {

Sequential<float> make_model(std::size_t lookback, std::size_t units, std::uint64_t seed)
{
    Sequential<float> model;
    model.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = units, .seed = seed});
    model.emplace<Dense<float>>(DenseOptions{.units = 1, .seed = seed + 1});
    model.build({lookback, 1});
    return model;
}

namespace {

// Windows of the scaled differenced series s whose targets are s[first..last).
Windows<float> windows_for(const std::vector<double>& s, std::size_t first, std::size_t last, std::size_t lookback)
{
    return make_windows<float>(slice(s, first - lookback, last), lookback, 1);
}

}  // namespace

ForecastMember train_member(const Candidate& c, const std::vector<double>& y, std::size_t fit_end, std::uint64_t seed,
                            std::size_t epochs, const ForecastOptions& o)
{
    ForecastMember mem;
    mem.log = c.log;
    mem.lags = c.lags;
    mem.lookback = c.lookback;
    mem.seed = seed;
    mem.model = make_model(c.lookback, o.units, seed);
    const std::size_t order = Differencing(c.lags).order();
    const std::vector<double> d = Differencing(c.lags).apply(c.log ? log_transform(y) : y);
    const std::size_t fit_d = fit_end - order, all_d = y.size() - order;
    if (!detail::all_finite(d))
        throw NotFinite(mem.describe() + ": the transformed series is not finite (differences overflow)");
    // Constant: forecast by its value itself (a mean of equal values can round away from it).
    if (std::all_of(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(fit_d), [&](double x) { return x == d[0]; })) {
        mem.mean = d[0];
        mem.constant = true;
        return mem;
    }
    mem.mean = mean_of(d.data(), fit_d);
    const double sd = population_sd(d.data(), fit_d, mem.mean);
    if (!(sd > 0.0) || !std::isfinite(sd))
        throw NotFinite(mem.describe() + ": the spread of the transformed series is not a positive finite number");
    mem.scale = sd;
    std::vector<double> s(d.size());
    for (std::size_t j = 0; j < d.size(); ++j) s[j] = (d[j] - mem.mean) / mem.scale;
    const Windows<float> wt = windows_for(s, c.lookback, fit_d, c.lookback);
    Adam<float> opt(mem.model.parameters(), AdamOptions<float>{.lr = static_cast<float>(o.lr)});
    // At most o.max_steps optimizer steps: long series need fewer epochs, and the run time
    // stays bounded whatever the length.
    const std::size_t n_windows = wt.x.shape()[0];
    const std::size_t steps_per_epoch = (n_windows + o.batch_size - 1) / o.batch_size;
    FitOptions<float> fo;
    fo.epochs = std::max<std::size_t>(1, std::min(epochs, o.max_steps / steps_per_epoch));
    fo.batch_size = o.batch_size;
    fo.seed = seed;
    fo.verbose = false;
    fo.clip_norm = 1.0f;
    fo.should_stop = o.should_stop;
    if (fit_d < all_d) {
        const Windows<float> wv = windows_for(s, fit_d, all_d, c.lookback);
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
