// Synthetic series for examples and tests, deterministic given their arguments.
#pragma once

#include <cstddef>
#include <cstdint>

#include "datasets/series.hpp"

namespace elman {

// y_t = amplitude·sin(2π t / period) + ε_t, ε_t ~ N(0, noise_std²) from elman::Rng(seed),
// t = 0..n−1. Periods are "0", "1", ...; season = period when it is a whole number ≥ 2, else 1.
Series noisy_sine(std::size_t n, double period = 20.0, double noise_std = 0.1,
                  std::uint64_t seed = 0, double amplitude = 1.0);

struct MackeyGlassOptions {
    double tau = 17.0;     // delay
    double beta = 0.2;      // gain of the delayed term β·x(t−τ)/(1 + x(t−τ)^n)
    double gamma = 0.1;     // decay γ·x(t)
    double exponent = 10.0; // n
    double initial = 1.2;  // x(t) for t <= 0
    double dt = 0.1;       // Euler step; tau/dt must be a whole number
    double sample_every = 1.0;  // time between returned samples; a whole number of steps
    std::size_t discard = 0;    // samples dropped at the start (transient)
};

// The Mackey–Glass delay equation
//   dx/dt = β·x(t−τ) / (1 + x(t−τ)^n) − γ·x(t),
// integrated by explicit Euler with step dt from the constant history x = initial, sampled
// every sample_every time units: n values after `discard` dropped ones.
Series mackey_glass(std::size_t n, const MackeyGlassOptions& options = {});

}  // namespace elman
