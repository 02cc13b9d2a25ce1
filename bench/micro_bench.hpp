// What the kernel micro-benchmarks share (gemv_bench, xsmm_bench, tanh_bench): their few
// command-line options, checked, and the timing primitives (ns of a run of calls, medians).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

// The middle value of v (the mean of the two middle ones for an even count); v not empty.
inline double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Nanoseconds that `calls` back-to-back calls of f take.
template <class F>
double ns_total(F&& f, long calls)
{
    const auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < calls; ++i) f();
    const auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count();
}

// A micro-benchmark's options: every argument must be one of `known` followed by its value.
// Throws std::runtime_error naming the argument otherwise.
class Options {
public:
    Options(int argc, char** argv, std::initializer_list<const char*> known)
    {
        for (int i = 1; i < argc; i += 2) {
            const std::string flag = argv[i];
            if (std::find(known.begin(), known.end(), flag) == known.end())
                throw std::runtime_error("unknown argument '" + flag + "'");
            if (i + 1 >= argc) throw std::runtime_error(flag + " needs a value");
            values_.emplace_back(flag, argv[i + 1]);
        }
    }

    // The value given for `flag`, or `fallback`.
    std::string get(const std::string& flag, const std::string& fallback) const
    {
        for (const auto& [f, v] : values_)
            if (f == flag) return v;
        return fallback;
    }

    // --reps R: a whole number >= 1, or `fallback` when absent.
    int reps(int fallback) const
    {
        const std::string v = get("--reps", std::to_string(fallback));
        std::size_t used = 0;
        int r = 0;
        try {
            r = std::stoi(v, &used);
        }
        catch (const std::exception&) {
            used = 0;
        }
        if (used != v.size() || r < 1)
            throw std::runtime_error("--reps wants a whole number >= 1, got '" + v + "'");
        return r;
    }

private:
    std::vector<std::pair<std::string, std::string>> values_;
};

// A micro-benchmark's main(): run(argc, argv), or, when it throws, its message as one line
// "NAME: message" on stderr and exit status 2.
inline int guarded_main(const char* name, int (*run)(int, char**), int argc, char** argv)
{
    try {
        return run(argc, argv);
    }
    catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", name, e.what());
        return 2;
    }
}

}  // namespace bench
