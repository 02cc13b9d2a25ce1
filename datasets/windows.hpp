// Sliding windows over a series: keras.utils.timeseries_dataset_from_array with the same
// arguments and the same windows and targets, plus the forecasting shorthand make_windows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/tensor.hpp"

namespace elman {

// Inputs and targets of a set of windows; y is empty (shape [0]) when there are no targets.
template <class T>
struct Windows {
    Tensor<T> x;
    Tensor<T> y;
};

// Keras' arguments and defaults. Signed like Keras' ints so that negative values give Keras'
// errors instead of wrapping around.
struct TimeseriesOptions {
    long long sequence_stride = 1;  // steps between the starts of consecutive windows; default 1
    long long sampling_rate = 1;    // steps between samples within a window; default 1
    std::optional<long long> batch_size = 128;  // nullopt: unbatched (one sample per entry)
    bool shuffle = false;                       // shuffle the windows; default false
    std::optional<std::uint64_t> seed;          // for shuffle; nullopt: a random seed (as Keras)
    std::optional<long long> start_index;       // first usable row; default nullopt: 0
    std::optional<long long> end_index;         // end of usable rows; default nullopt: all
};

// Windows over data (axis 0 = time, any further axes = features), as Keras builds them:
//   start = start_index (default 0), end = end_index (default len(data));
//   num_seqs = end − start − (sequence_length − 1)·sampling_rate, capped at len(targets);
//   window j starts at p_j = j·sequence_stride for p_j < num_seqs (p relative to `start`)
//   and holds rows start + p_j + k·sampling_rate, k = 0..sequence_length−1;
//   its target is targets[start + p_j] (so with start_index the targets are offset too).
// Batches of batch_size windows, the last one smaller: x [b, sequence_length, ...data.shape[1:]],
// y [b, ...targets.shape[1:]]; unbatched entries drop the leading b.
// Shuffling permutes the window order with elman::Rng(seed) (Fisher–Yates); the windows are
// Keras' but their order is not TensorFlow's (a different generator, and no extra buffer shuffle).
// Keras' argument checks are kept, with its quirks: a non-zero end_index must be < len(data).
template <class T>
std::vector<Windows<T>> timeseries_dataset_from_array(const Tensor<double>& data,
                                                      const Tensor<double>* targets,
                                                      long long sequence_length,
                                                      const TimeseriesOptions& options = {});

// The forecasting shorthand: inputs x [N, lookback, 1] and targets y [N, horizon] with
//   x[i, k, 0] = series[i + k],  y[i, h] = series[i + lookback + h],
// N = len(series) − lookback − horizon + 1 (every window whose targets exist).
template <class T>
Windows<T> make_windows(const std::vector<double>& series, std::size_t lookback,
                        std::size_t horizon = 1);

// Multivariate inputs: features [n, F] (e.g. Frame::matrix) and one target series of length n:
//   x[i, k, f] = features[i + k, f],  y[i, h] = target[i + lookback + h].
template <class T>
Windows<T> make_windows(const Tensor<double>& features, const std::vector<double>& target,
                        std::size_t lookback, std::size_t horizon = 1);

}  // namespace elman
