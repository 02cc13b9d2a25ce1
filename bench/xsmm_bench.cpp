// libxsmm's JIT small-GEMM kernels against OpenBLAS's cblas_sgemm (one thread) on the products
// a fused SimpleRNN training step does (layers/simple_rnn_fused.cpp), per workload (issue 17:
// "libraries before hand-written kernels"). An evaluation only: elman does not use libxsmm.
//
//   xsmm_bench [--reps R] [--workload W1|W2|W3|W4|inference]
//       one JSON line per shape: ns per call of cblas_sgemm, of the libxsmm kernel and of
//       elman::gemm (core/blas.hpp, the wrapper as it is, which takes GEMV or its own row kernel
//       for m = 1 or n = 1), their ratio, and how far libxsmm's result is from sgemm's.
//   Run: OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=Cooperlake bench/build/xsmm_bench
//        (or OPENBLAS_CORETYPE=Haswell for OpenBLAS's AVX2 kernels). Built by bench/CMakeLists.txt
//        only when pkg-config finds libxsmm (Debian libxsmm-dev).
//
// Shapes, all row-major float, alpha = 1, beta = 1 (as elman calls them), for workload (B,T,F,H)
// (docs/performance.md "What is measured"); "calls" is how often one training step runs it:
//   fwd_input  X·W_x    [T·B,F]·[F,H]     NN  once      (all steps' input projections)
//   fwd_rec    R[s]·W_h [B,H]·[H,H]       NN  T times
//   bwd_dh     δ_s·W_hᵀ [B,H]·[H,H]ᵀ      NT  T−1 times (no h_0 gradient)
//   dW_x       Xᵀ·D     [F,T·B]ᵀ·[T·B,H]  TN  once
//   dW_h       Rᵀ·D     [H,T·B]ᵀ·[T·B,H]  TN  once
//   db         Dᵀ·1     [H,T·B]ᵀ·[T·B,1]  TN  once
// and for batch-1 inference (1,50,1,64) fwd_input and the recurrent [1,64]·[64,64], 50 times.
// The benchmark's input x needs no gradient, so dX = D·W_xᵀ is not run and not measured.
//
// libxsmm is column-major: row-major C[m,n] = op(A)·op(B) is column-major
// C'[n,m] = op(B)'·op(A)', so the kernel is dispatched for (M,N,K) = (n,m,k) with B first and
// A second, and row-major trans_b / trans_a become libxsmm's TRANS_A / TRANS_B. A shape whose
// kernel libxsmm_smmdispatch does not JIT (it returns NULL) is printed as unsupported.
// Kernels are dispatched once, before timing. Per repetition the three run back to back, each
// for the same number of calls (chosen so that every one of them takes at least ~2 ms); medians
// over the repetitions. max_rel_diff = max |C_xsmm − C_sgemm| / max |C_sgemm| after one call
// from the same C.
#include <cblas.h>
#include <libxsmm.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "core/blas.hpp"

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

template <class F>
double ns_total(F f, long calls)
{
    const auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < calls; ++i) f();
    const auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count();
}

// Calls of f it takes to last at least min_ns.
template <class F>
long calls_for(F f, double min_ns)
{
    long calls = 1;
    while (ns_total(f, calls) < min_ns && calls < (1L << 30)) calls *= 2;
    return calls;
}

struct Workload {
    const char* name;
    int b, t, f, h;
    bool infer;
};

struct Shape {
    const char* workload;
    const char* gemm;  // which product (see the top of the file)
    bool trans_a, trans_b;
    int m, n, k;
    int calls;  // per training step (inference: per forward)
};

std::vector<Shape> shapes_of(const Workload& w)
{
    const int rows = w.t * w.b;
    if (w.infer)
        return {{w.name, "fwd_input", false, false, rows, w.h, w.f, 1},
                {w.name, "fwd_rec", false, false, w.b, w.h, w.h, w.t}};
    return {{w.name, "fwd_input", false, false, rows, w.h, w.f, 1},
            {w.name, "fwd_rec", false, false, w.b, w.h, w.h, w.t},
            {w.name, "bwd_dh", false, true, w.b, w.h, w.h, w.t - 1},
            {w.name, "dW_x", true, false, w.f, w.h, rows, 1},
            {w.name, "dW_h", true, false, w.h, w.h, rows, 1},
            {w.name, "db", true, false, w.h, 1, rows, 1}};
}

// Which path elman::gemm takes for the shape (core/blas.cpp).
const char* elman_path(const Shape& s)
{
    if (s.m == 1) return "gemv or row_gemv (m = 1)";
    if (s.n == 1) return "gemv (n = 1)";
    return "sgemm";
}

}  // namespace

