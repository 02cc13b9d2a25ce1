// Progress, notes, interruption and the parallel loop of run_forecast's training threads
// (forecast/run_control.hpp).
#include "forecast/run_control.hpp"

#include <exception>
#include <thread>
#include <vector>

namespace elman::detail {

void RunControl::report(const std::string& line)
{
    if (!o_.progress) return;
    std::lock_guard<std::mutex> lock(mutex_);
    o_.progress(line);
}

void RunControl::drop(const std::string& line, ForecastResult& r)
{
    std::lock_guard<std::mutex> lock(mutex_);
    r.notes.push_back(line);
    if (o_.progress) o_.progress(line);
}

bool RunControl::stop_now()
{
    if (!o_.should_stop || !o_.should_stop()) return false;
    interrupted_ = true;
    return true;
}

void parallel_for(std::size_t n, std::size_t threads, const std::function<void(std::size_t)>& fn)
{
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto worker = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < n;) {
            try {
                fn(i);
            } catch (...) {
                std::lock_guard<std::mutex> lock(error_mutex);
                if (!error) error = std::current_exception();
            }
        }
    };
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < std::min(threads, n); ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
}

}  // namespace elman::detail
