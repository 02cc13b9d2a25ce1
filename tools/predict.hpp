// `elman predict`: the values after a series, forecast with a saved model, once the series is
// checked against what the model was fitted on (the library's forecast/predict.hpp).
#pragma once

#include <cstddef>
#include <string>

#include <CLI/CLI.hpp>

#include "tools/input.hpp"
#include "tools/model_commands.hpp"

namespace elman::cli {

struct PredictArgs {
    Input in;
    std::string model_dir;
    std::string future;  // --future FILE: the model's known-future covariates after the series
    std::size_t horizon = 0;
    tools::ArrayPredictArgs array;  // --input X.npy --output Y.npy: any model on an array
    CLI::App* command = nullptr;  // set by add_predict_command
};

// Adds `predict` and its options to app.
CLI::App* add_predict_command(CLI::App& app, PredictArgs& args);

// With --input X.npy: runs the model file on X and writes Y (tools/model_commands.hpp).
// Otherwise reads the series as the model's series was read (its value column and the options
// recorded in pipeline.json, for those not given; a note names them), then prints
// "period,NAME_forecast" and one row per forecast on stdout, labelled as the file labels its
// periods (future_labels), warnings on stderr; the
// horizon 0 means the frequency's default (datasets/frequency.hpp: default_horizon). Errors:
// another value column or frequency than the model's, a series shorter than the model needs,
// a non-finite forecast. Warnings: a value at the model's last training period other than
// the training data's (another series with the same column name), values outside the
// plausible band of the training data, a forecast leaving it, a series without dates for a
// model that had them.
void run_predict(const PredictArgs& args);

}  // namespace elman::cli
