// The training stage of run_forecast: one member (one candidate, one seed) fitted on a prefix
// of the training part (forecast/forecast.hpp, step 2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "forecast/candidates.hpp"
#include "forecast/member.hpp"
#include "forecast/options.hpp"

namespace elman::detail {

// A model that cannot be trained: its transformed series is not finite.
class NotFinite : public Error {
public:
    using Error::Error;
};

// Cell(units) -> Dense(outputs) built for windows [lookback, inputs] (inputs = 1 + covariates),
// weights from `seed`; `cell` is "simple" (SimpleRNN), "lstm" or "gru" (layers/cells.hpp;
// another name throws elman::Error).
Sequential<float> make_model(std::size_t lookback, std::size_t units, std::size_t outputs, std::uint64_t seed,
                             const std::string& cell = "simple", std::size_t inputs = 1);

// Trains one member on y[0..fit_end): z = log? log y : y, d = the candidate's differences of z,
// the scaler (μ, σ) from d's fitted part, windows of the scaled d, each window's targets the
// next c.outputs values (all of them before fit_end). When fit_end < y.size(), early stopping
// on the windows whose last target is in y[fit_end..) and mem.epochs = the best epoch count;
// otherwise (a refit) exactly `epochs` epochs (at most o.max_steps optimizer steps either way).
// The covariates x (aligned with y, forecast/covariates.hpp) are scaled on y[0..fit_end)'s
// periods and enter each window step as extra inputs. A constant fitted part gives a constant
// member, untrained. Throws NotFinite when the transformed series or its spread is not finite,
// TrainingDiverged from fit.
ForecastMember train_member(const Candidate& c, const std::vector<double>& y, std::size_t fit_end, std::uint64_t seed,
                            std::size_t epochs, const ForecastOptions& o, const Covariates& x = {});

}  // namespace elman::detail
