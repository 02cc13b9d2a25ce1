// elman's hand-written vectorised tanh and sigmoid (tanh_rational in core/tanh_rational.hpp,
// sigmoid_exp in layers/activation.cpp, run through activate_inplace's per-ISA clones) against
// SLEEF's (issue 17, "libraries before hand-written kernels").
//
//   tanh_bench [--reps R]        (default 21; build: bench/CMakeLists.txt, needs pkg-config sleef)
//       OPENBLAS_NUM_THREADS=1 bench/build/tanh_bench --reps 21
//       one JSON line per (function, candidate, n): median ns per element, its ratio to elman's,
//       and the candidate's accuracy (max abs error and max ulp against double std::tanh /
//       1/(1 + std::exp(−x))).
//
// Candidates, each timed as the fused layers use elman's: a contiguous float array of n, copied
// from the input and then transformed in place (activate_inplace works in place; every candidate
// gets the same copy, and "copy" times the copy alone):
//   tanh:    elman (activate_inplace(Activation::tanh), the real function: the ifunc picks
//            its AVX-512, AVX2 or baseline clone), SLEEF Sleef_tanhf16_u10/u35avx512f (only if the
//            CPU has avx512f), the same without FMA (Sleef_tanhf16_u10/u35avx512fnofma: elman's
//            clones use no FMA, so that results do not depend on the CPU) and
//            Sleef_tanhf8_u10/u35avx2 (avx2 + fma).
//   sigmoid: elman (activate_inplace(Activation::sigmoid): 1/(1 + e^(−x)) with its own e^x, what
//            SimpleRNN and the GRU use; the LSTM's float path is 0.5 + 0.5·tanh(x/2) through the
//            tanh above), SLEEF 1/(1 + Sleef_expf16_u10avx512f(−x)) (and its nofma form) and
//            0.5 + 0.5·Sleef_tanhf16_u35avx512f(x/2), and their AVX2 forms.
// n = 64, 256, 1024, 4096. Timing: one thread; each repetition runs every candidate once, in an
// order rotated from one repetition to the next (interleaved, so load on the machine reaches all
// alike), each for a fixed number of calls calibrated to last >= 2 ms; medians over the
// repetitions. ratio_to_elman is the median over repetitions of (candidate / elman) within the
// same repetition, with its 25th and 75th percentiles (ratio_p25, ratio_p75) as the noise band.
// Accuracy: every 16th float bit pattern with |x| <= 10, a uniform grid of 2^22 points in
// [−10, 10], and special values (±0, denormals, ±FLT_MIN, ±4e−4, ±7.9053, ±20, ±88, ±FLT_MAX,
// ±inf, NaN); ulp = |y − ref| / 2^(floor(log2|ref|) − 23) (2^−149 at most). special_failures
// counts special inputs whose result is wrong in kind (NaN not NaN, ±inf not ±1 / 0 or 1, ±0
// sign lost for tanh). same_bits lines: how many of the sweep's outputs differ in their bits
// between two instruction sets' builds of the same SLEEF function (SSE2 is elman's baseline).
#include <algorithm>
#include <bit>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "bench/micro_bench.hpp"
#include "bench/sleef_kernels.hpp"
#include "layers/activation.hpp"

