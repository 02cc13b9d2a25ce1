// What run_forecast is asked to do (forecast/forecast.hpp): sizes, the candidates' choices, the
// training settings, the ensemble, threads, progress and interruption. Every default is the
// `elman forecast` default; the CLI option of the same name (docs/forecasting.md) sets each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace elman {

// std::thread::hardware_concurrency(), at least 1 and at most 8.
std::size_t default_threads();

// The multi-step strategies among the candidates (forecast/member.hpp): both, chosen on the
// validation tail (automatic), or only one of them.
enum class Strategy { automatic, recursive, mimo };
const char* to_string(Strategy s);  // "auto", "recursive", "mimo"
Strategy parse_strategy(const std::string& name);  // the names above; elman::Error otherwise

struct ForecastOptions {
    // Test size; default: default_test_size(n, season); 0: none (fit on the whole series).
    std::optional<std::size_t> test;
    std::size_t horizon = 0;               // multi-step horizon; 0: default_horizon(calendar)
    std::optional<std::size_t> season;     // default: default_season(calendar)
    std::optional<std::size_t> lookback;   // fixes L instead of choosing it
    std::optional<bool> log;               // fixes the log transform instead of choosing it
    std::optional<std::vector<std::size_t>> lags;  // fixes the differencing lags
    Strategy strategy = Strategy::automatic;       // recursive and MIMO candidates
    std::size_t units = 16;
    // The recurrent cell of every model: "simple" (SimpleRNN, the Elman network), "lstm" or "gru"
    // (layers/cells.hpp). The default stays the Elman network: no measured gain says otherwise.
    std::string cell = "simple";
    std::size_t epochs = 300;              // at most; early stopping picks the count
    std::size_t max_steps = 2000;          // optimizer steps per model at most (caps epochs)
    std::size_t patience = 25;
    std::size_t batch_size = 16;
    double lr = 0.01;
    std::size_t ensemble = 5;              // candidates kept and combined
    std::size_t seeds = 5;                 // models (seeds) per candidate
    bool refit = true;                     // add the kept models refitted on the whole training part
    std::uint64_t seed = 42;
    // Covariates: columns of Series::covariates that enter every window as extra inputs of the
    // recurrent layer (input_dim = 1 + their count; forecast/covariates.hpp says how). Past-only
    // covariates (--past-covariates, --covariates) are read up to the period before each forecast
    // origin, so only MIMO candidates can use them (a recursive forecast would need their values
    // after the origin; Strategy::recursive with them is an error). Known-future covariates
    // (--future-covariates: calendar, a policy dummy, planned prices) are read up to each
    // forecast period, so a forecast after the series needs their future values (the series'
    // covariates running past its values, forecast/covariates.hpp: append_future_covariates).
    std::vector<std::string> past_covariates, future_covariates;
    // Models train in parallel on this many threads; the results do not depend on it.
    std::size_t threads = default_threads();
    // Called with one line per step when set (the CLI prints it on a terminal).
    std::function<void(const std::string&)> progress;
    // Asked before every optimizer step and before each model, from the training threads (so it
    // must be thread-safe, e.g. read a std::atomic<bool>); true interrupts the run
    // (forecast/forecast.hpp: Interruption).
    std::function<bool()> should_stop;
};

// run_forecast was interrupted before any model finished an epoch: there is nothing to keep.
class ForecastInterrupted : public Error {
public:
    explicit ForecastInterrupted(const std::string& message) : Error(message) {}
};

// Checks the options on their own (throws elman::Error with a one-line message naming the
// CLI option); run_forecast calls it and checks what depends on the series.
void validate_forecast_options(const ForecastOptions& options);

}  // namespace elman
