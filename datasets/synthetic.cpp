#include "datasets/synthetic.hpp"

#include <cmath>
#include <deque>
#include <string>

#include "core/error.hpp"
#include "core/init.hpp"

namespace elman {

namespace {

std::vector<std::string> index_labels(std::size_t n)
{
    std::vector<std::string> labels(n);
    for (std::size_t t = 0; t < n; ++t) labels[t] = std::to_string(t);
    return labels;
}

// k when x is within 1e-9 of the whole number k >= 1, else 0.
std::size_t whole(double x)
{
    const double r = std::round(x);
    return r >= 1.0 && std::abs(x - r) < 1e-9 ? static_cast<std::size_t>(r) : 0;
}

}  // namespace

Series noisy_sine(std::size_t n, double period, double noise_std, std::uint64_t seed,
                  double amplitude)
{
    if (!(period > 0.0)) throw Error("noisy_sine: period must be > 0, got " + std::to_string(period));
    if (!(noise_std >= 0.0))
        throw Error("noisy_sine: noise_std must be >= 0, got " + std::to_string(noise_std));
    Rng rng(seed);
    Series s;
    s.name = "noisy_sine";
    s.periods = index_labels(n);
    s.values.resize(n);
    constexpr double two_pi = 6.283185307179586476925;
    for (std::size_t t = 0; t < n; ++t)
        s.values[t] = amplitude * std::sin(two_pi * static_cast<double>(t) / period) +
                      noise_std * rng.normal();
    const std::size_t m = whole(period);
    s.season = m >= 2 ? m : 1;
    return s;
}

Series mackey_glass(std::size_t n, const MackeyGlassOptions& o)
{
    if (!(o.dt > 0.0)) throw Error("mackey_glass: dt must be > 0, got " + std::to_string(o.dt));
    const std::size_t delay = whole(o.tau / o.dt);
    const std::size_t every = whole(o.sample_every / o.dt);
    if (delay == 0)
        throw Error("mackey_glass: tau/dt must be a whole number >= 1, got " +
                    std::to_string(o.tau / o.dt));
    if (every == 0)
        throw Error("mackey_glass: sample_every/dt must be a whole number >= 1, got " +
                    std::to_string(o.sample_every / o.dt));
    // history holds x at the last `delay` steps, oldest first: history.front() = x(t − τ).
    std::deque<double> history(delay, o.initial);
    double x = o.initial;
    Series s;
    s.name = "mackey_glass";
    s.periods = index_labels(n);
    s.values.reserve(n);
    const std::size_t total = n + o.discard;
    for (std::size_t k = 0; k < total; ++k) {
        if (k >= o.discard) s.values.push_back(x);
        for (std::size_t step = 0; step < every; ++step) {
            const double lagged = history.front();
            // Euler: x ← x + dt·(β·x_τ/(1 + x_τ^n) − γ·x)
            const double dx =
                o.beta * lagged / (1.0 + std::pow(lagged, o.exponent)) - o.gamma * x;
            history.pop_front();
            history.push_back(x);
            x += o.dt * dx;
        }
    }
    return s;
}

}  // namespace elman