namespace {

using namespace bench::sleef;

using Kernel = void (*)(float*, std::size_t);  // in place on n floats

// ---- elman: the real entry point of the fused layers ----
void elman_tanh(float* y, std::size_t n) { elman::activate_inplace(elman::Activation::tanh, y, n); }
void elman_sigmoid(float* y, std::size_t n)
{
    elman::activate_inplace(elman::Activation::sigmoid, y, n);
}

void copy_only(float*, std::size_t) {}

struct Candidate {
    std::string fn;    // tanh, sigmoid, copy
    std::string name;  // elman, sleef_u10_avx512, ...
    Kernel k;
    bool is_elman;
};

double quantile(std::vector<double> v, double q)
{
    std::sort(v.begin(), v.end());
    const double pos = q * static_cast<double>(v.size() - 1);
    const std::size_t lo = static_cast<std::size_t>(pos);
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

// ns for `calls` calls of: dst = src; k(dst, n)
double time_calls(Kernel k, const float* src, float* dst, std::size_t n, long calls)
{
    const auto t0 = std::chrono::steady_clock::now();
    for (long c = 0; c < calls; ++c) {
        std::memcpy(dst, src, n * sizeof(float));
        k(dst, n);
        asm volatile("" : : "r"(dst) : "memory");  // keep every call
    }
    const auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count();
}

double ulp_of(double ref)
{
    const double a = std::fabs(ref);
    if (a < std::ldexp(1.0, -126)) return std::ldexp(1.0, -149);
    return std::ldexp(1.0, std::ilogb(a) - 23);
}

struct Accuracy {
    double max_abs = 0, max_ulp = 0, worst_x = 0;  // over the sweep of [-10, 10]
    double special_max_abs = 0;                   // over the finite special values
    int special_failures = 0;                     // wrong in kind (see the header)
};

double ref_of(const std::string& fn, float x)
{
    const double d = x;
    return fn == "tanh" ? std::tanh(d) : 1.0 / (1.0 + std::exp(-d));
}

Accuracy accuracy(const Candidate& c, const std::vector<float>& xs, const std::vector<double>& ref)
{
    Accuracy a;
    std::vector<float> y;
    const std::size_t chunk = 4096;
    for (std::size_t s = 0; s < xs.size(); s += chunk) {
        const std::size_t m = std::min(chunk, xs.size() - s);
        y.assign(xs.begin() + static_cast<long>(s), xs.begin() + static_cast<long>(s + m));
        c.k(y.data(), m);
        for (std::size_t i = 0; i < m; ++i) {
            const double e = std::fabs(static_cast<double>(y[i]) - ref[s + i]);
            const double u = e / ulp_of(ref[s + i]);
            a.max_abs = std::max(a.max_abs, e);
            if (u > a.max_ulp || std::isnan(y[i])) {
                a.max_ulp = std::isnan(y[i]) ? std::numeric_limits<double>::infinity() : u;
                a.worst_x = xs[s + i];
            }
        }
    }
    // special values
    const float inf = std::numeric_limits<float>::infinity();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> sp{0.0f,     -0.0f,   1e-45f,   -1e-45f, 1e-40f,   -1e-40f, FLT_MIN,
                          -FLT_MIN, 1e-20f,  -1e-20f,  4e-4f,   -4e-4f,   3.9e-4f, -3.9e-4f,
                          7.9053f,  -7.9053f, 9.0f,    -9.0f,   10.0f,    -10.0f,  20.0f,
                          -20.0f,   88.0f,   -88.0f,  100.0f,  -100.0f,  FLT_MAX, -FLT_MAX,
                          inf,      -inf,    nan};
    std::vector<float> y2 = sp;
    c.k(y2.data(), y2.size());
    for (std::size_t i = 0; i < sp.size(); ++i) {
        const float x = sp[i], v = y2[i];
        bool ok;
        if (std::isnan(x)) ok = std::isnan(v);
        else if (std::isinf(x)) ok = c.fn == "tanh" ? v == (x > 0 ? 1.0f : -1.0f)
                                                    : v == (x > 0 ? 1.0f : 0.0f);
        else {
            const double r = ref_of(c.fn, x);
            ok = !std::isnan(v) && (c.fn == "tanh" ? std::fabs(v) <= 1.0f : v >= 0.0f && v <= 1.0f);
            if (!std::isnan(v))
                a.special_max_abs = std::max(a.special_max_abs, std::fabs(static_cast<double>(v) - r));
            if (c.fn == "tanh" && x == 0.0f && std::signbit(v) != std::signbit(x)) ok = false;
        }
        if (!ok) {
            ++a.special_failures;
            std::fprintf(stderr, "# %s %s: special x=%g gave %g\n", c.fn.c_str(), c.name.c_str(),
                         static_cast<double>(x), static_cast<double>(v));
        }
    }
    return a;
}

// elman's tanh and sigmoid, and SLEEF's where the CPU has the instruction set; then "copy".
std::vector<Candidate> candidates(bool has512, bool has256)
{
    std::vector<Candidate> cands{{"tanh", "elman", elman_tanh, true}};
    if (has512) {
        cands.push_back({"tanh", "sleef_u10_avx512", sleef_tanh_u10_avx512, false});
        cands.push_back({"tanh", "sleef_u35_avx512", sleef_tanh_u35_avx512, false});
        cands.push_back({"tanh", "sleef_u10_avx512_nofma", sleef_tanh_u10_avx512_nofma, false});
        cands.push_back({"tanh", "sleef_u35_avx512_nofma", sleef_tanh_u35_avx512_nofma, false});
    }
    if (has256) {
        cands.push_back({"tanh", "sleef_u10_avx2", sleef_tanh_u10_avx2, false});
        cands.push_back({"tanh", "sleef_u35_avx2", sleef_tanh_u35_avx2, false});
    }
    cands.push_back({"sigmoid", "elman", elman_sigmoid, true});
    if (has512) {
        cands.push_back({"sigmoid", "sleef_exp_u10_avx512", sleef_sigmoid_exp_u10_avx512, false});
        cands.push_back({"sigmoid", "sleef_exp_u10_avx512_nofma", sleef_sigmoid_exp_u10_avx512_nofma,
                         false});
        cands.push_back({"sigmoid", "sleef_tanh_u35_avx512", sleef_sigmoid_tanh_u35_avx512, false});
    }
    if (has256) {
        cands.push_back({"sigmoid", "sleef_exp_u10_avx2", sleef_sigmoid_exp_u10_avx2, false});
        cands.push_back({"sigmoid", "sleef_tanh_u35_avx2", sleef_sigmoid_tanh_u35_avx2, false});
    }
    cands.push_back({"copy", "copy", copy_only, false});
    return cands;
}

// The accuracy sweep: every 16th float bit pattern with |x| <= 10, and a uniform grid of 2^22
// points in [−10, 10].
std::vector<float> sweep_points()
{
    std::vector<float> xs;
    const std::uint32_t ten = std::bit_cast<std::uint32_t>(10.0f);
    for (std::uint32_t b = 0; b <= ten; b += 16) {
        xs.push_back(std::bit_cast<float>(b));
        xs.push_back(std::bit_cast<float>(b | 0x80000000u));
    }
    const std::size_t grid = std::size_t(1) << 22;
    for (std::size_t i = 0; i <= grid; ++i)
        xs.push_back(static_cast<float>(-10.0 + 20.0 * static_cast<double>(i) / grid));
    return xs;
}

// SLEEF across instruction sets: one same_bits line per pair of builds of one function, how
// many outputs of the sweep differ in their bits.
void report_same_bits(const std::vector<float>& xs, bool has512, bool has256)
{
    struct Pair {
        const char *fn, *a, *b;
        Kernel ka, kb;
        bool ok;
    };
    const std::vector<Pair> pairs{
        {"tanh", "sleef_u10_avx512", "sleef_u10_avx2", sleef_tanh_u10_avx512, sleef_tanh_u10_avx2,
         has512 && has256},
        {"tanh", "sleef_u10_avx2", "sleef_u10_sse2", sleef_tanh_u10_avx2, sleef_tanh_u10_sse2, has256},
        {"tanh", "sleef_u35_avx512", "sleef_u35_avx2", sleef_tanh_u35_avx512, sleef_tanh_u35_avx2,
         has512 && has256},
        {"tanh", "sleef_u35_avx2", "sleef_u35_sse2", sleef_tanh_u35_avx2, sleef_tanh_u35_sse2, has256},
        {"sigmoid", "sleef_exp_u10_avx512", "sleef_exp_u10_avx2", sleef_sigmoid_exp_u10_avx512,
         sleef_sigmoid_exp_u10_avx2, has512 && has256},
        {"sigmoid", "sleef_exp_u10_avx2", "sleef_exp_u10_sse2", sleef_sigmoid_exp_u10_avx2,
         sleef_sigmoid_exp_u10_sse2, has256},
        {"tanh", "sleef_u10_avx512_nofma", "sleef_u10_sse2", sleef_tanh_u10_avx512_nofma,
         sleef_tanh_u10_sse2, has512},
        {"tanh", "sleef_u35_avx512_nofma", "sleef_u35_sse2", sleef_tanh_u35_avx512_nofma,
         sleef_tanh_u35_sse2, has512},
        {"sigmoid", "sleef_exp_u10_avx512_nofma", "sleef_exp_u10_sse2",
         sleef_sigmoid_exp_u10_avx512_nofma, sleef_sigmoid_exp_u10_sse2, has512}};
    for (const Pair& p : pairs) {
        if (!p.ok) continue;
        std::vector<float> ya = xs, yb = xs;
        p.ka(ya.data(), ya.size());
        p.kb(yb.data(), yb.size());
        std::size_t differ = 0;
        for (std::size_t i = 0; i < xs.size(); ++i)
            differ += std::bit_cast<std::uint32_t>(ya[i]) != std::bit_cast<std::uint32_t>(yb[i]);
        std::printf("{\"bench\": \"tanh_bench\", \"check\": \"same_bits\", \"fn\": \"%s\", "
                    "\"a\": \"%s\", \"b\": \"%s\", \"differ\": %zu, \"of\": %zu}\n",
                    p.fn, p.a, p.b, differ, xs.size());
    }
}

// Times every candidate at n = 64, 256, 1024, 4096 (see the top of the file) and prints one
// line per candidate and n, with its accuracy.
void time_candidates(const std::vector<Candidate>& cands, const std::vector<Accuracy>& acc, int reps,
                     bool has512)
{
    std::mt19937 rng(17);
    std::uniform_real_distribution<float> u(-4.0f, 4.0f);  // pre-activations of a trained RNN
    for (const std::size_t n : {std::size_t(64), std::size_t(256), std::size_t(1024),
                                std::size_t(4096)}) {
        std::vector<float> src(n), dst(n);
        for (float& v : src) v = u(rng);
        // calibrate: calls per timing so that one lasts >= 2 ms
        std::vector<long> calls(cands.size());
        for (std::size_t c = 0; c < cands.size(); ++c) {
            long k = 16;
            while (time_calls(cands[c].k, src.data(), dst.data(), n, k) < 2e6) k *= 2;
            calls[c] = k;
        }
        std::vector<std::vector<double>> ns(cands.size());
        std::vector<std::vector<double>> ratio(cands.size());
        for (int r = 0; r < reps; ++r) {
            std::vector<double> t(cands.size());
            for (std::size_t j = 0; j < cands.size(); ++j) {
                const std::size_t c = (j + static_cast<std::size_t>(r)) % cands.size();
                t[c] = time_calls(cands[c].k, src.data(), dst.data(), n, calls[c]) /
                       (static_cast<double>(calls[c]) * static_cast<double>(n));
            }
            for (std::size_t c = 0; c < cands.size(); ++c) {
                ns[c].push_back(t[c]);
                // ratio to elman's of the same function, same repetition
                for (std::size_t e = 0; e < cands.size(); ++e)
                    if (cands[e].is_elman && cands[e].fn == cands[c].fn)
                        ratio[c].push_back(t[c] / t[e]);
            }
        }
        for (std::size_t c = 0; c < cands.size(); ++c) {
            const Candidate& k = cands[c];
            std::printf("{\"bench\": \"tanh_bench\", \"fn\": \"%s\", \"candidate\": \"%s\", "
                        "\"n\": %zu, \"reps\": %d, \"calls\": %ld, \"ns_per_elem\": %.4f, "
                        "\"ns_min\": %.4f, \"ns_max\": %.4f",
                        k.fn.c_str(), k.name.c_str(), n, reps, calls[c], bench::median(ns[c]),
                        *std::min_element(ns[c].begin(), ns[c].end()),
                        *std::max_element(ns[c].begin(), ns[c].end()));
            if (!ratio[c].empty())
                std::printf(", \"ratio_to_elman\": %.3f, \"ratio_p25\": %.3f, \"ratio_p75\": %.3f",
                            bench::median(ratio[c]), quantile(ratio[c], 0.25), quantile(ratio[c], 0.75));
            if (k.fn != "copy")
                std::printf(", \"max_abs_err\": %.3g, \"max_ulp\": %.3g, \"worst_x\": %.9g, "
                            "\"special_max_abs_err\": %.3g, \"special_failures\": %d",
                            acc[c].max_abs, acc[c].max_ulp, static_cast<double>(acc[c].worst_x),
                            acc[c].special_max_abs, acc[c].special_failures);
            std::printf(", \"avx512f\": %s}\n", has512 ? "true" : "false");
            std::fflush(stdout);
        }
    }
}

int run(int argc, char** argv)
{
    const int reps = bench::Options(argc, argv, {"--reps"}).reps(21);
    const bool has512 = __builtin_cpu_supports("avx512f");
    const bool has256 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    const std::vector<Candidate> cands = candidates(has512, has256);
    const std::vector<float> xs = sweep_points();
    std::vector<Accuracy> acc(cands.size());
    for (const std::string fn : {"tanh", "sigmoid"}) {
        std::vector<double> ref(xs.size());
        for (std::size_t i = 0; i < xs.size(); ++i) ref[i] = ref_of(fn, xs[i]);
        for (std::size_t c = 0; c < cands.size(); ++c)
            if (cands[c].fn == fn) acc[c] = accuracy(cands[c], xs, ref);
    }
    report_same_bits(xs, has512, has256);
    time_candidates(cands, acc, reps, has512);
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return bench::guarded_main("tanh_bench", run, argc, argv); }
