// run_global: one model on the windows of every series (forecast/global.hpp, the steps there).
#include "forecast/global.hpp"

#include <algorithm>
#include <map>

#include "core/error.hpp"
#include "forecast/candidates.hpp"
#include "forecast/evaluation.hpp"
#include "forecast/forecast.hpp"
#include "forecast/global_training.hpp"
#include "forecast/split.hpp"
#include "forecast/training.hpp"
#include "forecast/util.hpp"
#include "layers/fit.hpp"

namespace elman {

namespace {

// Step 1: each series split alone; the run's season the most common one. Fills `errors`
// for the series left out and returns the indices of the others.
std::vector<std::size_t> split_all(const std::vector<const Series*>& series, const ForecastOptions& o,
                                   GlobalResult& g, std::vector<ForecastResult>& plans)
{
    std::vector<std::size_t> ok;
    std::map<std::size_t, std::size_t> seasons;
    for (std::size_t i = 0; i < series.size(); ++i) {
        try {
            detail::check_values(*series[i], o);
            detail::plan_sizes(plans[i], *series[i], o);
            ok.push_back(i);
            ++seasons[plans[i].season];
        } catch (const Error& e) {
            g.errors[i] = e.what();
        }
    }
    if (ok.empty()) return ok;
    std::size_t season = 0, count = 0;
    for (const auto& [m, c] : seasons)
        if (c > count) season = m, count = c;
    std::vector<std::size_t> kept;
    for (std::size_t i : ok)
        if (plans[i].season == season)
            kept.push_back(i);
        else
            g.errors[i] = "season " + std::to_string(plans[i].season) + " differs from the global model's season " +
                          std::to_string(season) + " (the most common one); give every series one --season";
    return kept;
}

// Step 2: the candidates of the shortest series that every series has the values for.
std::vector<detail::Candidate> global_candidates(const std::vector<detail::GlobalSeries>& gs, std::size_t season,
                                                 bool positive, const ForecastOptions& o)
{
    const auto shortest = std::min_element(gs.begin(), gs.end(), [](const auto& a, const auto& b) {
        return a.n_fit < b.n_fit;
    });
    ForecastOptions co = o;
    if (!positive) co.log = false;
    std::vector<detail::Candidate> out;
    // Recursive candidates only (one output): the global model has no MIMO heads yet.
    for (const auto& c : detail::candidates(shortest->train, season, 1, co))
        if (c.outputs == 1 && detail::global_values_needed(c) <= shortest->n_fit) out.push_back(c);
    return out;
}

// Steps 3 and 4: every candidate trained, the o.ensemble best kept (best first).
std::vector<detail::GlobalMember> screen_global(const std::vector<detail::Candidate>& cands,
                                                const std::vector<detail::GlobalSeries>& gs, const ForecastOptions& o,
                                                GlobalResult& g)
{
    std::vector<detail::GlobalMember> trained;
    for (std::size_t k = 0; k < cands.size(); ++k) {
        try {
            trained.push_back(detail::train_global(cands[k], gs, o));
            if (!std::isfinite(trained.back().val_score)) {
                g.notes.push_back("global candidate " + trained.back().shared.describe() +
                                  ": validation loss not finite, dropped");
                trained.pop_back();
            }
        } catch (const Error& e) {
            g.notes.push_back("global candidate " + std::to_string(k + 1) + "/" + std::to_string(cands.size()) +
                              " dropped: " + e.what());
        }
        if (o.should_stop && o.should_stop()) break;
    }
    std::stable_sort(trained.begin(), trained.end(),
                     [](const auto& a, const auto& b) { return a.val_score < b.val_score; });
    if (trained.size() > o.ensemble) trained.resize(o.ensemble);
    return trained;
}

}  // namespace

GlobalResult run_global(const std::vector<const Series*>& series, const ForecastOptions& o)
{
    validate_forecast_options(o);
    if (o.cell != "simple")
        throw Error("--global trains SimpleRNN models only (--cell " + o.cell + " is for the models of each series)");
    if (!o.past_covariates.empty() || !o.future_covariates.empty())
        throw Error("--global does not take covariates yet (--covariates, --past-covariates, --future-covariates): "
                    "drop --global to fit one model per series with its covariates");
    GlobalResult g;
    g.results.resize(series.size());
    g.errors.resize(series.size());
    std::vector<ForecastResult> plans(series.size());
    const std::vector<std::size_t> ok = split_all(series, o, g, plans);
    if (ok.empty()) return g;
    const std::size_t season = plans[ok.front()].season;
    std::vector<detail::GlobalSeries> gs;
    bool positive = true;
    for (std::size_t i : ok) {
        const auto& y = series[i]->values;
        positive = positive && std::all_of(y.begin(), y.end(), [](double v) { return v > 0.0; });
        gs.push_back({detail::slice(y, 0, plans[i].n_train), detail::fitted_size(plans[i].n_train, season, plans[i].horizon)});
    }
    const auto cands = global_candidates(gs, season, positive, o);
    std::vector<detail::GlobalMember> kept = cands.empty() ? std::vector<detail::GlobalMember>{}
                                                           : screen_global(cands, gs, o, g);
    if (kept.empty()) {
        const std::string why = cands.empty() ? "the shortest series is too short for any candidate"
                                              : "no global candidate could be trained" +
                                                    (g.notes.empty() ? std::string() : " (" + g.notes.back() + ")");
        for (std::size_t i : ok) g.errors[i] = "global model: " + why;
        return g;
    }
    // Step 5: each series' model of the shared members with its own scaler.
    for (std::size_t k = 0; k < ok.size(); ++k) {
        const std::size_t i = ok[k];
        ForecastResult& r = plans[i];
        r.model.season = season;
        for (auto& m : kept) r.model.members.push_back(m.for_series(k, o.units));
        try {
            detail::evaluate_forecasts(r, *series[i]);
            g.results[i] = std::move(r);
        } catch (const Error& e) {
            g.errors[i] = "global model: " + std::string(e.what());
        }
    }
    return g;
}

}  // namespace elman
