// The candidates stage: log × differencing lags × lookback (forecast/candidates.hpp).
#include "forecast/candidates.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "datasets/transforms.hpp"

namespace elman::detail {

std::vector<Candidate> candidates(const std::vector<double>& train, std::size_t season, std::size_t horizon,
                                  const ForecastOptions& o)
{
    const bool positive = std::all_of(train.begin(), train.end(), [](double v) { return v > 0.0; });
    // A constant part is forecast exactly without logs: exp(log y) can be off by an ulp.
    const bool constant = std::all_of(train.begin(), train.end(), [&](double v) { return v == train.front(); });
    std::vector<bool> logs = o.log ? std::vector<bool>{*o.log}
                             : positive && !constant ? std::vector<bool>{false, true}
                                                     : std::vector<bool>{false};
    std::vector<std::vector<std::size_t>> lag_sets;
    if (o.lags)
        lag_sets = {*o.lags};
    else if (season > 1)
        lag_sets = {{}, {1}, {season}, {1, season}};
    else
        lag_sets = {{}, {1}};
    std::vector<std::size_t> lookbacks;
    if (o.lookback)
        lookbacks = {*o.lookback};
    else if (season > 1)
        lookbacks = {std::max<std::size_t>(season, 4), std::max<std::size_t>(2 * season, 8)};
    else
        lookbacks = {4, 8, 12, 16};
    std::vector<std::size_t> outputs;
    // Past-only covariates are unknown after the origin: a recursive forecast cannot step on.
    const bool past = !o.past_covariates.empty();
    if (past && o.strategy == Strategy::recursive && horizon > 1)
        throw Error("--strategy recursive cannot use past-only covariates (--past-covariates, --covariates): their "
                    "values after the forecast origin are unknown; use --strategy mimo or auto, or give them as "
                    "--future-covariates");
    if ((o.strategy != Strategy::mimo && !past) || horizon < 2) outputs.push_back(1);
    if (o.strategy != Strategy::recursive && horizon > 1) outputs.push_back(horizon);
    std::vector<Candidate> out;
    for (std::size_t k : outputs)
        for (bool lg : logs)
            for (const auto& lags : lag_sets)
                for (std::size_t L : lookbacks) out.push_back({lg, lags, L, k});
    return out;
}

std::size_t values_needed(const Candidate& c)
{
    constexpr std::size_t min_windows = 8;
    return Differencing(c.lags).order() + c.lookback + c.outputs - 1 + min_windows;
}

std::vector<std::size_t> feasible_candidates(const std::vector<Candidate>& cands, std::size_t n_fit,
                                             std::size_t n_train, std::size_t season, const ForecastOptions& o)
{
    std::vector<std::size_t> feasible;
    for (std::size_t ci = 0; ci < cands.size(); ++ci)
        if (n_fit >= values_needed(cands[ci])) feasible.push_back(ci);
    if (!feasible.empty()) return feasible;
    std::size_t smallest = cands.front().lookback;
    for (const auto& c : cands) smallest = std::min(smallest, c.lookback);
    std::vector<std::string> remedies;
    if (o.test.value_or(1) > 0) remedies.push_back("a smaller --test");
    if (smallest > 1) remedies.push_back("a smaller --lookback");
    if (season > 1) remedies.push_back("a smaller --season");
    if (std::all_of(cands.begin(), cands.end(), [](const Candidate& c) { return c.outputs > 1; }))
        remedies.push_back("a smaller --horizon");
    std::string hint;
    for (std::size_t i = 0; i < remedies.size(); ++i)
        hint += (i == 0 ? "; try " : i + 1 == remedies.size() ? " or " : ", ") + remedies[i];
    throw Error("series too short: " + std::to_string(n_train) + " training values leave fewer than 8 windows for "
                "lookback " + std::to_string(smallest) + hint);
}

}  // namespace elman::detail
