// Moments that cannot overflow: every value is divided by a power of two M at or above the
// largest magnitude before it is summed or squared, so a series near 1e200 (whose squares,
// ~1e400, overflow a double) gives finite results, and long sums of values near 1e308 do not
// reach infinity. Dividing by a power of two is exact: where the plain formulas do not
// overflow, these give the same bits.
//   mean = M·Σ(x/M)/n,  M ≥ max|x|
//   sd   = D·sqrt(Σ(x/D − mean/D)²/n),  D ≥ max|x − mean|   (population, ddof 0)
//   rms  = M·sqrt(Σ(x/M)²/n)
// A non-finite value gives NaN (the caller names it); an empty range is an elman::Error.
#pragma once

#include <cstddef>
#include <vector>

namespace elman {

// Of x[0], x[stride], ..., x[(n − 1)·stride].
double mean_of(const double* x, std::size_t n, std::size_t stride = 1);
double population_sd(const double* x, std::size_t n, double mean, std::size_t stride = 1);
double root_mean_square(const double* x, std::size_t n, std::size_t stride = 1);

inline double mean_of(const std::vector<double>& x) { return mean_of(x.data(), x.size()); }
inline double population_sd(const std::vector<double>& x, double mean) { return population_sd(x.data(), x.size(), mean); }
inline double root_mean_square(const std::vector<double>& x) { return root_mean_square(x.data(), x.size()); }

}  // namespace elman
