// Multivariate inputs: next quarter's US unemployment rate from the last 8 quarters of five
// series (unemployment, GDP growth, investment growth, T-bill rate, inflation), on
// us_macro_quarterly (1959–2009). The RNN predicts the change of the unemployment rate,
// u_{t+1} − u_t, from windows [8, 5] scaled by a StandardScaler fitted on the training rows;
// the last 20% of the quarters are the test part, compared with the naive forecast u_t and
// with elman's forecasting pipeline (forecast/forecast.hpp) on the unemployment rate alone.
#include <cmath>
#include <cstdio>

#include <xtensor/xview.hpp>

#include "datasets/baselines.hpp"
#include "datasets/builtin.hpp"
#include "datasets/metrics.hpp"
#include "datasets/scalers.hpp"
#include "datasets/split.hpp"
#include "datasets/windows.hpp"
#include "forecast/forecast.hpp"
#include "layers/dense.hpp"
#include "layers/fit.hpp"
#include "layers/simple_rnn.hpp"
#include "optim/adam.hpp"

using namespace elman;

namespace {


// The change u_{t+1} − u_t predicted for each test row from its window of five series: the mean
// of three seeds' models, trained on the training rows; rows [n_train, rows) of x are the test.
std::vector<double> multivariate_change(const Tensor<double>& x, const std::vector<double>& target,
                                        std::size_t n_train, std::size_t lookback)
{
    const std::size_t F = x.shape()[1];
    // Scalers fitted on the training rows only.
    StandardScaler fx, fy;
    fx.fit(Tensor<double>(xt::view(x, xt::range(0, n_train))));
    fy.fit(std::vector<double>(target.begin(), target.begin() + n_train));
    const Tensor<double> xs = fx.transform(x);
    const std::vector<double> ys = fy.transform(target);
    const Windows<float> w = make_windows<float>(xs, ys, lookback, 1);
    // Window i predicts target[i + lookback]; it is a training window when that row is.
    const std::size_t n_win_train = n_train - lookback;
    const Tensor<float> xtr = xt::view(w.x, xt::range(0, n_win_train));
    const Tensor<float> ytr = xt::view(w.y, xt::range(0, n_win_train));
    const Tensor<float> xte = xt::view(w.x, xt::range(n_win_train, w.x.shape()[0]));

    // The mean of three seeds' predictions of the scaled change.
    std::vector<double> change(xte.shape()[0], 0.0);
    for (std::uint64_t seed : {1, 2, 3}) {
        Sequential<float> model;
        model.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 16, .seed = seed});
        model.emplace<Dense<float>>(DenseOptions{.units = 1, .seed = seed + 10});
        model.build({lookback, F});
        if (seed == 1) std::printf("%s\n", model.summary().c_str());
        Adam<float> opt(model.parameters(), {.lr = 0.005f});
        const History<float> h = fit(model, opt, xtr, ytr,
                                     {.epochs = 200, .batch_size = 16, .seed = seed,
                                      .validation_split = 0.2f, .patience = 20, .verbose = false});
        std::printf("seed %llu: %s, best epoch %zu\n", static_cast<unsigned long long>(seed),
                    h.stop_reason.c_str(), h.best_epoch + 1);
        const Tensor<float> p = predict(model, xte);
        for (std::size_t i = 0; i < change.size(); ++i) change[i] += p(i, 0) / 3.0;
    }
    return fy.inverse_transform(change);
}

}  // namespace

int main()
{
    const Frame f = load_builtin_frame("us_macro_quarterly");
    const auto& u = f.column("unemp").values;
    const auto& gdp = f.column("realgdp").values;
    const auto& inv = f.column("realinv").values;
    const auto& tb = f.column("tbilrate").values;
    const auto& infl = f.column("infl").values;
    // Row t (t >= 1): features known at the end of quarter t; target[t] = u_{t+1} − u_t.
    const std::size_t n = f.size() - 1, F = 5, lookback = 8;
    Tensor<double> x = Tensor<double>::from_shape({n - 1, F});
    std::vector<double> target(n - 1);
    for (std::size_t t = 1; t < n; ++t) {
        const double row[F] = {u[t], 100 * std::log(gdp[t] / gdp[t - 1]),
                               100 * std::log(inv[t] / inv[t - 1]), tb[t], infl[t]};
        for (std::size_t k = 0; k < F; ++k) x(t - 1, k) = row[k];
        target[t - 1] = u[t + 1] - u[t];
    }
    const std::size_t rows = n - 1, n_test = default_test_size(rows, 4), n_train = rows - n_test;
    const std::vector<double> dchange = multivariate_change(x, target, n_train, lookback);

    // Test rows t = n_train .. rows−1 forecast u at quarter t + 2 (row t is quarter t + 1).
    std::vector<double> actual, rnn, naive, u_train;
    for (std::size_t t = n_train; t < rows; ++t) {
        actual.push_back(u[t + 2]);
        naive.push_back(u[t + 1]);
        rnn.push_back(u[t + 1] + dchange[t - n_train]);
    }
    for (std::size_t t = 0; t < n_train + 2; ++t) u_train.push_back(u[t]);
    const Metrics mr = evaluate(actual, rnn, u_train, 4), mn = evaluate(actual, naive, u_train, 4);
    std::printf("\nunemployment rate, %zu test quarters from %s\n", actual.size(),
                f.periods[n_train + 2].c_str());
    std::printf("%-22s RMSE %.3f  MAE %.3f  MASE %.3f\n", "elman, 5 series", mr.rmse, mr.mae, mr.mase);
    std::printf("%-22s RMSE %.3f  MAE %.3f  MASE %.3f\n", "naive", mn.rmse, mn.mae, mn.mase);

    // The same test quarters (the last actual.size() values of u), forecast one step ahead by
    // the library's pipeline from the unemployment rate alone.
    ForecastOptions options;
    options.test = actual.size();
    options.seeds = 2;
    const ForecastResult r = run_forecast(load_builtin("us_macro_quarterly", "unemp"), options);
    const Metrics& mp = r.one_step_metrics.at("elman");
    std::printf("%-22s RMSE %.3f  MAE %.3f  MASE %.3f  (%s)\n", "elman pipeline, unemp", mp.rmse, mp.mae,
                mp.mase, r.model.describe().c_str());
    return 0;
}
