// Covariates: chosen from a series by name, scaled, written into windows, and their future
// values read from a CSV of the future periods (forecast/covariates.hpp).
#include "forecast/covariates.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "datasets/csv.hpp"
#include "datasets/stats.hpp"
#include "forecast/util.hpp"

namespace elman {

namespace {

std::string joined(const std::vector<std::string>& names)
{
    std::string s;
    for (std::size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
    return s.empty() ? "none" : s;
}

// The covariate `name` of s, checked: every value of the series' periods finite.
const std::vector<double>& covariate_of(const Series& s, const std::string& name, const std::string& option)
{
    const auto it = std::find(s.covariate_names.begin(), s.covariate_names.end(), name);
    if (it == s.covariate_names.end())
        throw Error(option + " '" + name + "': the series carries no covariate of that name (covariates read: " +
                    joined(s.covariate_names) + ")");
    const std::vector<double>& v = s.covariates.at(static_cast<std::size_t>(it - s.covariate_names.begin()));
    if (v.size() < s.values.size())
        throw Error(option + " '" + name + "': " + std::to_string(v.size()) + " values for a series of " +
                    std::to_string(s.values.size()));
    for (std::size_t t = 0; t < v.size(); ++t)
        if (!std::isfinite(v[t]))
            throw Error(option + " '" + name + "': value " + std::to_string(t + 1) +
                        (t < s.periods.size() ? " (" + s.periods[t] + ")" : std::string()) + " is " +
                        detail::fmt(v[t], "%g") + "; fill missing values first (--interpolate)");
    return v;
}

}  // namespace

Covariates select_covariates(const Series& s, const std::vector<std::string>& past,
                             const std::vector<std::string>& future, const std::string& option_past,
                             const std::string& option_future)
{
    Covariates x;
    std::vector<std::string> seen;
    for (const auto* list : {&past, &future}) {
        const std::string& option = list == &past ? option_past : option_future;
        for (const auto& name : *list) {
            if (std::find(seen.begin(), seen.end(), name) != seen.end())
                throw Error(option + " '" + name + "': named twice (a covariate is either past or future)");
            seen.push_back(name);
            (list == &past ? x.past : x.future).push_back(covariate_of(s, name, option));
        }
    }
    return x;
}

void fit_covariate_scaler(const Covariates& x, std::size_t fit_end, std::vector<double>& mean,
                          std::vector<double>& scale)
{
    mean.clear();
    scale.clear();
    for (const auto* group : {&x.past, &x.future})
        for (const auto& v : *group) {
            const double mu = mean_of(v.data(), fit_end), sd = population_sd(v.data(), fit_end, mu);
            mean.push_back(mu);
            scale.push_back(sd > 0.0 && std::isfinite(sd) ? sd : 1.0);
        }
}

void put_covariates(float* out, const Covariates& x, const std::vector<double>& mean, const std::vector<double>& scale,
                    std::size_t tau)
{
    std::size_t c = 0;
    for (const auto& v : x.past) {
        out[c] = static_cast<float>((v.at(tau) - mean[c]) / scale[c]);
        ++c;
    }
    for (const auto& v : x.future) {
        out[c] = static_cast<float>((v.at(tau + 1) - mean[c]) / scale[c]);
        ++c;
    }
}

std::vector<std::string> constant_covariate_notes(const Covariates& x, const std::vector<std::string>& names,
                                                  std::size_t n)
{
    std::vector<std::string> notes;
    std::size_t c = 0;
    for (const auto* group : {&x.past, &x.future})
        for (const auto& v : *group) {
            const bool constant = std::all_of(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n),
                                              [&](double a) { return a == v.front(); });
            if (constant)
                notes.push_back("covariate '" + names.at(c) + "' is constant (" + detail::fmt(v.front(), "%g") +
                                ") on the first " + std::to_string(n) + " values, which the screened models are fitted on: "
                                "they cannot learn from it (it enters as 0 there, and as its difference from " +
                                detail::fmt(v.front(), "%g") + " elsewhere)");
            ++c;
        }
    return notes;
}

Covariates padded_future(const Covariates& x, std::size_t n)
{
    Covariates p = x;
    for (auto& v : p.future)
        if (!v.empty() && v.size() < n) v.resize(n, v.back());
    return p;
}

namespace {

bool has_frequency_name(const Calendar& c)
{
    try {
        parse_frequency(frequency_name(c));
        return true;
    } catch (const Error&) {
        return false;
    }
}

// The label of the future file's row k and whether it is the k-th period after s.
bool is_period_after(const Series& s, const Frame& f, std::size_t k, const std::string& expected)
{
    const Calendar& c = s.time.calendar;
    if (c.known() && !s.time.instants.empty() && k < f.time.instants.size())
        return f.time.instants[k] == advance(c, s.time.instants.back(), static_cast<std::int64_t>(k + 1));
    return f.periods[k] == expected;
}

}  // namespace

void append_future_covariates(Series& s, const std::string& file, const std::vector<std::string>& names,
                              std::size_t needed)
{
    CsvOptions o;
    // The series' frequency, so that a file of one or two future periods needs no inference
    // (frequencies without a name the reader takes, "every 3 days", are inferred as usual).
    if (s.time.calendar.known() && has_frequency_name(s.time.calendar)) o.frequency = frequency_name(s.time.calendar);
    const Frame f = load_csv_frame(file, names, o);
    if (f.size() < needed)
        throw Error(file + ": " + std::to_string(f.size()) + " future periods, but the forecast needs the next " +
                    std::to_string(needed) + " (after " + (s.periods.empty() ? "the series" : s.periods.back()) +
                    ")");
    const std::vector<std::string> expected = future_periods(s, needed);
    for (std::size_t k = 0; k < needed; ++k)
        if (!is_period_after(s, f, k, expected[k]))
            throw Error(file + ": data row " + std::to_string(k + 1) + " is period '" + f.periods[k] + "', expected '" +
                        expected[k] + "' (the future periods must follow the series' last, " +
                        (s.periods.empty() ? std::string("?") : s.periods.back()) + ", one by one)");
    for (std::size_t j = 0; j < names.size(); ++j) {
        const auto it = std::find(s.covariate_names.begin(), s.covariate_names.end(), names[j]);
        if (it == s.covariate_names.end())
            throw Error(file + ": the series carries no covariate '" + names[j] + "' to continue");
        const auto col = std::find(f.columns.begin(), f.columns.end(), names[j]);
        if (col == f.columns.end()) throw Error(file + ": no column '" + names[j] + "'");
        const std::vector<double>& given = f.values[static_cast<std::size_t>(col - f.columns.begin())];
        std::vector<double>& v = s.covariates[static_cast<std::size_t>(it - s.covariate_names.begin())];
        v.resize(s.values.size());
        v.insert(v.end(), given.begin(), given.begin() + static_cast<std::ptrdiff_t>(needed));
    }
}

}  // namespace elman
