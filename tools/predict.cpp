#include "tools/predict.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "core/error.hpp"
#include "tools/forecast.hpp"

namespace fs = std::filesystem;

namespace elman::cli {

namespace {

void warn(const std::string& what) { std::fprintf(stderr, "elman: warning: %s\n", what.c_str()); }

std::string number(double v)
{
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string range(double lo, double hi) { return "[" + number(lo) + ", " + number(hi) + "]"; }

// The series must be the kind the model was fitted on.
void check_series(const ForecastModel& model, const Series& s, const std::string& label)
{
    const SeriesInfo& info = model.series;
    if (info.column.empty()) {
        warn("the model predates the checks of its input (no \"series\" in pipeline.json); fit it again to have them");
        return;
    }
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
        warn(label + " has no dates: cannot check that it is " + frequency_name(info.calendar) +
             " like the model's data; future periods are numbered");
    // The same period in both: the values should agree (a revision aside).
    for (std::size_t t = 0; t < s.values.size(); ++t) {
        const bool same = s.periods[t] == info.last_period ||
                          (info.last_instant && t < s.time.instants.size() && s.time.instants[t] == *info.last_instant);
        if (same && s.values[t] != info.last_value)
            warn("at " + s.periods[t] + ", the last period the model was fitted on, " + label + " is " +
                 number(s.values[t]) + " where the training data had " + number(info.last_value) +
                 ": is this the series the model was fitted on?");
        if (same) break;
    }
    const PlausibleBand band = PlausibleBand::of({info.min, info.max});
    std::size_t outside = 0;
    for (double v : s.values) outside += !band.contains(v);
    if (outside > 0)
        warn(std::to_string(outside) + " of " + std::to_string(s.values.size()) + " values of " + label +
             " lie outside " + range(band.low, band.high) + ", the plausible band around the training data's range " +
             range(info.min, info.max) + ": the model may not fit this series");
}

}  // namespace

void run_predict(const std::string& model_dir, const Input& in, std::size_t horizon)
{
    fs::path dir = model_dir;
    if (!fs::exists(dir / "pipeline.json") && fs::exists(dir / "model" / "pipeline.json")) dir /= "model";
    if (!fs::is_directory(dir)) throw Error("--model " + model_dir + ": no such directory");
    ForecastModel model = ForecastModel::load(dir.string());
    const Series s = load_input(in);
    const std::string label = series_label(in, s);
    for (const auto& n : s.notes) std::fprintf(stderr, "elman: note: %s: %s\n", label.c_str(), n.c_str());
    check_series(model, s, label);
    const std::size_t h = horizon ? horizon : default_horizon(model.series.calendar);
    if (s.values.size() < model.warmup())
        throw Error("series of " + std::to_string(s.values.size()) + " values is too short for the model, which needs " +
                    std::to_string(model.warmup()));
    const std::vector<double> f = model.multi_step(s.values, h);
    for (double v : f)
        if (!std::isfinite(v)) throw Error("predict: the forecast is not finite (every model's forecast overflowed)");
    if (!model.series.column.empty()) {
        const PlausibleBand band = PlausibleBand::of({model.series.min, model.series.max});
        if (const std::size_t k = band.outside(f))
            warn("the forecast leaves the plausible band " + range(band.low, band.high) + " at " + std::to_string(k) +
                 " of " + std::to_string(h) + " points (band: " + PlausibleBand::rule() + ")");
    }
    const std::vector<std::string> periods = future_periods(s, h);
    std::printf("period,%s_forecast\n", s.name.c_str());
    for (std::size_t i = 0; i < h; ++i) std::printf("%s,%.10g\n", periods[i].c_str(), f[i]);
}

}  // namespace elman::cli
