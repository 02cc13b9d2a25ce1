// `elman predict`: the values after a series, forecast with a saved model, once the series is
// checked against what the model was fitted on (model/pipeline.json's "series").
#pragma once

#include <cstddef>
#include <string>

#include "tools/input.hpp"

namespace elman::cli {

// Prints "period,NAME_forecast" and one row per forecast on stdout, warnings on stderr; the
// horizon 0 means the frequency's default (datasets/frequency.hpp: default_horizon). Errors:
// another value column or frequency than the model's, a series shorter than the model needs,
// a non-finite forecast. Warnings: a value at the model's last training period other than
// the training data's (another series with the same column name), values outside the
// plausible band of the training data, a forecast leaving it, a series without dates for a
// model that had them.
void run_predict(const std::string& model_dir, const Input& in, std::size_t horizon);

}  // namespace elman::cli
