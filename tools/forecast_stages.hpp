// The stages of run_forecast (tools/forecast.cpp), by the file that holds them:
//   tools/forecast_train.cpp  candidates, one member's training, screening, keeping and refits
//   tools/forecast_eval.cpp   forecasts of the test part and after the series, metrics, band
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "tools/forecast.hpp"

namespace elman::detail {

struct Candidate {
    bool log = false;
    std::vector<std::size_t> lags;
    std::size_t lookback = 0;
};

// log or not (only for a positive training part that is not constant) × lags × lookbacks, or
// the ones the options fix.
std::vector<Candidate> candidates(const std::vector<double>& train, std::size_t season, const ForecastOptions& o);

// Progress lines, notes and interruption, shared by the training threads.
class RunControl {
public:
    explicit RunControl(const ForecastOptions& o) : o_(o) {}
    void report(const std::string& line);
    // A model or candidate dropped: a progress line and a note in the result.
    void drop(const std::string& line, ForecastResult& r);
    // Asks should_stop; true records an interruption.
    bool stop_now();
    void mark_interrupted() { interrupted_ = true; }
    bool interrupted() const { return interrupted_; }

private:
    const ForecastOptions& o_;
    std::mutex mutex_;
    std::atomic<bool> interrupted_{false};
};

// A candidate's models (one per seed) and the validation MAE of their median.
struct Group {
    std::vector<ForecastMember> members;
    double val_mae = 0;
};

// Trains o.seeds models per candidate on train[0..n_fit), early stopping on the rest, and
// returns the candidates whose validation score is finite, best first (r.candidates, r.notes).
std::vector<Group> screen(const std::vector<double>& train, std::size_t n_fit, std::size_t season,
                          const ForecastOptions& o, RunControl& run, ForecastResult& r);

// Keeps the o.ensemble best groups' models in r.model, with their refits on the whole of
// `train` unless o.refit is off or the run was interrupted.
void keep_and_refit(std::vector<Group>& groups, const std::vector<double>& train, const ForecastOptions& o,
                    RunControl& run, ForecastResult& r);

// Forecasts, metrics and the plausibility flags of r (test part, or the future without one).
void evaluate_forecasts(ForecastResult& r, const Series& s);

}  // namespace elman::detail
