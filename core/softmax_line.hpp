// The numerically stable core of softmax, log-softmax and the cross-entropy losses, for one line
// of K values at x[j·stride], j < K: the maximum m and Σ_j e^(x_j − m). Subtracting m makes
// every exponent <= 0 (nothing overflows) and the largest term 1 (the sum cannot underflow to 0),
// so log-sum-exp = m + log Σ_j e^(x_j − m) is finite for any finite x.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>

namespace elman {

// {m, Σ_j e^(x_j − m)}; writes e^(x_j − m) to e[j·stride] when e is given.
template <class T>
std::pair<T, T> max_and_sum_exp(const T* x, std::size_t k, std::size_t stride, T* e = nullptr)
{
    T m = -std::numeric_limits<T>::infinity();
    for (std::size_t j = 0; j < k; ++j) m = std::max(m, x[j * stride]);
    T sum = T(0);
    for (std::size_t j = 0; j < k; ++j) {
        const T v = std::exp(x[j * stride] - m);
        if (e) e[j * stride] = v;
        sum += v;
    }
    return {m, sum};
}

}  // namespace elman
