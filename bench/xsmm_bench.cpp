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

#include "bench/bench_common.hpp"
#include "bench/micro_bench.hpp"
#include "core/blas.hpp"

namespace {

// Calls of f it takes to last at least min_ns.
template <class F>
long calls_for(F f, double min_ns)
{
    long calls = 1;
    while (bench::ns_total(f, calls) < min_ns && calls < (1L << 30)) calls *= 2;
    return calls;
}

struct Shape {
    std::string workload;
    const char* gemm;  // which product (see the top of the file)
    bool trans_a, trans_b;
    int m, n, k;
    int calls;  // per training step (inference: per forward)
};

std::vector<Shape> shapes_of(const bench::Workload& w)
{
    const int rows = w.T * w.B;
    if (w.infer)
        return {{w.name, "fwd_input", false, false, rows, w.H, w.F, 1},
                {w.name, "fwd_rec", false, false, w.B, w.H, w.H, w.T}};
    return {{w.name, "fwd_input", false, false, rows, w.H, w.F, 1},
            {w.name, "fwd_rec", false, false, w.B, w.H, w.H, w.T},
            {w.name, "bwd_dh", false, true, w.B, w.H, w.H, w.T - 1},
            {w.name, "dW_x", true, false, w.F, w.H, rows, 1},
            {w.name, "dW_h", true, false, w.H, w.H, rows, 1},
            {w.name, "db", true, false, w.H, 1, rows, 1}};
}

// Which path elman::gemm takes for the shape (core/blas.cpp).
const char* elman_path(const Shape& s)
{
    if (s.m == 1) return "gemv or row_gemv (m = 1)";
    if (s.n == 1) return "gemv (n = 1)";
    return "sgemm";
}

// One shape's operands and the three ways to compute it: sgemm, the libxsmm kernel (null when
// libxsmm_smmdispatch has none for the shape) and elman::gemm; each C starts from the same c0.
struct Products {
    Shape s;
    std::vector<float> a, b, c_blas, c_xsmm, c_elman;
    int lda, ldb, ldc;
    libxsmm_smmfunction kernel;

    Products(const Shape& shape, std::mt19937& rng) : s(shape)
    {
        std::uniform_real_distribution<float> u(-1.0f, 1.0f);
        const std::size_t m = s.m, n = s.n, k = s.k;
        a.resize(m * k);
        b.resize(k * n);
        std::vector<float> c0(m * n);
        for (float& v : a) v = u(rng);
        for (float& v : b) v = u(rng);
        for (float& v : c0) v = u(rng);
        c_blas = c_xsmm = c_elman = c0;
        // row-major leading dimensions as stored
        lda = s.trans_a ? s.m : s.k;
        ldb = s.trans_b ? s.k : s.n;
        ldc = s.n;
        // column-major view: C'[n,m] = op(B)'[n,k]·op(A)'[k,m]
        const libxsmm_blasint xm = s.n, xn = s.m, xk = s.k;
        const libxsmm_blasint xlda = ldb, xldb = lda, xldc = ldc;
        const float alpha = 1.0f, beta = 1.0f;
        const int flags = (s.trans_b ? LIBXSMM_GEMM_FLAG_TRANS_A : 0) |
                          (s.trans_a ? LIBXSMM_GEMM_FLAG_TRANS_B : 0);
        const int prefetch = LIBXSMM_PREFETCH_NONE;
        kernel = libxsmm_smmdispatch(xm, xn, xk, &xlda, &xldb, &xldc, &alpha, &beta, &flags,
                                     &prefetch);
    }

    void blas()
    {
        cblas_sgemm(CblasRowMajor, s.trans_a ? CblasTrans : CblasNoTrans,
                    s.trans_b ? CblasTrans : CblasNoTrans, s.m, s.n, s.k, 1.0f, a.data(), lda,
                    b.data(), ldb, 1.0f, c_blas.data(), ldc);
    }
    void xsmm() { kernel(b.data(), a.data(), c_xsmm.data()); }
    void own()
    {
        elman::gemm<float>(s.trans_a, s.trans_b, s.m, s.n, s.k, 1.0f, a.data(), b.data(), 1.0f,
                           c_elman.data());
    }

