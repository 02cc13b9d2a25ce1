// What the training threads of run_forecast share: progress lines, notes, the interruption
// flag, and the loop that runs models in parallel.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>

#include "forecast/options.hpp"
#include "forecast/result.hpp"

namespace elman::detail {

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

// Runs fn(0..n−1) on up to `threads` threads; the first exception is rethrown after all join.
void parallel_for(std::size_t n, std::size_t threads, const std::function<void(std::size_t)>& fn);

}  // namespace elman::detail
