// The intervals stage: validation residuals and spreads of each ensemble, then the conformal
// calibration on the original scale and, for a positive series, on the log scale
// (forecast/calibration.hpp).
#include "forecast/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "forecast/combination.hpp"

namespace elman::detail {

namespace {

// [origin][lead] tables of the validation tail, NaN where there is no target.
struct Residuals {
    std::vector<std::vector<double>> additive, additive_spread, log, log_spread;
    bool positive = true;  // every validated forecast > 0 (so the log scale is defined)
};

Residuals tail_residuals(ForecastModel& model, Ensemble e, const std::vector<double>& train, std::size_t n_fit,
                         std::size_t H, const Covariates& x)
{
    const std::size_t n = train.size();
    std::vector<std::size_t> origins;
    for (std::size_t t = n_fit; t < n; ++t) origins.push_back(t);
    std::vector<std::vector<std::vector<double>>> paths;  // [member][origin][lead]
    // Paths past the end of the tail are never scored: their covariates may be unknown.
    const Covariates known = padded_future(x, n + H);
    for (ForecastMember* m : model.ensemble(e))
        if (!m->refit) paths.push_back(m->paths(train, origins, H, known));
    const std::vector<double> none(H, std::numeric_limits<double>::quiet_NaN());
    Residuals r;
    r.additive = r.additive_spread = r.log = r.log_spread = std::vector<std::vector<double>>(origins.size(), none);
    for (std::size_t i = 0; i < origins.size(); ++i)
        for (std::size_t h = 0; h < H && origins[i] + h < n; ++h) {
            std::vector<std::vector<double>> rows;  // [member][1]
            for (const auto& p : paths) rows.push_back({p[i][h]});
            const double point = median_combine(rows).front(), y = train[origins[i] + h];
            if (!std::isfinite(point)) continue;
            r.additive[i][h] = y - point;
            r.additive_spread[i][h] = member_spread(rows, 1, false).front();
            for (const auto& row : rows) r.positive = r.positive && std::isfinite(row[0]) && row[0] > 0;
            if (point > 0 && y > 0) {
                r.log[i][h] = std::log(y) - std::log(point);
                r.log_spread[i][h] = member_spread(rows, 1, true).front();
            }
        }
    return r;
}

// One ensemble's calibration from the residuals of its validated members' median and their
// spread on the validation tail, at leads 1..min(horizon, tail).
IntervalCalibration calibrate_ensemble(ForecastModel& model, Ensemble e, const std::vector<double>& train,
                                       std::size_t n_fit, std::size_t horizon, const Covariates& x)
{
    const Residuals r = tail_residuals(model, e, train, n_fit, std::min(horizon, train.size() - n_fit), x);
    IntervalCalibration c;
    c.additive = calibrate_conformal(r.additive, r.additive_spread);
    const bool positive = r.positive && std::all_of(train.begin(), train.end(), [](double v) { return v > 0; });
    if (positive) c.log = calibrate_conformal(r.log, r.log_spread);
    return c;
}

}  // namespace

void calibrate_model(ForecastModel& model, const std::vector<double>& train, std::size_t n_fit, std::size_t horizon,
                     const Covariates& x)
{
    model.one_step_intervals = calibrate_ensemble(model, Ensemble::one_step, train, n_fit, 1, x);
    model.multi_step_intervals = calibrate_ensemble(model, Ensemble::multi_step, train, n_fit, horizon, x);
}

}  // namespace elman::detail
