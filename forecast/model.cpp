// ForecastModel: its members' forecasts combined by the median, and its description
// (forecast/model.hpp; save and load are in forecast/model_io.cpp).
#include "forecast/model.hpp"

#include <algorithm>

#include "forecast/combination.hpp"

namespace elman {

using detail::median_combine;

std::size_t ForecastModel::warmup() const
{
    std::size_t w = 0;
    for (const auto& m : members) w = std::max(w, m.warmup());
    return w;
}

std::vector<double> ForecastModel::one_step(const std::vector<double>& y, std::size_t from)
{
    std::vector<std::vector<double>> rows;
    for (auto& m : members) rows.push_back(m.one_step(y, from));
    return median_combine(rows);
}

std::vector<double> ForecastModel::multi_step(const std::vector<double>& history, std::size_t horizon)
{
    std::vector<std::vector<double>> rows;
    for (auto& m : members) rows.push_back(m.multi_step(history, horizon));
    return median_combine(rows);
}

std::vector<double> ForecastModel::rolling(const std::vector<double>& y, std::size_t from, std::size_t horizon)
{
    std::vector<std::vector<double>> rows;
    for (auto& m : members) rows.push_back(m.rolling(y, from, horizon));
    return median_combine(rows);
}

std::string ForecastModel::describe() const
{
    std::vector<std::pair<std::string, std::size_t>> counts;
    for (const auto& m : members) {
        const std::string d = m.describe();
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

}  // namespace elman
