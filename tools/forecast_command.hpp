// The `elman forecast` subcommand: its options (CLI11) into elman::ForecastOptions, the run of
// the forecasting library (forecast/forecast.hpp), Ctrl-C, and what it prints and writes
// (tools/forecast_report.hpp). tools/elman.cpp only adds it and runs it when it was parsed.
//
// Ctrl-C (SIGINT) during forecast: the handler only raises a flag; training stops after the
// current optimizer step, the models trained so far are written (marked interrupted) by the
// same atomic rename, and the exit status is 130. The handler is one-shot (SA_RESETHAND), so a
// second Ctrl-C kills the program at once; the rename keeps the old output intact then.
#pragma once

#include <cstddef>
#include <string>

#include <CLI/CLI.hpp>

#include "forecast/options.hpp"
#include "tools/forecast_many.hpp"
#include "tools/input.hpp"

namespace elman::cli {

struct ForecastArgs {
    Input in;
    ManyArgs many;  // several series (tools/forecast_many.hpp)
    ForecastOptions o;
    std::size_t test = 0, lookback = 0, season = 0;
    std::size_t folds = 0, fold_step = 0;  // --folds K (0: no backtest), --fold-step S (0: the horizon)
    int log_mode = -1;  // -1: chosen by validation, 0: off, 1: on
    std::string diff = "auto", strategy = "auto", out = "forecast";
    std::string future;  // --future FILE: the known-future covariates' values after the series
    bool quiet = false, no_refit = false;
    CLI::App* command = nullptr;  // set by add_forecast_command
    CLI::Option *test_option = nullptr, *lookback_option = nullptr, *season_option = nullptr;
};

// Exit status of a program ended by SIGINT, as the shells report it (128 + 2).
constexpr int exit_interrupted = 130;

// Adds `forecast` and its options to app.
CLI::App* add_forecast_command(CLI::App& app, ForecastArgs& args);

// Runs it (with --folds, the rolling-origin backtest of forecast/backtest.hpp, whose last fold
// writes the usual outputs); returns the exit status (0, or 130 after SIGINT). Throws elman::Error for bad input.
int run_forecast_command(ForecastArgs& args);

}  // namespace elman::cli
