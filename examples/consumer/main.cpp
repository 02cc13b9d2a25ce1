// An outside program using the installed elman: trains SimpleRNN(8) -> Dense(1) for a few
// epochs to predict a noisy sine one step ahead, then forecasts the installed nile_flow series
// with the forecasting library (elman::forecast) in its fastest settings; exits 0 only if the
// training loss dropped and the forecast is finite.
#include <elman/elman.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <vector>

int main()
{
    using namespace elman;
    std::printf("elman %s (%d.%d.%d)\n", ELMAN_VERSION_STRING, ELMAN_VERSION_MAJOR,
                ELMAN_VERSION_MINOR, ELMAN_VERSION_PATCH);

    // s_t = sin(2π t / 20) + N(0, 0.05²); windows of 10 values -> the next value.
    const std::size_t n = 200, lookback = 10, m = n - lookback;
    Rng rng(3);
    std::vector<float> s(n);
    for (std::size_t t = 0; t < n; ++t)
        s[t] = static_cast<float>(std::sin(2 * std::numbers::pi * double(t) / 20.0) +
                                  0.05 * rng.normal());
    Tensor<float> x = Tensor<float>::from_shape({m, lookback, 1});
    Tensor<float> y = Tensor<float>::from_shape({m, 1});
    for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t k = 0; k < lookback; ++k) x(i, k, 0) = s[i + k];
        y(i, 0) = s[i + lookback];
    }

    Sequential<float> model;
    model.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 8, .seed = 1});
    model.emplace<Dense<float>>(DenseOptions{.units = 1, .seed = 2});
    model.build({lookback, 1});
    std::printf("%s", model.summary().c_str());

    Adam<float> opt(model.parameters(), {.lr = 0.01f});
    const History<float> h =
        fit(model, opt, x, y, {.epochs = 5, .batch_size = 16, .seed = 1, .verbose = false});
    for (std::size_t e = 0; e < h.loss.size(); ++e)
        std::printf("epoch %zu: loss %.5f\n", e + 1, static_cast<double>(h.loss[e]));
    const bool dropped = h.loss.back() < 0.5f * h.loss.front();
    std::printf("loss %s\n", dropped ? "dropped: OK" : "did NOT drop by half: FAIL");

    ForecastOptions fo;
    fo.epochs = 5;
    fo.seeds = 1;
    fo.ensemble = 1;
    fo.lookback = 4;
    const ForecastResult r = run_forecast(load_builtin("nile_flow"), fo);
    const double mase = r.one_step_metrics.at("elman").mase;
    const bool finite = std::isfinite(mase);
    std::printf("nile_flow: %zu test values, one-step MASE %.3f: %s\n", r.n_test, mase, finite ? "OK" : "FAIL");
    return dropped && finite ? EXIT_SUCCESS : EXIT_FAILURE;
}
