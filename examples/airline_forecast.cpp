// The airline passengers series (1949–1960, monthly) forecast by elman's pipeline: the last 24
// months are held out, everything is chosen on the first 120, and the forecasts are compared
// with the baselines and the SARIMA airline model of ANCHORS.md, one-step and multi-step.
// The same as `elman forecast --builtin airline_passengers`, from C++.
#include <cstdio>

#include "datasets/builtin.hpp"
#include "forecast/forecast.hpp"

using namespace elman;

int main()
{
    const Series s = load_builtin("airline_passengers");
    ForecastOptions options;
    // Multi-step from one origin over the whole test part, as ANCHORS.md scores SARIMA (the
    // CLI's default is M4's monthly horizon, 18, from rolling origins).
    options.horizon = 24;
    options.progress = [](const std::string& line) { std::printf("  %s\n", line.c_str()); };
    ForecastResult r = run_forecast(s, options);

    std::printf("\n%zu training months, %zu test months; kept %s\n", r.n_train, r.n_test,
                r.model.describe().c_str());
    std::printf("\n%-16s %14s %14s\n", "MASE (RMSE)", "one-step", "multi-step");
    for (const auto& name : forecast_methods())
        std::printf("%-16s %6.3f (%5.1f) %6.3f (%5.1f)\n", name.c_str(),
                    r.one_step_metrics[name].mase, r.one_step_metrics[name].rmse,
                    r.multi_step_metrics[name].mase, r.multi_step_metrics[name].rmse);
    std::printf("%-16s %6.3f (%5.1f) %6.3f (%5.1f)\n\n", "SARIMA (anchor)", 0.403, 15.28, 1.381,
                43.2);

    std::printf("%-8s %8s %10s %10s\n", "month", "actual", "one-step", "multi-step");
    for (std::size_t i = 0; i < r.n_test; ++i)
        std::printf("%-8s %8.0f %10.1f %10.1f\n", s.periods[r.n_train + i].c_str(),
                    s.values[r.n_train + i], r.one_step["elman"][i], r.multi_step["elman"][i]);
    return 0;
}
