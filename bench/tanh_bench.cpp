// elman's hand-written vectorised tanh and sigmoid (layers/activation.cpp: tanh_rational and
// sigmoid_exp, run through activate_inplace's per-ISA clones) against SLEEF's (issue 17,
// "libraries before hand-written kernels").
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
#include <immintrin.h>

#include <sleef.h>

// sleef.h declares its AVX2 and AVX-512 functions only when the translation unit itself is
// compiled for them (#ifdef __AVX2__ / __AVX512F__), and this one is built for the baseline ISA,
// as elman is; so the ones used here are declared again, for the functions below that carry
// gnu::target and are called only where __builtin_cpu_supports says the CPU has the ISA.
#pragma GCC push_options
#pragma GCC target("avx2,fma,avx512f")
extern "C" {
__m512 Sleef_tanhf16_u10avx512f(__m512);
__m512 Sleef_tanhf16_u35avx512f(__m512);
__m512 Sleef_expf16_u10avx512f(__m512);
__m256 Sleef_tanhf8_u10avx2(__m256);
__m256 Sleef_tanhf8_u35avx2(__m256);
__m256 Sleef_expf8_u10avx2(__m256);
// without FMA ("cinz"), as elman's clones are built
__m512 Sleef_tanhf16_u10avx512fnofma(__m512);
__m512 Sleef_tanhf16_u35avx512fnofma(__m512);
__m512 Sleef_expf16_u10avx512fnofma(__m512);
}
#pragma GCC pop_options

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

#include "layers/activation.hpp"

namespace {

using Kernel = void (*)(float*, std::size_t);  // in place on n floats

// ---- elman: the real entry point of the fused layers ----
void elman_tanh(float* y, std::size_t n) { elman::activate_inplace(elman::Activation::tanh, y, n); }
void elman_sigmoid(float* y, std::size_t n)
{
    elman::activate_inplace(elman::Activation::sigmoid, y, n);
}

// ---- SLEEF, AVX-512 (16 floats; tail by a masked load/store) ----
#define SLEEF512(NAME, EXPR)                                                   \
    [[gnu::target("avx512f")]] void NAME(float* y, std::size_t n)              \
    {                                                                          \
        std::size_t i = 0;                                                     \
        for (; i + 16 <= n; i += 16) {                                         \
            const __m512 x = _mm512_loadu_ps(y + i);                           \
            _mm512_storeu_ps(y + i, EXPR);                                     \
        }                                                                      \
        if (i < n) {                                                           \
            const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1u); \
            const __m512 x = _mm512_maskz_loadu_ps(m, y + i);                  \
            _mm512_mask_storeu_ps(y + i, m, EXPR);                             \
        }                                                                      \
    }

// ---- SLEEF, AVX2 + FMA (8 floats; tail through a small buffer) ----
#define SLEEF256(NAME, EXPR)                                        \
    [[gnu::target("avx2,fma")]] void NAME(float* y, std::size_t n)  \
    {                                                               \
        std::size_t i = 0;                                          \
        for (; i + 8 <= n; i += 8) {                                \
            const __m256 x = _mm256_loadu_ps(y + i);                \
            _mm256_storeu_ps(y + i, EXPR);                          \
        }                                                           \
        if (i < n) {                                                \
            alignas(32) float t[8] = {};                            \
            std::memcpy(t, y + i, (n - i) * sizeof(float));         \
            const __m256 x = _mm256_load_ps(t);                     \
            _mm256_store_ps(t, EXPR);                               \
            std::memcpy(y + i, t, (n - i) * sizeof(float));         \
        }                                                           \
    }

SLEEF512(sleef_tanh_u10_avx512, Sleef_tanhf16_u10avx512f(x))
SLEEF512(sleef_tanh_u35_avx512, Sleef_tanhf16_u35avx512f(x))
SLEEF512(sleef_tanh_u10_avx512_nofma, Sleef_tanhf16_u10avx512fnofma(x))
SLEEF512(sleef_tanh_u35_avx512_nofma, Sleef_tanhf16_u35avx512fnofma(x))
SLEEF256(sleef_tanh_u10_avx2, Sleef_tanhf8_u10avx2(x))
SLEEF256(sleef_tanh_u35_avx2, Sleef_tanhf8_u35avx2(x))

SLEEF512(sleef_sigmoid_exp_u10_avx512,
         _mm512_div_ps(_mm512_set1_ps(1.0f),
                       _mm512_add_ps(_mm512_set1_ps(1.0f),
                                     Sleef_expf16_u10avx512f(_mm512_sub_ps(_mm512_setzero_ps(), x)))))
SLEEF512(sleef_sigmoid_exp_u10_avx512_nofma,
         _mm512_div_ps(_mm512_set1_ps(1.0f),
                       _mm512_add_ps(_mm512_set1_ps(1.0f),
                                     Sleef_expf16_u10avx512fnofma(
                                         _mm512_sub_ps(_mm512_setzero_ps(), x)))))
