// forecast.svg and loss.svg of `elman forecast` (PLplot, tools/plot.hpp).
#pragma once

#include <filesystem>
#include <string>

#include "datasets/series.hpp"
#include "forecast/result.hpp"

namespace elman::cli {

// forecast.svg: the history, the test part's actual values, elman's one-step and multi-step
// forecasts with the multi-step forecast's 80% and 95% intervals shaded, and a baseline (the
// seasonal naive one, or the naive one without a season); with no test part the forecast of the
// next periods with its intervals. x: time (years on a calendar, else the row), y: the value
// column in the file's units. A line or band of more than 4000 points (a long training part) is
// drawn as the lowest and highest of every k values, which keeps its envelope, and the title
// says so.
void plot_forecasts(const std::filesystem::path& dir, const Series& s, const std::string& label,
                    const ForecastResult& r);

// loss.svg: training (solid) and validation (dashed) MSE per epoch of the screening run of each
// kept candidate (its first seed), one colour per candidate; log scale.
void plot_losses(const std::filesystem::path& dir, const std::string& label, const ForecastResult& r);

}  // namespace elman::cli
