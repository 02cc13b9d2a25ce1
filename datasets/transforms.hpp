// Invertible transforms of a series, so that a model can work on a tamer series and its
// forecasts come back on the original scale: log / exp, and (seasonal) differencing.
#pragma once

#include <cstddef>
#include <vector>

namespace elman {

// log(y); every value must be > 0 (the error names the first one that is not and its index).
std::vector<double> log_transform(const std::vector<double>& y);
// exp(z), the inverse of log_transform.
std::vector<double> exp_transform(const std::vector<double>& z);

// d[t] = y[t + lag] − y[t], t = 0..n−lag−1 (lag 1: first differences; lag m: seasonal).
std::vector<double> difference(const std::vector<double>& y, std::size_t lag = 1);

// Inverse of difference for values that continue a known history: with the history's last
// `lag` values h (history_tail.size() >= lag), y[k] = (k < lag ? h[k − lag] : y[k − lag]) + diffs[k],
// where h[−1] is the last history value. Forecasts of differences (one or many steps) thus come
// back recursively: undifference(y_up_to_T, d̂) gives ŷ_{T+1}, ŷ_{T+2}, ...
// Exact: undifference({y_0..y_{lag−1}}, difference(y, lag), lag) == y[lag:].
std::vector<double> undifference(const std::vector<double>& history_tail,
                                 const std::vector<double>& diffs, std::size_t lag = 1);

// Fills each run of NaN in y by linear interpolation between the values on either side:
// y[k] = (1 − w)·y[a] + w·y[b], w = (k − a)/(b − a) (a weighted mean: it cannot overflow).
// A NaN at either end has no value on one side: an elman::Error naming its index.
void interpolate_missing(std::vector<double>& y);

// Several differencings in a row, e.g. lags {1, 12} for Box–Jenkins' (1 − B)(1 − B¹²).
// invert() takes the history on the original scale and rebuilds the intermediate series'
// tails itself, so a forecast of the final differences goes straight back to the original scale.
class Differencing {
public:
    explicit Differencing(std::vector<std::size_t> lags);
    // y differenced by each lag in turn: n − Σlags values.
    std::vector<double> apply(const std::vector<double>& y) const;
    // The original-scale values continuing `history` (at least Σlags values) whose differences
    // are `diffs`.
    std::vector<double> invert(const std::vector<double>& history,
                               const std::vector<double>& diffs) const;
    // Σlags: the values apply() consumes and invert() needs.
    std::size_t order() const;
    const std::vector<std::size_t>& lags() const { return lags_; }

private:
    std::vector<std::size_t> lags_;
};

}  // namespace elman