SLEEF512(sleef_sigmoid_tanh_u35_avx512,
         _mm512_fmadd_ps(_mm512_set1_ps(0.5f),
                         Sleef_tanhf16_u35avx512f(_mm512_mul_ps(_mm512_set1_ps(0.5f), x)),
                         _mm512_set1_ps(0.5f)))
SLEEF256(sleef_sigmoid_exp_u10_avx2,
         _mm256_div_ps(_mm256_set1_ps(1.0f),
                       _mm256_add_ps(_mm256_set1_ps(1.0f),
                                     Sleef_expf8_u10avx2(_mm256_sub_ps(_mm256_setzero_ps(), x)))))
SLEEF256(sleef_sigmoid_tanh_u35_avx2,
         _mm256_fmadd_ps(_mm256_set1_ps(0.5f),
                         Sleef_tanhf8_u35avx2(_mm256_mul_ps(_mm256_set1_ps(0.5f), x)),
                         _mm256_set1_ps(0.5f)))

// ---- SLEEF, SSE2 (the baseline ISA elman is built for): only for the cross-ISA check ----
#define SLEEF128(NAME, EXPR)                                \
    void NAME(float* y, std::size_t n)                      \
    {                                                       \
        for (std::size_t i = 0; i < n; i += 4) {            \
            alignas(16) float t[4] = {};                    \
            const std::size_t m = std::min<std::size_t>(4, n - i); \
            std::memcpy(t, y + i, m * sizeof(float));       \
            const __m128 x = _mm_load_ps(t);                \
            _mm_store_ps(t, EXPR);                          \
            std::memcpy(y + i, t, m * sizeof(float));       \
        }                                                   \
    }

SLEEF128(sleef_tanh_u10_sse2, Sleef_tanhf4_u10sse2(x))
SLEEF128(sleef_tanh_u35_sse2, Sleef_tanhf4_u35sse2(x))
SLEEF128(sleef_sigmoid_exp_u10_sse2,
         _mm_div_ps(_mm_set1_ps(1.0f),
                    _mm_add_ps(_mm_set1_ps(1.0f),
                               Sleef_expf4_u10sse2(_mm_sub_ps(_mm_setzero_ps(), x)))))

void copy_only(float*, std::size_t) {}

struct Candidate {
    std::string fn;    // tanh, sigmoid, copy
    std::string name;  // elman, sleef_u10_avx512, ...
    Kernel k;
    bool is_elman;
};

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

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

}  // namespace

int main(int argc, char** argv)
{
    int reps = 21;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--reps") reps = std::stoi(argv[i + 1]);
    if (reps < 1) reps = 1;

    const bool has512 = __builtin_cpu_supports("avx512f");
    const bool has256 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
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

    // ---- accuracy ----
    std::vector<float> xs;
    const std::uint32_t ten = std::bit_cast<std::uint32_t>(10.0f);
    for (std::uint32_t b = 0; b <= ten; b += 16) {
        xs.push_back(std::bit_cast<float>(b));
        xs.push_back(std::bit_cast<float>(b | 0x80000000u));
    }
    const std::size_t grid = std::size_t(1) << 22;
    for (std::size_t i = 0; i <= grid; ++i)
        xs.push_back(static_cast<float>(-10.0 + 20.0 * static_cast<double>(i) / grid));
    std::vector<Accuracy> acc(cands.size());
    for (const std::string fn : {"tanh", "sigmoid"}) {
        std::vector<double> ref(xs.size());
        for (std::size_t i = 0; i < xs.size(); ++i) ref[i] = ref_of(fn, xs[i]);
        for (std::size_t c = 0; c < cands.size(); ++c)
            if (cands[c].fn == fn) acc[c] = accuracy(cands[c], xs, ref);
    }

    // ---- SLEEF across instruction sets: does a function give the same bits at every width? ----
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

    // ---- timing ----
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
                        k.fn.c_str(), k.name.c_str(), n, reps, calls[c], median(ns[c]),
                        *std::min_element(ns[c].begin(), ns[c].end()),
                        *std::max_element(ns[c].begin(), ns[c].end()));
            if (!ratio[c].empty())
                std::printf(", \"ratio_to_elman\": %.3f, \"ratio_p25\": %.3f, \"ratio_p75\": %.3f",
                            median(ratio[c]), quantile(ratio[c], 0.25), quantile(ratio[c], 0.75));
            if (k.fn != "copy")
                std::printf(", \"max_abs_err\": %.3g, \"max_ulp\": %.3g, \"worst_x\": %.9g, "
                            "\"special_max_abs_err\": %.3g, \"special_failures\": %d",
                            acc[c].max_abs, acc[c].max_ulp, static_cast<double>(acc[c].worst_x),
                            acc[c].special_max_abs, acc[c].special_failures);
            std::printf(", \"avx512f\": %s}\n", has512 ? "true" : "false");
            std::fflush(stdout);
        }
    }
    return 0;
}