int main(int argc, char** argv)
{
    int reps = 21;
    std::string only = "all";
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::string(argv[i]) == "--reps") reps = std::stoi(argv[i + 1]);
        if (std::string(argv[i]) == "--workload") only = argv[i + 1];
    }
    openblas_set_num_threads(1);
    libxsmm_init();
    const std::vector<Workload> workloads{{"W1", 32, 12, 1, 32, false},
                                          {"W2", 64, 50, 1, 64, false},
                                          {"W3", 128, 100, 8, 128, false},
                                          {"W4", 16, 500, 1, 32, false},
                                          {"inference", 1, 50, 1, 64, true}};
    const std::string blas_name = elman::blas_description();
    const std::string xsmm_target = libxsmm_get_target_arch();
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (const Workload& w : workloads) {
        if (only != "all" && only != w.name) continue;
        for (const Shape& s : shapes_of(w)) {
            const std::size_t m = s.m, n = s.n, k = s.k;
            std::vector<float> a(m * k), b(k * n), c0(m * n);
            for (float& v : a) v = u(rng);
            for (float& v : b) v = u(rng);
            for (float& v : c0) v = u(rng);
            // row-major leading dimensions as stored
            const int lda = s.trans_a ? s.m : s.k;
            const int ldb = s.trans_b ? s.k : s.n;
            const int ldc = s.n;
            // column-major view: C'[n,m] = op(B)'[n,k]·op(A)'[k,m]
            const libxsmm_blasint xm = s.n, xn = s.m, xk = s.k;
            const libxsmm_blasint xlda = ldb, xldb = lda, xldc = ldc;
            const float alpha = 1.0f, beta = 1.0f;
            const int flags = (s.trans_b ? LIBXSMM_GEMM_FLAG_TRANS_A : 0) |
                              (s.trans_a ? LIBXSMM_GEMM_FLAG_TRANS_B : 0);
            const int prefetch = LIBXSMM_PREFETCH_NONE;
            const libxsmm_smmfunction kernel = libxsmm_smmdispatch(
                xm, xn, xk, &xlda, &xldb, &xldc, &alpha, &beta, &flags, &prefetch);

            std::vector<float> c_blas = c0, c_xsmm = c0, c_elman = c0;
            const auto blas = [&] {
                cblas_sgemm(CblasRowMajor, s.trans_a ? CblasTrans : CblasNoTrans,
                            s.trans_b ? CblasTrans : CblasNoTrans, s.m, s.n, s.k, alpha,
                            a.data(), lda, b.data(), ldb, beta, c_blas.data(), ldc);
            };
            const auto xsmm = [&] { kernel(b.data(), a.data(), c_xsmm.data()); };
            const auto own = [&] {
                elman::gemm<float>(s.trans_a, s.trans_b, m, n, k, alpha, a.data(), b.data(),
                                   beta, c_elman.data());
            };
            blas();
            double max_rel = -1.0;
            if (kernel) {
                xsmm();
                double max_abs = 0.0, max_diff = 0.0;
                for (std::size_t i = 0; i < m * n; ++i) {
                    max_abs = std::max(max_abs, std::abs(double(c_blas[i])));
                    max_diff = std::max(max_diff, std::abs(double(c_xsmm[i]) - c_blas[i]));
                }
                max_rel = max_diff / std::max(1e-30, max_abs);
            }
            const double min_ns = 2e6;
            long calls = std::max(calls_for(blas, min_ns), calls_for(own, min_ns));
            if (kernel) calls = std::max(calls, calls_for(xsmm, min_ns));
            std::vector<double> t_blas, t_xsmm, t_own;
            for (int r = 0; r < reps; ++r) {
                t_blas.push_back(ns_total(blas, calls) / calls);
                if (kernel) t_xsmm.push_back(ns_total(xsmm, calls) / calls);
                t_own.push_back(ns_total(own, calls) / calls);
            }
            const double mb = median(t_blas), mo = median(t_own);
            std::printf("{\"framework\": \"xsmm\", \"workload\": \"%s\", \"gemm\": \"%s\", "
                        "\"m\": %d, \"n\": %d, \"k\": %d, \"trans_a\": %s, \"trans_b\": %s, "
                        "\"calls_per_step\": %d, \"blas\": \"%s\", \"xsmm_target\": \"%s\", "
                        "\"reps\": %d, \"calls_per_rep\": %ld, \"sgemm_ns\": %.1f, ",
                        s.workload, s.gemm, s.m, s.n, s.k, s.trans_a ? "true" : "false",
                        s.trans_b ? "true" : "false", s.calls, blas_name.c_str(),
                        xsmm_target.c_str(), reps, calls, mb);
            if (kernel) {
                const double mx = median(t_xsmm);
                std::printf("\"xsmm_ns\": %.1f, \"ratio\": %.3f, \"max_rel_diff\": %.2g, ", mx,
                            mx / mb, max_rel);
            } else {
                std::printf("\"xsmm_ns\": null, \"ratio\": null, \"max_rel_diff\": null, "
                            "\"xsmm\": \"unsupported (libxsmm_smmdispatch returned NULL)\", ");
            }
            std::printf("\"elman_gemm_ns\": %.1f, \"elman_path\": \"%s\"}\n", mo, elman_path(s));
            std::fflush(stdout);
        }
    }
    libxsmm_finalize();
    return 0;
}
