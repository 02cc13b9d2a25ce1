// What `elman forecast` writes and prints: metrics.json, forecast.csv, forecast.svg, loss.svg,
// model/ (docs/forecasting.md lists them), the metrics table and the warnings.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "datasets/series.hpp"
#include "forecast/forecast.hpp"

namespace elman::cli {

// {method: {rmse, mae, mape, mase}} in forecast_methods() order (null for undefined), with
// outside_band per method when `outside` is given.
// A metric as JSON: the number, or null where it is not finite (JSON has no NaN).
nlohmann::ordered_json json_number(double v);

// A metric as a CSV cell: 10 significant digits, or empty where it is not finite.
std::string csv_cell(double v);

nlohmann::ordered_json metrics_json(const MethodMetrics& mm, const std::map<std::string, std::size_t>* outside = nullptr);

// {coverage80, coverage95, msis80, msis95, width80, width95} (null for undefined).
nlohmann::ordered_json interval_scores_json(const IntervalScores& s);

// Writes text to path; elman::Error naming the path when it cannot.
void write_text(const std::filesystem::path& path, const std::string& text);

// Writes every output file into dir (a fresh directory).
void write_outputs(const std::filesystem::path& dir, const Series& s, const std::string& label, ForecastResult& r);

// The metrics table on stdout (n/a for undefined metrics), or with no test part the forecast.
void print_table(const ForecastResult& r);

// One line per method whose multi-step forecast leaves the plausible band, e.g.
// "elman's multi-step forecast leaves the plausible band [-10.5, 311] at 12 of 24 points".
std::vector<std::string> band_warnings(const ForecastResult& r);

}  // namespace elman::cli
