// What every C++ benchmark program shares: the workloads of ANCHORS.md, the command line, the
// synthetic data, the timing loop and the one JSON line each run prints. Framework-free (no
// elman, no torch), so the reference and the peers see the same harness.
//
// Command line (all programs):
//   --workload W1|W2|W3|W4|inference | --shape B,T,F,H [--infer]
//   --threads k          OpenBLAS (and torch) threads
//   --warmup-s s         warm-up time (default 0.3 s, at least 5 steps)
//   --min-steps n        time at least n steps ...          (default 200)
//   --min-time s         ... and at least s seconds ...     (default 2)
//   --max-time s         ... but stop after s seconds once 20 steps are done (default 6)
//   --cell NAME          the recurrent cell: simple (SimpleRNN, default), lstm, gru
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

struct Workload {
    std::string name;
    int B = 0, T = 0, F = 0, H = 0;
    bool infer = false;  // forward only, batch 1
};

inline Workload workload_by_name(const std::string& n)
{
    if (n == "W1") return {"W1", 32, 12, 1, 32, false};
    if (n == "W2") return {"W2", 64, 50, 1, 64, false};
    if (n == "W3") return {"W3", 128, 100, 8, 128, false};
    if (n == "W4") return {"W4", 16, 500, 1, 32, false};
    if (n == "inference") return {"inference", 1, 50, 1, 64, true};
    throw std::runtime_error("unknown workload '" + n + "' (W1, W2, W3, W4, inference)");
}

struct Args {
    Workload w;
    int threads = 1;
    double warmup_s = 0.3;
    int min_steps = 200;
    double min_time = 2.0;
    double max_time = 6.0;
    bool check = false;
    std::string cell = "simple";    // the recurrent layer (elman's layers/cells.hpp names)
    std::vector<std::string> rest;  // program-specific flags
};

inline Args parse_args(int argc, char** argv)
{
    Args a;
    a.w = workload_by_name("W1");
    bool infer = false;
    for (int i = 1; i < argc; ++i) {
        const std::string s = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(s + " needs a value");
            return argv[++i];
        };
        if (s == "--workload") a.w = workload_by_name(next());
        else if (s == "--shape") {
            const std::string v = next();
            Workload w;
            if (std::sscanf(v.c_str(), "%d,%d,%d,%d", &w.B, &w.T, &w.F, &w.H) != 4 || w.B <= 0 ||
                w.T <= 0 || w.F <= 0 || w.H <= 0)
                throw std::runtime_error("--shape wants B,T,F,H, got '" + v + "'");
            w.name = "B" + std::to_string(w.B) + "_T" + std::to_string(w.T) + "_F" +
                     std::to_string(w.F) + "_H" + std::to_string(w.H);
            a.w = w;
        }
        else if (s == "--infer") infer = true;
        else if (s == "--threads") a.threads = std::stoi(next());
        else if (s == "--warmup-s") a.warmup_s = std::stod(next());
        else if (s == "--min-steps") a.min_steps = std::stoi(next());
        else if (s == "--min-time") a.min_time = std::stod(next());
        else if (s == "--max-time") a.max_time = std::stod(next());
        else if (s == "--check") a.check = true;
        else if (s == "--cell") a.cell = next();
        else a.rest.push_back(s);
    }
    if (infer) a.w.infer = true;
    return a;
}

// splitmix64: the same data in every C++ program from a fixed seed.
class SplitMix {
public:
    explicit SplitMix(std::uint64_t seed) : s_(seed) {}
    std::uint64_t next()
    {
        std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // U(lo, hi)
    float uniform(float lo, float hi)
    {
        return lo + (hi - lo) * static_cast<float>((next() >> 40) * (1.0 / 16777216.0));
    }

private:
    std::uint64_t s_;
};

// x:[B,T,F] batch-major, U(−1, 1); y:[B,1] = mean over t of x[b,t,0] times 0.5 plus noise
// (a learnable target, so the loss moves and nothing degenerates).
struct Batch {
    std::vector<float> x;
    std::vector<float> y;
};

inline Batch make_batch(const Workload& w, std::uint64_t seed = 42)
{
    SplitMix r(seed);
    Batch b;
    b.x.resize(static_cast<std::size_t>(w.B) * w.T * w.F);
    b.y.resize(static_cast<std::size_t>(w.B));
    for (auto& v : b.x) v = r.uniform(-1.f, 1.f);
    for (int i = 0; i < w.B; ++i) {
        double s = 0;
        for (int t = 0; t < w.T; ++t) s += b.x[(static_cast<std::size_t>(i) * w.T + t) * w.F];
        b.y[i] = static_cast<float>(0.5 * s / w.T) + r.uniform(-0.05f, 0.05f);
    }
    return b;
}

inline double peak_rss_mb()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

struct Timing {
    std::vector<double> ms;  // one per timed step
    double median() const
    {
        std::vector<double> s = ms;
        std::sort(s.begin(), s.end());
        const std::size_t n = s.size();
        return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }
    double min() const { return *std::min_element(ms.begin(), ms.end()); }
    double max() const { return *std::max_element(ms.begin(), ms.end()); }
};

// Warm up, then time `step` one call at a time until min_steps and min_time are both reached
// (or max_time has passed with at least 20 steps).
template <class F>
Timing time_steps(const Args& a, F&& step)
{
    using clock = std::chrono::steady_clock;
    auto secs = [](clock::duration d) { return std::chrono::duration<double>(d).count(); };
    const auto w0 = clock::now();
    for (int i = 0; i < 5 || secs(clock::now() - w0) < a.warmup_s; ++i) step();
    Timing t;
    const auto t0 = clock::now();
    for (;;) {
        const auto s = clock::now();
        step();
        const auto e = clock::now();
        t.ms.push_back(std::chrono::duration<double, std::milli>(e - s).count());
        const double el = secs(e - t0);
        const int n = static_cast<int>(t.ms.size());
        if (n >= a.min_steps && el >= a.min_time) break;
        if (n >= 20 && el >= a.max_time) break;
    }
    return t;
}

inline void print_json(const std::string& framework, const Args& a, const Timing& t, double loss)
{
    std::printf("{\"framework\": \"%s\", \"cell\": \"%s\", \"workload\": \"%s\", \"B\": %d, "
                "\"T\": %d, \"F\": %d, \"H\": %d, \"mode\": \"%s\", \"threads\": %d, \"steps\": %zu, "
                "\"median_ms\": %.6f, \"min_ms\": %.6f, \"max_ms\": %.6f, "
                "\"peak_rss_mb\": %.2f, \"loss\": %.6g}\n",
                framework.c_str(), a.cell.c_str(), a.w.name.c_str(), a.w.B, a.w.T, a.w.F, a.w.H,
                a.w.infer ? "infer" : "train", a.threads, t.ms.size(), t.median(), t.min(),
                t.max(), peak_rss_mb(), loss);
    std::fflush(stdout);
}

}  // namespace bench
