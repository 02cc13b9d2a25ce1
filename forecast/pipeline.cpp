// run_forecast: the stages in order (forecast/forecast.hpp lists them), and the options'
// checks that do not depend on the series.
#include "forecast/forecast.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

#include "core/error.hpp"
#include "forecast/calibration.hpp"
#include "forecast/combination.hpp"
#include "forecast/evaluation.hpp"
#include "forecast/run_control.hpp"
#include "forecast/selection.hpp"
#include "forecast/split.hpp"
#include "forecast/util.hpp"
#include "layers/cells.hpp"

namespace elman {

std::size_t default_threads() { return std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8); }

const std::vector<std::string>& forecast_methods()
{
    static const std::vector<std::string> m{"elman", "naive", "seasonal_naive", "drift"};
    return m;
}

const char* to_string(Strategy s)
{
    switch (s) {
    case Strategy::recursive: return "recursive";
    case Strategy::mimo: return "mimo";
    case Strategy::automatic: break;
    }
    return "auto";
}

Strategy parse_strategy(const std::string& name)
{
    for (Strategy s : {Strategy::automatic, Strategy::recursive, Strategy::mimo})
        if (name == to_string(s)) return s;
    throw Error("--strategy '" + name + "': expected auto, recursive or mimo");
}

void validate_forecast_options(const ForecastOptions& o)
{
    if (o.units < 1) throw Error("--units must be >= 1");
    check_cell(o.cell);
    if (o.epochs < 1) throw Error("--epochs must be >= 1");
    if (o.batch_size < 1) throw Error("--batch-size must be >= 1");
    if (o.ensemble < 1) throw Error("--ensemble must be >= 1");
    if (o.seeds < 1) throw Error("--seeds must be >= 1");
    if (o.threads < 1) throw Error("--threads must be >= 1");
    if (o.max_steps < 1) throw Error("--max-steps must be >= 1");
    if (!(o.lr > 0.0) || !std::isfinite(o.lr)) throw Error("--lr must be a finite number > 0");
    if (o.lookback && *o.lookback < 1) throw Error("--lookback must be >= 1");
    if (o.season && *o.season < 1) throw Error("--season must be >= 1");
    if (o.lags)
        for (std::size_t l : *o.lags)
            if (l < 1) throw Error("--diff lags must be >= 1");
    for (const auto& name : o.past_covariates)
        if (std::find(o.future_covariates.begin(), o.future_covariates.end(), name) != o.future_covariates.end())
            throw Error("covariate '" + name + "' is given both as past-only (--past-covariates) and as known-future "
                        "(--future-covariates); give it once");
}

namespace {

// The covariates the options name, from the series, with notes on what the pipeline does with
// them (checked: known, finite, each as long as the series).
Covariates covariates_for(const Series& series, const ForecastOptions& o, std::size_t n_fit, ForecastResult& r)
{
    const Covariates x = select_covariates(series, o.past_covariates, o.future_covariates);
    if (x.empty()) return x;
    std::vector<std::string> names = o.past_covariates;
    names.insert(names.end(), o.future_covariates.begin(), o.future_covariates.end());
    for (auto& n : constant_covariate_notes(x, names, n_fit)) r.notes.push_back(std::move(n));
    if (!x.past.empty() && r.horizon > 1)
        r.notes.push_back("past-only covariates: only MIMO candidates (a recursive multi-step forecast would need "
                          "their values after the forecast origin)");
    return x;
}

}  // namespace

ForecastResult run_forecast(const Series& series, const ForecastOptions& o)
{
    validate_forecast_options(o);
    detail::check_values(series, o);
    ForecastResult r;
    detail::plan_sizes(r, series, o);
    const std::vector<double> train = detail::slice(series.values, 0, r.n_train);
    const std::size_t n_fit = detail::fitted_size(r.n_train, r.season, r.horizon);
    // Positivity is checked on the whole series: one-step forecasts take logs of the test history.
    ForecastOptions co = o;
    const auto& y = series.values;
    if (!o.log && !std::all_of(y.begin(), y.end(), [](double v) { return v > 0.0; })) co.log = false;

    const Covariates x = covariates_for(series, o, n_fit, r);
    r.model.past_covariates = o.past_covariates;
    r.model.future_covariates = o.future_covariates;
    detail::RunControl run(o);
    std::vector<detail::Group> groups = detail::screen(train, n_fit, r.season, r.horizon, co, run, r, x);
    if (groups.empty() && run.interrupted())
        throw ForecastInterrupted("forecast: interrupted before any model finished an epoch");
    if (groups.empty())
        throw Error(r.notes.empty() ? "no candidate could be trained"
                                    : "no candidate gave a finite forecast on the validation tail (" + r.notes.back() +
                                          "); try a smaller --lr, or rescale the series");
    r.screened = detail::screened_candidates(groups);
    r.model.season = r.season;
    r.model.horizon = r.horizon;
    detail::keep_and_refit(groups, train, o, run, r, x);
    detail::calibrate_model(r.model, train, n_fit, r.horizon, x);
    r.interrupted = run.interrupted();
    r.model.interrupted = r.interrupted;
    detail::evaluate_forecasts(r, series, x);
    return r;
}

}  // namespace elman
