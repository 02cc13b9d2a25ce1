// elman's one-row product (core/row_gemv.hpp) against the OpenBLAS call it replaced inside
// gemm(): cblas_sgemv(RowMajor, Trans, k, n, alpha, B, n, a, 1, beta, c, 1), c[n] = Bᵀ·a + c.
//
//   gemv_bench [--reps R]        one JSON line per shape: ns per call of each, interleaved
//                                (bench/run.sh runs it and aggregate.py tabulates it)
//
// Shapes: the recurrent step of batch-1 inference, k = U and n = U (SimpleRNN), 3U (GRU),
// 4U (LSTM), U = 16..256, plus odd sizes that exercise the kernel's column tail. For each
// repetition and shape both run back to back (2000 calls each, ns per call), so load on the
// machine reaches both alike; medians over the repetitions. Before timing, the results of the
// two are compared (relative difference printed as max_rel_diff).
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "core/blas.hpp"
#include "core/row_gemv.hpp"

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

template <class F>
double ns_per_call(F f, int calls)
{
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) f();
    const auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / calls;
}

}  // namespace

int main(int argc, char** argv)
{
    int reps = 21;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--reps") reps = std::stoi(argv[i + 1]);
    openblas_set_num_threads(1);
    struct Shape {
        int k, n;
    };
    const std::vector<Shape> shapes{{16, 16},  {32, 32},   {64, 64},   {128, 128}, {256, 256},
                                    {32, 96},  {64, 192},  {128, 384}, {32, 128},  {64, 256},
                                    {128, 512}, {50, 50}, {100, 300}, {7, 5}};
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    const std::string blas_name = elman::blas_description();
    for (const Shape& s : shapes) {
        std::vector<float> a(s.k), b(static_cast<std::size_t>(s.k) * s.n), c0(s.n);
        for (float& v : a) v = u(rng);
        for (float& v : b) v = u(rng);
        for (float& v : c0) v = u(rng);
        std::vector<float> c_blas = c0, c_own = c0;
        cblas_sgemv(CblasRowMajor, CblasTrans, s.k, s.n, 1.0f, b.data(), s.n, a.data(), 1, 1.0f,
                    c_blas.data(), 1);
        elman::row_gemv(s.k, s.n, 1.0f, a.data(), 1, b.data(), s.n, 1.0f, c_own.data());
        double max_rel = 0;
        for (int j = 0; j < s.n; ++j)
            max_rel = std::max(max_rel, std::abs(double(c_blas[j]) - c_own[j]) /
                                            std::max(1e-6, std::abs(double(c_blas[j]))));
        // beta = 0 while timing, so c stays bounded over the calls
        const auto blas = [&] {
            cblas_sgemv(CblasRowMajor, CblasTrans, s.k, s.n, 1.0f, b.data(), s.n, a.data(), 1,
                        0.0f, c_blas.data(), 1);
        };
        const auto own = [&] {
            elman::row_gemv(s.k, s.n, 1.0f, a.data(), 1, b.data(), s.n, 0.0f, c_own.data());
        };
        std::vector<double> t_blas, t_own;
        for (int r = 0; r < reps; ++r) {
            t_blas.push_back(ns_per_call(blas, 2000));
            t_own.push_back(ns_per_call(own, 2000));
        }
        const double mb = median(t_blas), mo = median(t_own);
        std::printf("{\"framework\": \"row_gemv\", \"workload\": \"row_gemv\", \"blas\": \"%s\", \"reps\": %d, \"k\": %d, "
                    "\"n\": %d, \"sgemv_ns\": %.1f, \"row_gemv_ns\": %.1f, \"ratio\": %.2f, "
                    "\"max_rel_diff\": %.2g}\n",
                    blas_name.c_str(), reps, s.k, s.n, mb, mo, mo / mb, max_rel);
    }
    return 0;
}
