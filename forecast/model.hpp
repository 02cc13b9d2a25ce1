// A fitted forecasting pipeline: the kept members (forecast/member.hpp), how their forecasts
// combine (the median across members, forecast/combination.hpp), what the series was, and its
// files (model/pipeline.json and one checkpoint per member, forecast/model_io.cpp).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "datasets/frequency.hpp"
#include "datasets/period.hpp"
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
};

struct ForecastModel {
    std::size_t season = 1;
    SeriesInfo series;
    std::vector<ForecastMember> members;
    // From a run cut short (saved as "interrupted" in pipeline.json).
    bool interrupted = false;

    // The most values any member needs before its first forecast.
    std::size_t warmup() const;
    // The members' forecasts (ForecastMember's of the same name), combined by their median.
    std::vector<double> one_step(const std::vector<double>& y, std::size_t from);
    std::vector<double> multi_step(const std::vector<double>& history, std::size_t horizon);
    std::vector<double> rolling(const std::vector<double>& y, std::size_t from, std::size_t horizon);
    // The distinct candidates kept, in order, with their model counts:
    // "5 × [log, diff 1,12, lookback 24], 5 × [diff 12, lookback 24]"
    std::string describe() const;

    // dir/pipeline.json (transforms, scalers, lookbacks, what the series was) and
    // dir/member_<i>/ (checkpoints). A non-finite number is an error, never written as null.
    void save(const std::string& dir) const;
    // Reads what save wrote (format versions 1 and 2); a missing or malformed file, a member
    // without a finite mean or a positive scale, is an elman::Error naming the file and member.
    static ForecastModel load(const std::string& dir);
};

}  // namespace elman
