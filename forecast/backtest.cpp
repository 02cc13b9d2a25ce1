// Rolling-origin backtests: K runs of the pipeline on the series cut at K origins, and the
// spread of every score across them (forecast/backtest.hpp).
#include "forecast/backtest.hpp"

#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "datasets/stats.hpp"
#include "forecast/forecast.hpp"
#include "forecast/split.hpp"

namespace elman {

namespace {

// The first n values of s, with their periods, instants and filled positions.
Series head(const Series& s, std::size_t n)
{
    Series h = s;
    h.values.resize(n);
    h.periods.resize(n);
    if (h.time.instants.size() > n) h.time.instants.resize(n);
    std::erase_if(h.filled, [n](std::size_t i) { return i >= n; });
    h.notes.clear();
    return h;
}

BacktestFold fold_of(const ForecastResult& r, const Series& s, std::size_t n)
{
    BacktestFold f;
    f.n = n;
    f.n_train = r.n_train;
    f.n_test = r.n_test;
    f.first_test_period = s.periods[r.n_train];
    f.last_test_period = s.periods[n - 1];
    f.one_step = r.one_step_metrics;
    f.multi_step = r.multi_step_metrics;
    f.one_step_intervals = r.one_step_interval_scores;
    f.multi_step_intervals = r.multi_step_interval_scores;
    f.one_step_ensemble = r.model.describe(Ensemble::one_step);
    f.multi_step_ensemble = r.model.describe(Ensemble::multi_step);
    return f;
}

// Every number of a fold by its summary key.
std::map<std::string, double> numbers(const BacktestFold& f)
{
    std::map<std::string, double> out;
    for (const auto& [protocol, metrics] : {std::pair{"one_step", &f.one_step}, std::pair{"multi_step", &f.multi_step}})
        for (const auto& [method, m] : *metrics) {
            const std::string k = std::string(protocol) + "." + method + ".";
            out[k + "rmse"] = m.rmse;
            out[k + "mae"] = m.mae;
            out[k + "mape"] = m.mape;
            out[k + "mase"] = m.mase;
        }
    for (const auto& [protocol, s] :
         {std::pair{"one_step", &f.one_step_intervals}, std::pair{"multi_step", &f.multi_step_intervals}}) {
        const std::string k = std::string(protocol) + ".intervals.";
        out[k + "coverage80"] = s->coverage80;
        out[k + "coverage95"] = s->coverage95;
        out[k + "msis80"] = s->msis80;
        out[k + "msis95"] = s->msis95;
    }
    return out;
}

std::map<std::string, Spread> summarize(const std::vector<BacktestFold>& folds)
{
    std::map<std::string, std::vector<double>> values;
    for (const BacktestFold& f : folds)
        for (const auto& [k, v] : numbers(f))
            if (std::isfinite(v)) values[k].push_back(v);
            else values[k];  // the key exists even when no fold defines it
    std::map<std::string, Spread> out;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (const auto& [k, v] : values) {
        Spread s{nan, nan, v.size()};
        if (!v.empty()) {
            s.mean = mean_of(v);
            const double n = static_cast<double>(v.size());
            s.sd = v.size() > 1 ? population_sd(v, s.mean) * std::sqrt(n / (n - 1)) : 0.0;
        }
        out[k] = s;
    }
    return out;
}

}  // namespace

BacktestResult run_backtest(const Series& series, const ForecastOptions& options, const BacktestOptions& b)
{
    if (b.folds < 1) throw Error("--folds must be >= 1");
    validate_forecast_options(options);
    detail::check_values(series, options);
    ForecastResult plan;
    detail::plan_sizes(plan, series, options);
    if (plan.n_test == 0) throw Error("--folds needs a test part (not --test 0)");
    BacktestResult out;
    out.step = b.step ? b.step : plan.horizon;
    const std::size_t n = series.values.size(), back = (b.folds - 1) * out.step;
    if (back + plan.n_test >= n)
        throw Error("--folds " + std::to_string(b.folds) + " with origins " + std::to_string(out.step) +
                    " values apart leave no training values for the first fold of " + std::to_string(n) +
                    " values; try fewer --folds or a smaller --fold-step");
    // The same test size in every fold (20% of a shorter series would be fewer values); the
    // season and the horizon do not depend on the length (the horizon is capped by the test
    // size, the same in every fold).
    ForecastOptions o = options;
    o.test = plan.n_test;
    for (std::size_t k = 0; k < b.folds; ++k) {
        const std::size_t n_k = n - (b.folds - 1 - k) * out.step;
        const std::string who = "fold " + std::to_string(k + 1) + "/" + std::to_string(b.folds) + ": ";
        if (options.progress) o.progress = [&](const std::string& line) { options.progress(who + line); };
        const Series s = head(series, n_k);
        ForecastResult r;
        try {
            r = run_forecast(s, o);
        } catch (const ForecastInterrupted&) {
            if (out.folds.empty()) throw;
            out.interrupted = true;
            break;
        } catch (const Error& e) {
            throw Error(who + e.what());
        }
        if (r.interrupted) {
            out.interrupted = true;
            break;
        }
        out.folds.push_back(fold_of(r, s, n_k));
        if (k + 1 == b.folds) out.last = std::move(r);
    }
    out.summary = summarize(out.folds);
    return out;
}

}  // namespace elman
