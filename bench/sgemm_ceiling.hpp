// The sgemm ceiling of issue 17: OpenBLAS's cblas_sgemm doing exactly the matrix products of one
// SimpleRNN training step (or one batch-1 forward) at the step's own shapes, with the kernels and
// threads of the run, and nothing else: no tanh, no copies, no tape, no optimizer. Each distinct
// product is timed alone, called back to back on the same operands (whatever fits in the caches
// stays there: the best case for the kernel at that shape), and the ceiling is the sum over the
// step of count × its median time. A workload's "percentage of the ceiling" is that time divided
// by elman's time per step (the same analytic FLOPs, so it is also elman's GFLOP/s as a
// percentage of sgemm's at those shapes).
//
// FLOPs per step, analytic (bench/aggregate.py uses the same convention): the forward GEMMs make
// F_fwd = 2·T·B·F·H (X·W_x) + 2·T·B·H·H (h·W_h); training counts 3·F_fwd (forward, the products
// with the transposed weights, the weight gradients), inference F_fwd. The Dense(1) head, 2·B·H
// per direction, is left out. The products timed, all row-major float, alpha = 1:
//   forward   A[T·B,H]   = X[T·B,F]·W_x[F,H]                      once
//             A[s][B,H] += H[s][B,H]·W_h[H,H]        (beta = 1)   T times, one per step
//   backward  G[s][B,H]  = D[s][B,H]·W_hᵀ, W_hᵀ stored [H,H]       T times (plain product:
//                                                                  OpenBLAS's transposed one is
//                                                                  slower, and elman stores W_hᵀ)
//             dW_x[F,H]  = Xᵀ[F,T·B]·D[T·B,H]                     once
//             dW_h[H,H]  = Hᵀ[H,T·B]·D[T·B,H]                     once
// The input gradient dX = D·W_xᵀ would complete 3·F_fwd, but it is left out: elman's benchmark
// model does not compute it (its input needs no gradient), and at F = 1 it is a matrix-vector
// product that would add 6–9% of time for 0.5% of the FLOPs, inflating the percentage. The
// ceiling is thus slightly conservative for W3 (F = 8: 2% of the FLOPs). elman sends a [1,H]
// product to its own kernel (core/row_gemv.hpp) where that beats sgemv, so it can pass 100% on
// batch-1 inference.
#pragma once

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <vector>

#include "bench/bench_common.hpp"

namespace bench {

class SgemmCeiling {
public:
    explicit SgemmCeiling(const Workload& w) : w_(w)
    {
        const std::size_t tb = static_cast<std::size_t>(w.T) * w.B;
        SplitMix r(11);
        auto fill = [&](std::vector<float>& v, std::size_t n) {
            v.resize(n);
            for (auto& e : v) e = r.uniform(-0.5f, 0.5f);
        };
        fill(x_, tb * w.F);
        fill(wx_, static_cast<std::size_t>(w.F) * w.H);
        fill(wh_, static_cast<std::size_t>(w.H) * w.H);
        fill(h_, tb * w.H);
        fill(d_, tb * w.H);
        a_.assign(tb * w.H, 0.f);
        g_.assign(static_cast<std::size_t>(w.B) * w.H, 0.f);
        dwx_.assign(wx_.size(), 0.f);
        dwh_.assign(wh_.size(), 0.f);
    }

    struct Product {
        const char* name;
        int count;      // calls per step
        double ms;      // median time of one call
        double min_ms;  // fastest call
    };

    // Times each product of the step (the list at the top of this file), one after the other.
    std::vector<Product> time_products()
    {
        const int tb = w_.T * w_.B, b = w_.B, f = w_.F, h = w_.H;
        const auto rm = CblasRowMajor;
        const auto nt = CblasNoTrans, tr = CblasTrans;
        std::vector<Product> out;
        out.push_back(time("X·W_x", 1, [&] {
            cblas_sgemm(rm, nt, nt, tb, h, f, 1.f, x_.data(), f, wx_.data(), h, 0.f, a_.data(), h);
        }));
        out.push_back(time("h·W_h", w_.T, [&] {
            cblas_sgemm(rm, nt, nt, b, h, h, 1.f, h_.data(), h, wh_.data(), h, 1.f, a_.data(), h);
        }));
        if (w_.infer) return out;
        out.push_back(time("δ·W_hᵀ", w_.T, [&] {
            cblas_sgemm(rm, nt, nt, b, h, h, 1.f, d_.data(), h, wh_.data(), h, 0.f, g_.data(), h);
        }));
        out.push_back(time("Xᵀ·D", 1, [&] {
            cblas_sgemm(rm, tr, nt, f, h, tb, 1.f, x_.data(), f, d_.data(), h, 0.f, dwx_.data(), h);
        }));
        out.push_back(time("Hᵀ·D", 1, [&] {
            cblas_sgemm(rm, tr, nt, h, h, tb, 1.f, h_.data(), h, d_.data(), h, 0.f, dwh_.data(), h);
        }));
        return out;
    }

private:
    // The median and fastest time of one call: 31 repetitions of as many back-to-back calls as
    // take about 0.2 ms, after a warm-up.
    template <class F>
    static Product time(const char* name, int count, F&& call)
    {
        using clock = std::chrono::steady_clock;
        for (int i = 0; i < 3; ++i) call();
        const auto t0 = clock::now();
        call();
        const double once = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
        const int calls = std::max(1, static_cast<int>(0.2 / std::max(once, 1e-6)));
        std::vector<double> ms;
        for (int r = 0; r < 31; ++r) {
            const auto s = clock::now();
            for (int i = 0; i < calls; ++i) call();
            ms.push_back(std::chrono::duration<double, std::milli>(clock::now() - s).count() /
                         calls);
        }
        std::sort(ms.begin(), ms.end());
        return {name, count, ms[ms.size() / 2], ms.front()};
    }

    Workload w_;
    std::vector<float> x_, wx_, wh_, h_, d_, a_, g_, dwx_, dwh_;
};

}  // namespace bench
