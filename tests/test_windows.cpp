#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/error.hpp"
#include "datasets/windows.hpp"

using namespace elman;
using Catch::Contains;

namespace {

// 0, 1, ..., n−1 (so every window shows its row indices) as [n] or [n, 1].
Tensor<double> arange(std::size_t n, double offset = 0.0)
{
    Tensor<double> t = Tensor<double>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) t(i) = offset + static_cast<double>(i);
    return t;
}

std::vector<double> row(const Tensor<double>& x, std::size_t i)
{
    const std::size_t L = x.shape()[1];
    return std::vector<double>(x.data() + i * L, x.data() + (i + 1) * L);
}

std::vector<double> steps(double first, double step, std::size_t count)
{
    std::vector<double> v;
    for (std::size_t k = 0; k < count; ++k) v.push_back(first + step * static_cast<double>(k));
    return v;
}

}  // namespace

TEST_CASE("windows: Keras example 1 (stride 3, sampling rate 2) over indices 0..98", "[windows]")
{
    TimeseriesOptions o;
    o.sequence_stride = 3;
    o.sampling_rate = 2;
    const auto batches = timeseries_dataset_from_array<double>(arange(99), nullptr, 10, o);
    REQUIRE(batches.size() == 1);
    const Tensor<double>& x = batches[0].x;
    // Starts 0, 3, ..., 78: the next start, 81, would need row 99.
    REQUIRE(x.shape() == Shape{27, 10});
    REQUIRE(row(x, 0) == steps(0, 2, 10));
    REQUIRE(row(x, 1) == steps(3, 2, 10));
    REQUIRE(row(x, 2) == steps(6, 2, 10));
    REQUIRE(row(x, 26) == steps(78, 2, 10));
    REQUIRE(batches[0].y.size() == 0);
}

TEST_CASE("windows: Keras example 2, targets[i] belongs to the window starting at i", "[windows]")
{
    // input_data = data[:-10], targets = data[10:], sequence_length 10.
    const Tensor<double> data = arange(50, 100.0);
    const Tensor<double> inputs = arange(40, 100.0), targets = arange(40, 110.0);
    const auto batches = timeseries_dataset_from_array<double>(inputs, &targets, 10);
    REQUIRE(batches.size() == 1);
    // num_seqs = 40 − 9 = 31.
    REQUIRE(batches[0].x.shape() == Shape{31, 10});
    REQUIRE(batches[0].y.shape() == Shape{31});
    for (std::size_t i = 0; i < 31; ++i) {
        REQUIRE(row(batches[0].x, i) == steps(100.0 + static_cast<double>(i), 1, 10));
        REQUIRE(batches[0].y(i) == data(i + 10));
    }
}

TEST_CASE("windows: start_index offsets both the windows and the targets", "[windows]")
{
    const Tensor<double> data = arange(20), targets = arange(20, 100.0);
    TimeseriesOptions o;
    o.start_index = 5;
    o.end_index = 15;
    const auto b = timeseries_dataset_from_array<double>(data, &targets, 3, o);
    // num_seqs = 15 − 5 − 2 = 8: windows start at rows 5..12, the last is [12, 13, 14].
    REQUIRE(b.size() == 1);
    REQUIRE(b[0].x.shape() == Shape{8, 3});
    REQUIRE(row(b[0].x, 0) == std::vector<double>{5, 6, 7});
    REQUIRE(row(b[0].x, 7) == std::vector<double>{12, 13, 14});
    REQUIRE(b[0].y(0) == 105);
    REQUIRE(b[0].y(7) == 112);
}

TEST_CASE("windows: batches hold batch_size windows, the last one fewer", "[windows]")
{
    TimeseriesOptions o;
    o.batch_size = 3;
    const Tensor<double> targets = arange(10, 50.0);
    const auto b = timeseries_dataset_from_array<float>(arange(10), &targets, 3, o);
    // 10 − 2 = 8 windows: 3 + 3 + 2.
    REQUIRE(b.size() == 3);
    REQUIRE(b[0].x.shape() == Shape{3, 3});
    REQUIRE(b[2].x.shape() == Shape{2, 3});
    REQUIRE(b[2].y.shape() == Shape{2});
    REQUIRE(b[1].x(0, 0) == 3.0f);
    REQUIRE(b[2].x(1, 2) == 9.0f);
    REQUIRE(b[2].y(1) == 57.0f);
}

