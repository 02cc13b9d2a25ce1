// Forecasting with a saved model: the checks of its input and the forecast (forecast/predict.hpp).
#include "forecast/predict.hpp"

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
    Prediction p;
    const EnsembleForecast f =
        model.combine(Ensemble::multi_step, [&](ForecastMember& m) { return m.multi_step(s.values, h); });
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
