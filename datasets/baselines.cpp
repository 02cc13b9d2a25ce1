#include "datasets/baselines.hpp"

#include "core/error.hpp"

namespace elman {

std::string to_string(Baseline b)
{
    switch (b) {
    case Baseline::naive: return "naive";
    case Baseline::seasonal_naive: return "seasonal_naive";
    case Baseline::drift: return "drift";
    }
    return "unknown";
}

namespace {

// The history every baseline needs: 1 value (naive), m (seasonal naive), 2 (drift).
void check_history(Baseline b, std::size_t have, std::size_t season, const char* fn)
{
    if (season < 1) throw Error(std::string(fn) + ": season must be >= 1");
    const std::size_t need = b == Baseline::seasonal_naive ? season : b == Baseline::drift ? 2 : 1;
    if (have < need)
        throw Error(std::string(fn) + ": " + to_string(b) + " needs at least " +
                    std::to_string(need) + " training values, got " + std::to_string(have));
}

}  // namespace

std::vector<double> baseline_one_step(Baseline b, const std::vector<double>& y,
                                      std::size_t n_train, std::size_t season)
{
    if (n_train > y.size())
        throw Error("baseline_one_step: n_train " + std::to_string(n_train) +
                    " exceeds the series length " + std::to_string(y.size()));
    check_history(b, n_train, season, "baseline_one_step");
    std::vector<double> f;
    f.reserve(y.size() - n_train);
    for (std::size_t t = n_train; t < y.size(); ++t) {
        switch (b) {
        case Baseline::naive: f.push_back(y[t - 1]); break;
        case Baseline::seasonal_naive: f.push_back(y[t - season]); break;
        case Baseline::drift:
            // T = t values observed (y_1..y_T = y[0..t−1]): y_T + (y_T − y_1)/(T − 1)
            f.push_back(y[t - 1] + (y[t - 1] - y[0]) / static_cast<double>(t - 1));
            break;
        }
    }
    return f;
}

std::vector<double> baseline_multi_step(Baseline b, const std::vector<double>& train,
                                        std::size_t horizon, std::size_t season)
{
    check_history(b, train.size(), season, "baseline_multi_step");
    const std::size_t T = train.size();
    std::vector<double> f(horizon);
    for (std::size_t h = 1; h <= horizon; ++h) {
        switch (b) {
        case Baseline::naive: f[h - 1] = train[T - 1]; break;
        // The same season of the last observed year: y[T − m + (h − 1) mod m].
        case Baseline::seasonal_naive: f[h - 1] = train[T - season + (h - 1) % season]; break;
        case Baseline::drift:
            f[h - 1] = train[T - 1] + static_cast<double>(h) * (train[T - 1] - train[0]) /
                                          static_cast<double>(T - 1);
            break;
        }
    }
    return f;
}

}  // namespace elman
