// ForecastModel: its ensembles' forecasts combined by the median with their spread, and its
// description (forecast/model.hpp; save and load are in forecast/model_io.cpp).
#include "forecast/model.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "forecast/combination.hpp"

namespace elman {

namespace {

bool belongs(const ForecastMember& m, Ensemble e) { return e == Ensemble::one_step ? m.in_one_step : m.in_multi_step; }

}  // namespace

std::vector<ForecastMember*> ForecastModel::ensemble(Ensemble e)
{
    std::vector<ForecastMember*> out;
    for (auto& m : members)
        if (belongs(m, e)) out.push_back(&m);
    if (out.empty()) throw Error("forecast: the model has no member in its " +
                                 std::string(e == Ensemble::one_step ? "one-step" : "multi-step") + " ensemble");
    return out;
}

std::size_t ForecastModel::warmup() const
{
    std::size_t w = 0;
    for (const auto& m : members) w = std::max(w, m.warmup());
    return w;
}

EnsembleForecast ForecastModel::combine(Ensemble e, const std::function<std::vector<double>(ForecastMember&)>& f)
{
    std::vector<std::vector<double>> all, validated;
    for (ForecastMember* m : ensemble(e)) {
        all.push_back(f(*m));
        if (!m->refit) validated.push_back(all.back());
    }
    if (validated.empty()) validated = all;
    return {detail::median_combine(all), std::move(validated)};
}

std::vector<double> ForecastModel::one_step(const std::vector<double>& y, std::size_t from, const Covariates& x)
{
    return combine(Ensemble::one_step, [&](ForecastMember& m) { return m.one_step(y, from, x); }).point;
}

std::vector<double> ForecastModel::multi_step(const std::vector<double>& history, std::size_t horizon,
                                              const Covariates& x)
{
    return combine(Ensemble::multi_step, [&](ForecastMember& m) { return m.multi_step(history, horizon, x); }).point;
}

std::vector<double> ForecastModel::rolling(const std::vector<double>& y, std::size_t from, std::size_t horizon,
                                           const Covariates& x)
{
    return combine(Ensemble::multi_step, [&](ForecastMember& m) { return m.rolling(y, from, horizon, x); }).point;
}

namespace {

std::string describe_members(const std::vector<const ForecastMember*>& members)
{
    std::vector<std::pair<std::string, std::size_t>> counts;
    for (const ForecastMember* m : members) {
        const std::string d = m->describe();
        auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == d; });
        if (it == counts.end())
            counts.emplace_back(d, 1);
        else
            ++it->second;
    }
    std::string out;
    for (const auto& [d, k] : counts) out += (out.empty() ? "" : ", ") + std::to_string(k) + " × [" + d + "]";
    return out;
}

}  // namespace

std::string ForecastModel::describe() const
{
    std::vector<const ForecastMember*> all;
    for (const auto& m : members) all.push_back(&m);
    return describe_members(all);
}

std::string ForecastModel::describe(Ensemble e) const
{
    std::vector<const ForecastMember*> some;
    for (const auto& m : members)
        if (belongs(m, e)) some.push_back(&m);
    return describe_members(some);
}

}  // namespace elman