    // After one call of each from c0: max |C_xsmm − C_sgemm| / max |C_sgemm|.
    double max_rel_diff()
    {
        blas();
        xsmm();
        double max_abs = 0.0, max_diff = 0.0;
        for (std::size_t i = 0; i < c_blas.size(); ++i) {
            max_abs = std::max(max_abs, std::abs(double(c_blas[i])));
            max_diff = std::max(max_diff, std::abs(double(c_xsmm[i]) - c_blas[i]));
        }
        return max_diff / std::max(1e-30, max_abs);
    }
};

// Times the shape's three products, interleaved per repetition, and prints its JSON line.
void measure(const Shape& shape, int reps, std::mt19937& rng, const std::string& blas_name,
             const std::string& xsmm_target)
{
    Products p(shape, rng);
    const Shape& s = p.s;
    const double max_rel = p.kernel ? p.max_rel_diff() : -1.0;
    const auto blas = [&] { p.blas(); };
    const auto xsmm = [&] { p.xsmm(); };
    const auto own = [&] { p.own(); };
    const double min_ns = 2e6;
    long calls = std::max(calls_for(blas, min_ns), calls_for(own, min_ns));
    if (p.kernel) calls = std::max(calls, calls_for(xsmm, min_ns));
    std::vector<double> t_blas, t_xsmm, t_own;
    for (int r = 0; r < reps; ++r) {
        t_blas.push_back(bench::ns_total(blas, calls) / calls);
        if (p.kernel) t_xsmm.push_back(bench::ns_total(xsmm, calls) / calls);
        t_own.push_back(bench::ns_total(own, calls) / calls);
    }
    const double mb = bench::median(t_blas), mo = bench::median(t_own);
    std::printf("{\"framework\": \"xsmm\", \"workload\": \"%s\", \"gemm\": \"%s\", "
                "\"m\": %d, \"n\": %d, \"k\": %d, \"trans_a\": %s, \"trans_b\": %s, "
                "\"calls_per_step\": %d, \"blas\": \"%s\", \"xsmm_target\": \"%s\", "
                "\"reps\": %d, \"calls_per_rep\": %ld, \"sgemm_ns\": %.1f, ",
                s.workload.c_str(), s.gemm, s.m, s.n, s.k, s.trans_a ? "true" : "false",
                s.trans_b ? "true" : "false", s.calls, blas_name.c_str(), xsmm_target.c_str(),
                reps, calls, mb);
    if (p.kernel) {
        const double mx = bench::median(t_xsmm);
        std::printf("\"xsmm_ns\": %.1f, \"ratio\": %.3f, \"max_rel_diff\": %.2g, ", mx,
                    mx / mb, max_rel);
    } else {
        std::printf("\"xsmm_ns\": null, \"ratio\": null, \"max_rel_diff\": null, "
                    "\"xsmm\": \"unsupported (libxsmm_smmdispatch returned NULL)\", ");
    }
    std::printf("\"elman_gemm_ns\": %.1f, \"elman_path\": \"%s\"}\n", mo, elman_path(s));
    std::fflush(stdout);
}

int run(int argc, char** argv)
{
    const bench::Options opt(argc, argv, {"--reps", "--workload"});
    const int reps = opt.reps(21);
    const std::string only = opt.get("--workload", "all");
    std::vector<bench::Workload> workloads;
    for (const char* name : {"W1", "W2", "W3", "W4", "inference"})
        if (only == "all" || only == name) workloads.push_back(bench::workload_by_name(name));
    if (workloads.empty()) bench::workload_by_name(only);  // throws, naming the workload
    openblas_set_num_threads(1);
    libxsmm_init();
    const std::string blas_name = elman::blas_description();
    const std::string xsmm_target = libxsmm_get_target_arch();
    std::mt19937 rng(7);
    for (const bench::Workload& w : workloads)
        for (const Shape& s : shapes_of(w)) measure(s, reps, rng, blas_name, xsmm_target);
    libxsmm_finalize();
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return bench::guarded_main("xsmm_bench", run, argc, argv); }
