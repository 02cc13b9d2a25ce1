// Forecasting with a saved model: the checks of its input and the forecast (forecast/predict.hpp).
#include "forecast/predict.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.hpp"
#include "forecast/band.hpp"

namespace elman {

namespace {

std::string number(double v)
{
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string range(double lo, double hi) { return "[" + number(lo) + ", " + number(hi) + "]"; }

// The model's covariates from s, checked for a forecast of h values after it: every one s
// carries, a known-future one with values for the h periods after s, past-only ones only up to
// the horizon the model forecasts at once.
Covariates model_covariates(const ForecastModel& model, const Series& s, std::size_t h)
{
    for (const auto* names : {&model.past_covariates, &model.future_covariates})
        for (const auto& name : *names)
            if (std::find(s.covariate_names.begin(), s.covariate_names.end(), name) == s.covariate_names.end())
                throw Error("predict: the model takes the " +
                            std::string(names == &model.past_covariates ? "past-only" : "known-future") +
                            " covariate '" + name + "', which the series '" + s.name +
                            "' does not carry (read its column with the series)");
    const Covariates x = select_covariates(s, model.past_covariates, model.future_covariates, "predict: covariate",
                                           "predict: covariate");
    for (std::size_t c = 0; c < x.future.size(); ++c)
        if (x.future[c].size() < s.values.size() + h)
            throw Error("predict: the model takes the known-future covariate '" + model.future_covariates[c] +
                        "': give its values for the " + std::to_string(h) +
                        " periods to forecast (--future FILE.csv: a period column and " + model.future_covariates[c] +
                        ", one row per future period)");
    if (!x.past.empty() && h > model.horizon)
        throw Error("predict: the model takes past-only covariates, unknown after the series' end, so it forecasts at "
                    "most " + std::to_string(model.horizon) + " values (--horizon " + std::to_string(model.horizon) +
                    " or less)");
    return x;
}

}  // namespace

std::vector<std::string> check_series(const ForecastModel& model, const Series& s, const std::string& label)
{
    const SeriesInfo& info = model.series;
    if (info.column.empty())
        return {"the model predates the checks of its input (no \"series\" in pipeline.json); fit it again to have them"};
    std::vector<std::string> warnings;
    const std::string fitted = "the model was fitted on column '" + info.column + "' of " +
                               (info.calendar.known() ? frequency_name(info.calendar) + " data" : "data without dates");
    if (s.name != info.column)
        throw Error("predict: " + fitted + "; " + label + " is column '" + s.name +
                    "' (give the column the model was fitted on with --column, or fit a model on this one)");
    const Calendar& c = s.time.calendar;
    if (info.calendar.known() && c.known() && (c.unit != info.calendar.unit || c.step != info.calendar.step))
        throw Error("predict: " + fitted + "; " + label + " is " + frequency_name(c) + " (fit a model on " +
                    frequency_name(c) + " data)");
    if (info.calendar.known() && !c.known())
        warnings.push_back(label + " has no dates: cannot check that it is " + frequency_name(info.calendar) +
                           " like the model's data; future periods are numbered");
    // The same period in both: the values should agree (a revision aside).
    for (std::size_t t = 0; t < s.values.size(); ++t) {
        const bool same = s.periods[t] == info.last_period ||
                          (info.last_instant && t < s.time.instants.size() && s.time.instants[t] == *info.last_instant);
        if (same && s.values[t] != info.last_value)
            warnings.push_back("at " + s.periods[t] + ", the last period the model was fitted on, " + label + " is " +
                               number(s.values[t]) + " where the training data had " + number(info.last_value) +
                               ": is this the series the model was fitted on?");
        if (same) break;
    }
    const PlausibleBand band = PlausibleBand::of({info.min, info.max});
    std::size_t outside = 0;
    for (double v : s.values) outside += !band.contains(v);
    if (outside > 0)
        warnings.push_back(std::to_string(outside) + " of " + std::to_string(s.values.size()) + " values of " + label +
                           " lie outside " + range(band.low, band.high) +
                           ", the plausible band around the training data's range " + range(info.min, info.max) +
                           ": the model may not fit this series");
    return warnings;
}

Prediction forecast_after(ForecastModel& model, const Series& s, std::size_t horizon)
{
    const std::size_t h = horizon ? horizon : default_horizon(model.series.calendar);
    if (s.values.size() < model.warmup())
        throw Error("series of " + std::to_string(s.values.size()) + " values is too short for the model, which needs " +
                    std::to_string(model.warmup()));
    const Covariates x = model_covariates(model, s, h);
    Prediction p;
    const EnsembleForecast f =
        model.combine(Ensemble::multi_step, [&](ForecastMember& m) { return m.multi_step(s.values, h, x); });
    p.values = f.point;
    for (double v : p.values)
        if (!std::isfinite(v)) throw Error("predict: the forecast is not finite (every model's forecast overflowed)");
    if (model.multi_step_intervals.calibrated()) {
        std::vector<std::size_t> leads(h);
        for (std::size_t i = 0; i < h; ++i) leads[i] = i + 1;
        p.intervals = interval_bounds(model.multi_step_intervals, f.point, f.validated, leads);
        if (h > model.multi_step_intervals.leads())
            p.warnings.push_back("the intervals beyond lead " + std::to_string(model.multi_step_intervals.leads()) +
                                 " (the horizon the model was calibrated for) widen by the square root of the lead, "
                                 "an assumption, not a calibration");
    } else {
        p.warnings.push_back("the model predates prediction intervals (pipeline.json format_version < 3); fit it again "
                             "to have them");
    }
    if (!model.series.column.empty()) {
        const PlausibleBand band = PlausibleBand::of({model.series.min, model.series.max});
        if (const std::size_t k = band.outside(p.values))
            p.warnings.push_back("the forecast leaves the plausible band " + range(band.low, band.high) + " at " +
                                 std::to_string(k) + " of " + std::to_string(h) + " points (band: " +
                                 PlausibleBand::rule() + ")");
    }
    p.periods = future_labels(s, h);
    return p;
}

}  // namespace elman
