#include "datasets/windows.hpp"

#include <algorithm>
#include <random>
#include <string>

#include "core/error.hpp"
#include "core/init.hpp"

namespace elman {

namespace {

std::string str(long long v) { return std::to_string(v); }

// Keras' argument checks, in Keras' order and with its truthiness (0 counts as "not given").
void check_arguments(long long n, long long sequence_length, const TimeseriesOptions& o)
{
    const std::string fn = "timeseries_dataset_from_array: ";
    if (sequence_length < 1)
        throw Error(fn + "`sequence_length` must be at least 1. Received: sequence_length=" +
                    str(sequence_length));
    const long long start = o.start_index.value_or(0), end = o.end_index.value_or(0);
    if (start != 0) {
        if (start < 0)
            throw Error(fn + "`start_index` must be 0 or greater. Received: start_index=" +
                        str(start));
        if (start >= n)
            throw Error(fn + "`start_index` must be lower than the length of the data. "
                             "Received: start_index=" + str(start) + ", for data of length " + str(n));
    }
    if (end != 0) {
        if (start != 0 && end <= start)
            throw Error(fn + "`end_index` must be higher than `start_index`. Received: "
                             "start_index=" + str(start) + ", and end_index=" + str(end));
        if (end >= n)
            throw Error(fn + "`end_index` must be lower than the length of the data. "
                             "Received: end_index=" + str(end) + ", for data of length " + str(n));
        if (end <= 0)
            throw Error(fn + "`end_index` must be higher than 0. Received: end_index=" + str(end));
    }
    if (o.sampling_rate <= 0)
        throw Error(fn + "`sampling_rate` must be higher than 0. Received: sampling_rate=" +
                    str(o.sampling_rate));
    if (o.sampling_rate >= n)
        throw Error(fn + "`sampling_rate` must be lower than the length of the data. "
                         "Received: sampling_rate=" + str(o.sampling_rate) +
                    ", for data of length " + str(n));
    if (o.sequence_stride <= 0)
        throw Error(fn + "`sequence_stride` must be higher than 0. Received: sequence_stride=" +
                    str(o.sequence_stride));
    if (o.sequence_stride >= n)
        throw Error(fn + "`sequence_stride` must be lower than the length of the data. "
                         "Received: sequence_stride=" + str(o.sequence_stride) +
                    ", for data of length " + str(n));
    if (o.batch_size && *o.batch_size < 1)
        throw Error(fn + "`batch_size` must be at least 1. Received: batch_size=" +
                    str(*o.batch_size));
}

std::size_t row_size(const Tensor<double>& a)
{
    std::size_t r = 1;
    for (std::size_t d = 1; d < a.dimension(); ++d) r *= a.shape()[d];
    return r;
}

}  // namespace

template <class T>
std::vector<Windows<T>> timeseries_dataset_from_array(const Tensor<double>& data,
                                                      const Tensor<double>* targets,
                                                      long long sequence_length,
                                                      const TimeseriesOptions& o)
{
    if (data.dimension() < 1)
        throw Error("timeseries_dataset_from_array: data must have a time axis, got shape " +
                    shape_str(data.shape()));
    if (targets && targets->dimension() < 1)
        throw Error("timeseries_dataset_from_array: targets must have a time axis, got shape " +
                    shape_str(targets->shape()));
    const long long n = static_cast<long long>(data.shape()[0]);
    check_arguments(n, sequence_length, o);
    const long long start = o.start_index.value_or(0);
    const long long end = o.end_index ? *o.end_index : n;  // an explicit 0 stays 0, as in Keras

    long long num_seqs = end - start - (sequence_length - 1) * o.sampling_rate;
    const long long n_targets = targets ? static_cast<long long>(targets->shape()[0]) : 0;
    if (targets) num_seqs = std::min(num_seqs, n_targets);

    // Window starts p_j = j·stride < num_seqs, relative to `start`.
    std::vector<long long> positions;
    for (long long p = 0; p < num_seqs; p += o.sequence_stride) positions.push_back(p);
    if (targets && !positions.empty()) {
        const long long last = start + *std::max_element(positions.begin(), positions.end());
        if (last >= std::min(n_targets, end))
            throw Error("timeseries_dataset_from_array: the window starting at row " + str(last) +
                        " needs targets[" + str(last) + "] but targets has " + str(n_targets) +
                        " rows");
    }
    if (o.shuffle) {
        Rng rng(o.seed ? *o.seed : std::random_device{}());
        for (std::size_t i = positions.size(); i > 1; --i)
            std::swap(positions[i - 1], positions[rng.below(i)]);
    }

    const std::size_t L = static_cast<std::size_t>(sequence_length);
    const std::size_t rate = static_cast<std::size_t>(o.sampling_rate);
    const std::size_t data_row = row_size(data);
    const std::size_t target_row = targets ? row_size(*targets) : 0;
    const std::size_t total = positions.size();
    const std::size_t per_batch = o.batch_size ? static_cast<std::size_t>(*o.batch_size) : 1;

    std::vector<Windows<T>> out;
    for (std::size_t first = 0; first < total; first += per_batch) {
        const std::size_t b = std::min(per_batch, total - first);
        Shape xs{L}, ys;
        xs.insert(xs.end(), data.shape().begin() + 1, data.shape().end());
        if (targets) ys.assign(targets->shape().begin() + 1, targets->shape().end());
        if (o.batch_size) {
            xs.insert(xs.begin(), b);
            ys.insert(ys.begin(), b);
        }
        Windows<T> w;
        w.x = Tensor<T>::from_shape(xs);
        w.y = targets ? Tensor<T>::from_shape(ys) : Tensor<T>::from_shape({0});
        const double* src = data.data();
        T* dst = w.x.data();
        // x[i, k, :] = data[start + p_i + k·rate, :];  y[i, :] = targets[start + p_i, :]
        for (std::size_t i = 0; i < b; ++i) {
            const std::size_t p = static_cast<std::size_t>(start + positions[first + i]);
            for (std::size_t k = 0; k < L; ++k) {
                const double* row = src + (p + k * rate) * data_row;
                for (std::size_t f = 0; f < data_row; ++f) *dst++ = static_cast<T>(row[f]);
            }
            if (targets) {
                const double* trow = targets->data() + p * target_row;
                for (std::size_t f = 0; f < target_row; ++f)
                    w.y.data()[i * target_row + f] = static_cast<T>(trow[f]);
            }
        }
        out.push_back(std::move(w));
    }
    return out;
}

template <class T>
Windows<T> make_windows(const Tensor<double>& features, const std::vector<double>& target,
                        std::size_t lookback, std::size_t horizon)
{
    if (features.dimension() != 2)
        throw Error("make_windows: features must be [time, features], got " +
                    shape_str(features.shape()));
    const std::size_t n = features.shape()[0], F = features.shape()[1];
    if (target.size() != n)
        throw Error("make_windows: target has " + std::to_string(target.size()) +
                    " values but features " + shape_str(features.shape()) + " have " +
                    std::to_string(n) + " rows");
    if (lookback < 1 || horizon < 1)
        throw Error("make_windows: lookback and horizon must be >= 1, got lookback " +
                    std::to_string(lookback) + ", horizon " + std::to_string(horizon));
    if (n < lookback + horizon)
        throw Error("make_windows: a series of length " + std::to_string(n) +
                    " is too short for lookback " + std::to_string(lookback) + " and horizon " +
                    std::to_string(horizon) + " (needs at least " +
                    std::to_string(lookback + horizon) + ")");
    const std::size_t N = n - lookback - horizon + 1;
    Windows<T> w;
    w.x = Tensor<T>::from_shape({N, lookback, F});
    w.y = Tensor<T>::from_shape({N, horizon});
    const double* src = features.data();
    // x[i, k, f] = features[i + k, f];  y[i, h] = target[i + lookback + h]
    for (std::size_t i = 0; i < N; ++i) {
        for (std::size_t k = 0; k < lookback; ++k)
            for (std::size_t f = 0; f < F; ++f)
                w.x.data()[(i * lookback + k) * F + f] = static_cast<T>(src[(i + k) * F + f]);
        for (std::size_t h = 0; h < horizon; ++h)
            w.y.data()[i * horizon + h] = static_cast<T>(target[i + lookback + h]);
    }
    return w;
}

template <class T>
Windows<T> make_windows(const std::vector<double>& series, std::size_t lookback,
                        std::size_t horizon)
{
    Tensor<double> features = Tensor<double>::from_shape({series.size(), std::size_t(1)});
    std::copy(series.begin(), series.end(), features.data());
    return make_windows<T>(features, series, lookback, horizon);
}

#define ELMAN_INSTANTIATE(T)                                                                  \
    template std::vector<Windows<T>> timeseries_dataset_from_array<T>(                        \
        const Tensor<double>&, const Tensor<double>*, long long, const TimeseriesOptions&);   \
    template Windows<T> make_windows<T>(const std::vector<double>&, std::size_t, std::size_t); \
    template Windows<T> make_windows<T>(const Tensor<double>&, const std::vector<double>&,    \
                                        std::size_t, std::size_t);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
