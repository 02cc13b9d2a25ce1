#include "core/parallel.hpp"

#include <omp.h>

#include <exception>
#include <mutex>
#include <string>

#include "core/blas.hpp"
#include "core/error.hpp"

namespace elman {

int kernel_threads() { return blas_threads() < 1 ? 1 : blas_threads(); }

std::pair<std::size_t, std::size_t> part_rows(std::size_t n, int part, int parts)
{
    if (parts < 1 || part < 0 || part >= parts)
        throw Error("part_rows: part " + std::to_string(part) + " of " + std::to_string(parts) +
                    " parts (need 0 <= part < parts)");
    const std::size_t p = static_cast<std::size_t>(part), q = static_cast<std::size_t>(parts);
    const std::size_t base = n / q, extra = n % q;
    const std::size_t begin = p * base + (p < extra ? p : extra);
    return {begin, begin + base + (p < extra ? 1 : 0)};
}

void run_parts(int parts, const std::function<void(int)>& f)
{
    if (parts <= 1) {
        f(0);
        return;
    }
    // one BLAS thread per part: gemm() then switches nothing (its switching is process-wide)
    const BlasThreadsScope one_blas_thread(1);
    std::exception_ptr error;
    std::mutex error_mutex;
#pragma omp parallel num_threads(parts)
    {
        const int team = omp_get_num_threads();
        for (int p = omp_get_thread_num(); p < parts; p += team) {
            try {
                f(p);
            }
            catch (...) {
                const std::lock_guard<std::mutex> lock(error_mutex);
                if (!error) error = std::current_exception();
            }
        }
    }
    if (error) std::rethrow_exception(error);
}

}  // namespace elman
