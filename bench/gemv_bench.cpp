// elman's one-row product (core/row_gemv.hpp) against the OpenBLAS call it replaced inside
// gemm(): cblas_sgemv(RowMajor, Trans, k, n, alpha, B, n, a, 1, beta, c, 1), c[n] = Bᵀ·a + c.
//
//   gemv_bench [--reps R] [--path avx512|avx2|sse2|all]
//       one JSON line per shape and path: ns per call of sgemv and of the kernel, interleaved.
//       bench/run.sh runs each path against the OpenBLAS kernels of the CPUs that path is for
//       (OPENBLAS_CORETYPE: the best one here for AVX-512, Haswell for AVX2, Prescott for SSE2),
//       and aggregate.py tabulates them.
//
// Shapes: the recurrent step of batch-1 inference, k = U and n = U (SimpleRNN), 3U (GRU),
// 4U (LSTM), U = 16..256, plus odd sizes that exercise the kernel's column tail. For each
// repetition and shape both run back to back (2000 calls each, ns per call), so load on the
// machine reaches both alike; medians over the repetitions. Every path this CPU can run
// (row_gemv_on: AVX-512, AVX2, SSE2) is timed; "used" marks the one row_gemv takes here. Before
// timing, each path's result is compared with sgemv's (relative difference: max_rel_diff).
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/micro_bench.hpp"
#include "core/blas.hpp"
#include "core/row_gemv.hpp"

namespace {

// The paths `only` names ("all" or one path's name) that this CPU can run; a named path it
// cannot run is skipped with a note (bench/run.sh asks for every path on every CPU).
std::vector<elman::RowGemvPath> paths_to_time(const std::string& only)
{
    std::vector<elman::RowGemvPath> paths;
    bool known = only == "all";
    for (auto p : {elman::RowGemvPath::avx512, elman::RowGemvPath::avx2, elman::RowGemvPath::sse2}) {
        if (only != "all" && only != elman::row_gemv_path_name(p)) continue;
        known = true;
        if (elman::row_gemv_supported(p))
            paths.push_back(p);
        else
            std::fprintf(stderr, "gemv_bench: this CPU cannot run path %s; skipped\n",
                         elman::row_gemv_path_name(p));
    }
    if (!known)
        throw std::runtime_error("--path wants avx512, avx2, sse2 or all, got '" + only + "'");
    return paths;
}

double ns_per_call(const auto& f, long calls) { return bench::ns_total(f, calls) / calls; }

int run(int argc, char** argv)
{
    const bench::Options opt(argc, argv, {"--reps", "--path"});
    const int reps = opt.reps(21);
    const std::vector<elman::RowGemvPath> paths = paths_to_time(opt.get("--path", "all"));
    openblas_set_num_threads(1);
    struct Shape {
        int k, n;
    };
    const std::vector<Shape> shapes{{16, 16},  {32, 32},   {64, 64},   {128, 128}, {256, 256},
                                    {32, 96},  {64, 192},  {128, 384}, {32, 128},  {64, 256},
                                    {128, 512}, {50, 50}, {100, 300}, {7, 5}};
    const std::string blas_name = elman::blas_description();
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (const Shape& s : shapes) {
        std::vector<float> a(s.k), b(static_cast<std::size_t>(s.k) * s.n), c0(s.n);
        for (float& v : a) v = u(rng);
        for (float& v : b) v = u(rng);
        for (float& v : c0) v = u(rng);
        std::vector<float> c_blas = c0, c_own = c0;
        cblas_sgemv(CblasRowMajor, CblasTrans, s.k, s.n, 1.0f, b.data(), s.n, a.data(), 1, 1.0f,
                    c_blas.data(), 1);
        // beta = 0 while timing, so c stays bounded over the calls
        const auto blas = [&] {
            cblas_sgemv(CblasRowMajor, CblasTrans, s.k, s.n, 1.0f, b.data(), s.n, a.data(), 1,
                        0.0f, c_blas.data(), 1);
        };
        std::vector<double> max_rel(paths.size(), 0.0);
        for (std::size_t i = 0; i < paths.size(); ++i) {
            c_own = c0;
            elman::row_gemv_on(paths[i], s.k, s.n, 1.0f, a.data(), 1, b.data(), s.n, 1.0f,
                               c_own.data());
            for (int j = 0; j < s.n; ++j)
                max_rel[i] = std::max(max_rel[i], std::abs(double(c_blas[j]) - c_own[j]) /
                                                      std::max(1e-6, std::abs(double(c_blas[j]))));
        }
        std::vector<double> t_blas;
        std::vector<std::vector<double>> t_own(paths.size());
        for (int r = 0; r < reps; ++r) {
            t_blas.push_back(ns_per_call(blas, 2000));
            for (std::size_t i = 0; i < paths.size(); ++i)
                t_own[i].push_back(ns_per_call(
                    [&] {
                        elman::row_gemv_on(paths[i], s.k, s.n, 1.0f, a.data(), 1, b.data(), s.n,
                                           0.0f, c_own.data());
                    },
                    2000));
        }
        const double mb = bench::median(t_blas);
        for (std::size_t i = 0; i < paths.size(); ++i) {
            const double mo = bench::median(t_own[i]);
            std::printf("{\"framework\": \"row_gemv\", \"workload\": \"row_gemv\", "
                        "\"path\": \"%s\", \"used\": %s, \"blas\": \"%s\", \"reps\": %d, "
                        "\"k\": %d, \"n\": %d, "
                        "\"sgemv_ns\": %.1f, \"row_gemv_ns\": %.1f, \"ratio\": %.2f, "
                        "\"max_rel_diff\": %.2g}\n",
                        elman::row_gemv_path_name(paths[i]),
                        paths[i] == elman::row_gemv_path() ? "true" : "false", blas_name.c_str(),
                        reps, s.k, s.n, mb, mo, mo / mb, max_rel[i]);
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return bench::guarded_main("gemv_bench", run, argc, argv); }