TEST_CASE("windows: feature axes are kept, x is [b, sequence_length, features]", "[windows]")
{
    Tensor<double> data = Tensor<double>::from_shape({6, 2});
    for (std::size_t t = 0; t < 6; ++t) {
        data(t, 0) = static_cast<double>(t);
        data(t, 1) = -static_cast<double>(t);
    }
    Tensor<double> targets = Tensor<double>::from_shape({6, 2});
    targets = data * 10.0;
    TimeseriesOptions o;
    o.sampling_rate = 2;
    const auto b = timeseries_dataset_from_array<double>(data, &targets, 2, o);
    // num_seqs = 6 − 2 = 4; window i holds rows i and i + 2.
    REQUIRE(b[0].x.shape() == Shape{4, 2, 2});
    REQUIRE(b[0].y.shape() == Shape{4, 2});
    REQUIRE(b[0].x(3, 1, 0) == 5.0);
    REQUIRE(b[0].x(3, 1, 1) == -5.0);
    REQUIRE(b[0].y(3, 1) == -30.0);
}

TEST_CASE("windows: the number of windows is capped by the number of targets", "[windows]")
{
    const Tensor<double> targets = arange(4);
    const auto b = timeseries_dataset_from_array<double>(arange(20), &targets, 3);
    REQUIRE(b[0].x.shape() == Shape{4, 3});
}

TEST_CASE("windows: targets too short for an offset window are an error", "[windows]")
{
    const Tensor<double> targets = arange(4);
    TimeseriesOptions o;
    o.start_index = 2;
    REQUIRE_THROWS_WITH(timeseries_dataset_from_array<double>(arange(20), &targets, 3, o),
                        Contains("needs targets[5] but targets has 4 rows"));
}

TEST_CASE("windows: Keras' argument checks", "[windows]")
{
    const Tensor<double> data = arange(10);
    TimeseriesOptions end_at_len;
    end_at_len.end_index = 10;
    REQUIRE_THROWS_WITH(timeseries_dataset_from_array<double>(data, nullptr, 3, end_at_len),
                        Contains("`end_index` must be lower than the length of the data"));
    TimeseriesOptions reversed;
    reversed.start_index = 5;
    reversed.end_index = 5;
    REQUIRE_THROWS_WITH(timeseries_dataset_from_array<double>(data, nullptr, 3, reversed),
                        Contains("`end_index` must be higher than `start_index`"));
    TimeseriesOptions rate;
    rate.sampling_rate = 0;
    REQUIRE_THROWS_WITH(timeseries_dataset_from_array<double>(data, nullptr, 3, rate),
                        Contains("`sampling_rate` must be higher than 0"));
    TimeseriesOptions stride;
    stride.sequence_stride = 10;
    REQUIRE_THROWS_WITH(timeseries_dataset_from_array<double>(data, nullptr, 3, stride),
                        Contains("`sequence_stride` must be lower than the length"));
    TimeseriesOptions start;
    start.start_index = -1;
    REQUIRE_THROWS_WITH(timeseries_dataset_from_array<double>(data, nullptr, 3, start),
                        Contains("`start_index` must be 0 or greater"));
}

TEST_CASE("windows: too long a window or end_index 0 gives no windows, as Keras", "[windows]")
{
    REQUIRE(timeseries_dataset_from_array<double>(arange(5), nullptr, 6).empty());
    TimeseriesOptions o;
    o.end_index = 0;
    REQUIRE(timeseries_dataset_from_array<double>(arange(5), nullptr, 2, o).empty());
}

TEST_CASE("windows: unbatched entries are single windows without the batch axis", "[windows]")
{
    TimeseriesOptions o;
    o.batch_size = std::nullopt;
    const Tensor<double> targets = arange(5, 10.0);
    const auto b = timeseries_dataset_from_array<double>(arange(5), &targets, 2, o);
    REQUIRE(b.size() == 4);
    REQUIRE(b[3].x.shape() == Shape{2});
    REQUIRE(b[3].x(1) == 4.0);
    REQUIRE(b[3].y.dimension() == 0);
    REQUIRE(b[3].y() == 13.0);
}

