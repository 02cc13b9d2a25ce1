// What `elman forecast` writes and prints: metrics.json, forecast.csv, forecast.svg, loss.svg,
// model/ (docs/forecasting.md lists them), the metrics table and the warnings.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "datasets/series.hpp"
#include "forecast/forecast.hpp"

namespace elman::cli {

// Writes every output file into dir (a fresh directory).
void write_outputs(const std::filesystem::path& dir, const Series& s, const std::string& label, ForecastResult& r);

// The metrics table on stdout (n/a for undefined metrics), or with no test part the forecast.
void print_table(const ForecastResult& r);

// One line per method whose multi-step forecast leaves the plausible band, e.g.
// "elman's multi-step forecast leaves the plausible band [-10.5, 311] at 12 of 24 points".
std::vector<std::string> band_warnings(const ForecastResult& r);

}  // namespace elman::cli
