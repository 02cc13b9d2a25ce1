// What `elman forecast --folds K` writes and prints beside the usual outputs of the last fold
// (the run on the whole series): DIR/backtest.json (every fold's metrics and each metric's mean
// and standard deviation across the folds) and DIR/folds.csv (one row per fold, protocol and
// method), and a table of MASE per fold with its mean ± sd (docs/forecasting.md, "Backtests").
#pragma once

#include <filesystem>

#include "forecast/backtest.hpp"

namespace elman::cli {

// Writes backtest.json and folds.csv into dir. Undefined metrics (a MASE with a zero scale) are
// null in the JSON and empty cells in the CSV.
void write_backtest(const std::filesystem::path& dir, const BacktestResult& b);

// MASE of elman and the naive and seasonal naive forecasts per fold, one-step and multi-step,
// then their mean ± sd, on stdout.
void print_backtest(const BacktestResult& b);

}  // namespace elman::cli
