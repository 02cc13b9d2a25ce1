// A fitted forecasting pipeline: the kept members (forecast/member.hpp) in two ensembles (the
// members chosen for one-step forecasts and those chosen for multi-step forecasts), how their
// forecasts combine (the median across an ensemble's members, forecast/combination.hpp), the
// calibration of its prediction intervals (forecast/intervals.hpp), what the series was, and
// its files (model/pipeline.json and one checkpoint per member, forecast/model_io.cpp).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "datasets/csv.hpp"
#include "datasets/frequency.hpp"
#include "datasets/period.hpp"
#include "forecast/intervals.hpp"
#include "forecast/member.hpp"

namespace elman {

// What a model was fitted on, kept in pipeline.json for `elman predict` to check its input.
struct SeriesInfo {
    std::string column;               // the value column's name
    Calendar calendar;                // the frequency (calendar.known() false: none)
    Source frequency_source = Source::by_default;
    std::size_t season = 1;
    Source season_source = Source::by_default;
    double min = 0, max = 0;          // of the data the models were fitted on
    std::size_t n = 0;
    std::string last_period;          // the label of its last value
    double last_value = 0;            // its last value
    std::optional<Instant> last_instant;  // and its instant, on a calendar
    // How the CSV file was read: the options as given (CsvOptions' defaults for the rest), so
    // that `elman predict` reads a later file of the series alike (--ignore-gaps, --column...).
    // Set by the CLI; empty for a series read otherwise and for models saved before it was kept.
    std::optional<CsvOptions> read;
};

// The model's two ensembles.
enum class Ensemble { one_step, multi_step };

// An ensemble's forecasts: the median over its members (point), and the validated members'
// forecasts [member][forecast] whose spread widens the intervals (the refits are left out, as
// in the intervals' calibration; all members when none is validated).
struct EnsembleForecast {
    std::vector<double> point;
    std::vector<std::vector<double>> validated;
};

struct ForecastModel {
    std::size_t season = 1;
    std::size_t horizon = 1;  // the multi-step horizon it was chosen and calibrated for
    SeriesInfo series;
    std::vector<ForecastMember> members;
    // The covariates every member takes (ForecastOptions::past_covariates, ::future_covariates),
    // by column name, in input order: forecasts need them (forecast/covariates.hpp).
    std::vector<std::string> past_covariates, future_covariates;
    IntervalCalibration one_step_intervals, multi_step_intervals;
    // From a run cut short (saved as "interrupted" in pipeline.json).
    bool interrupted = false;

    // The members of an ensemble (in_one_step or in_multi_step).
    std::vector<ForecastMember*> ensemble(Ensemble e);
    // The most values any member needs before its first forecast.
    std::size_t warmup() const;
    // The ensemble's forecasts: f(member) for each member, combined.
    EnsembleForecast combine(Ensemble e, const std::function<std::vector<double>(ForecastMember&)>& f);
    // ForecastMember's forecasts of the same names, combined by the median: one_step over the
    // one-step ensemble, multi_step and rolling over the multi-step ensemble. x: the covariates
    // past_covariates and future_covariates name, aligned with y (select_covariates).
    std::vector<double> one_step(const std::vector<double>& y, std::size_t from, const Covariates& x = {});
    std::vector<double> multi_step(const std::vector<double>& history, std::size_t horizon, const Covariates& x = {});
    std::vector<double> rolling(const std::vector<double>& y, std::size_t from, std::size_t horizon,
                                const Covariates& x = {});
    // The distinct candidates kept, in order, with their model counts:
    // "5 × [log, diff 1,12, lookback 24], 5 × [diff 12, lookback 24]"; with `e`, only that
    // ensemble's.
    std::string describe() const;
    std::string describe(Ensemble e) const;

    // dir/pipeline.json (transforms, scalers, lookbacks, covariates, what the series was) and
    // dir/member_<i>/ (checkpoints). A non-finite number is an error, never written as null.
    void save(const std::string& dir) const;
    // Reads what save wrote (format versions 1 to 4); a missing or malformed file, a member
    // without a finite mean or a positive scale, or whose covariate scaler or checkpoint does not
    // match the model's covariates, is an elman::Error naming the file and member.
    static ForecastModel load(const std::string& dir);
};

}  // namespace elman