TEST_CASE("windows: shuffle permutes whole (window, target) pairs, reproducibly by seed", "[windows]")
{
    const Tensor<double> data = arange(40), targets = arange(40, 100.0);
    TimeseriesOptions o;
    o.shuffle = true;
    o.seed = 7;
    o.batch_size = 5;
    const auto a = timeseries_dataset_from_array<double>(data, &targets, 4, o);
    const auto b = timeseries_dataset_from_array<double>(data, &targets, 4, o);
    std::vector<double> starts;
    for (std::size_t k = 0; k < a.size(); ++k) {
        REQUIRE(a[k].x == b[k].x);
        for (std::size_t i = 0; i < a[k].x.shape()[0]; ++i) {
            const double s = a[k].x(i, 0);
            REQUIRE(a[k].x(i, 3) == s + 3);  // still a contiguous window
            REQUIRE(a[k].y(i) == s + 100);   // with its own target
            starts.push_back(s);
        }
    }
    REQUIRE(starts.size() == 37);
    REQUIRE(std::set<double>(starts.begin(), starts.end()).size() == 37);
    REQUIRE_FALSE(std::is_sorted(starts.begin(), starts.end()));
    o.seed = 8;
    const auto c = timeseries_dataset_from_array<double>(data, &targets, 4, o);
    REQUIRE_FALSE(c[0].x == a[0].x);
}

TEST_CASE("make_windows: x holds lookback values, y the next horizon values", "[windows]")
{
    const std::vector<double> y = {1, 2, 3, 4, 5, 6, 7};
    const Windows<float> w = make_windows<float>(y, 3, 2);
    // N = 7 − 3 − 2 + 1 = 3.
    REQUIRE(w.x.shape() == Shape{3, 3, 1});
    REQUIRE(w.y.shape() == Shape{3, 2});
    REQUIRE(w.x(2, 0, 0) == 3.0f);
    REQUIRE(w.x(2, 2, 0) == 5.0f);
    REQUIRE(w.y(2, 0) == 6.0f);
    REQUIRE(w.y(2, 1) == 7.0f);
    REQUIRE_THROWS_WITH(make_windows<float>(y, 6, 2), Contains("too short for lookback 6 and horizon 2"));
}

TEST_CASE("make_windows: horizon 1 equals Keras with data[:-1] and targets data[lookback:]", "[windows]")
{
    std::vector<double> y(30);
    for (std::size_t t = 0; t < y.size(); ++t) y[t] = std::sin(0.3 * static_cast<double>(t));
    const Windows<double> w = make_windows<double>(y, 5, 1);
    Tensor<double> inputs = Tensor<double>::from_shape({29}), targets = Tensor<double>::from_shape({25});
    for (std::size_t t = 0; t < 29; ++t) inputs(t) = y[t];
    for (std::size_t t = 0; t < 25; ++t) targets(t) = y[t + 5];
    const auto k = timeseries_dataset_from_array<double>(inputs, &targets, 5);
    REQUIRE(k[0].x.shape() == Shape{25, 5});
    for (std::size_t i = 0; i < 25; ++i) {
        for (std::size_t j = 0; j < 5; ++j) REQUIRE(w.x(i, j, 0) == k[0].x(i, j));
        REQUIRE(w.y(i, 0) == k[0].y(i));
    }
}

TEST_CASE("make_windows: multivariate features with one target column", "[windows]")
{
    Tensor<double> features = Tensor<double>::from_shape({6, 3});
    std::vector<double> target(6);
    for (std::size_t t = 0; t < 6; ++t) {
        for (std::size_t f = 0; f < 3; ++f) features(t, f) = 10.0 * static_cast<double>(t) + static_cast<double>(f);
        target[t] = -static_cast<double>(t);
    }
    const Windows<double> w = make_windows<double>(features, target, 2, 1);
    REQUIRE(w.x.shape() == Shape{4, 2, 3});
    REQUIRE(w.x(3, 1, 2) == 42.0);
    REQUIRE(w.y(3, 0) == -5.0);
    REQUIRE_THROWS_WITH(make_windows<double>(features, std::vector<double>(5), 2, 1),
                        Contains("target has 5 values"));
}
