// elman through its public API, as a user trains with it (bench/elman_model.hpp):
//
//   elman_bench --workload W1 --threads 1              fused SimpleRNN (the default path)
//   elman_bench --workload W1 --cell lstm              fused LSTM (any layers/cells.hpp name)
//   elman_bench --workload W1 --cell gru               fused GRU (any layers/cells.hpp name)
//   elman_bench --workload W1 --threads 1 --composed   per-step primitive ops on the tape
//   elman_bench --workload W1 --masked                 with a right-padding mask (elman_model.hpp)
//   elman_bench --workload W1 --dropout                recurrent_dropout 0.2 (and dropout 0.2, F > 1)
//   elman_bench ... --ftz                              the CPU flushes denormals to zero (FTZ/DAZ)
//   elman_bench --workload inference                   batch-1 forward under NoGrad
//   elman_bench --tape-micro [--ops N]                 record + backward of N adds of [1] Vars
//   elman_bench --blas                                 which BLAS kernels run ("OpenBLAS, Haswell kernels")
//   elman_bench --ceiling --workload W3                cblas_sgemm alone at the step's shapes
//                                                      (bench/sgemm_ceiling.hpp, issue 17)
//
// Each run prints one JSON line (bench/bench_common.hpp).
#include <cblas.h>
#include <pmmintrin.h>
#include <xmmintrin.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

#include "bench/bench_common.hpp"
#include "bench/elman_model.hpp"
#include "bench/sgemm_ceiling.hpp"
#include "core/blas.hpp"
#include "core/ops.hpp"
#include "core/tape.hpp"

namespace {

bool has_flag(const bench::Args& a, const std::string& f)
{
    for (const auto& s : a.rest)
        if (s == f) return true;
    return false;
}

int flag_value(const bench::Args& a, const std::string& f, int fallback)
{
    for (std::size_t i = 0; i + 1 < a.rest.size(); ++i)
        if (a.rest[i] == f) return std::stoi(a.rest[i + 1]);
    return fallback;
}

// The tape's own cost: N adds of [1]-shaped Vars (acc = acc + x), then backward. Reports
// ns per op for recording, for backward and for both, medians over repetitions.
int tape_micro(const bench::Args& a)
{
    using clock = std::chrono::steady_clock;
    const int n = flag_value(a, "--ops", 1000);
    bench::Timing rec, bwd, both;
    auto run = [&](bool keep) {
        elman::Tape<float> tape;
        const auto x = tape.variable(elman::Tensor<float>({1.0f}));
        const auto t0 = clock::now();
        auto acc = x;
        for (int i = 0; i < n; ++i) acc = acc + x;
        const auto t1 = clock::now();
        tape.backward(acc);
        const auto t2 = clock::now();
        if (!keep) return;
        const double r = std::chrono::duration<double, std::nano>(t1 - t0).count() / n;
        const double b = std::chrono::duration<double, std::nano>(t2 - t1).count() / n;
        rec.ms.push_back(r);
        bwd.ms.push_back(b);
        both.ms.push_back(r + b);
    };
    for (int i = 0; i < 20; ++i) run(false);
    const auto start = clock::now();
    while (rec.ms.size() < 200 ||
           std::chrono::duration<double>(clock::now() - start).count() < 1.0)
        run(true);
    std::printf("{\"framework\": \"elman_tape\", \"workload\": \"tape_micro\", \"ops\": %d, "
                "\"reps\": %zu, \"record_ns_per_op\": %.1f, \"backward_ns_per_op\": %.1f, "
                "\"total_ns_per_op\": %.1f, \"min_total_ns_per_op\": %.1f, "
                "\"peak_rss_mb\": %.2f}\n",
                n, rec.ms.size(), rec.median(), bwd.median(), both.median(), both.min(),
                bench::peak_rss_mb());
    return 0;
}

// bench/sgemm_ceiling.hpp: one JSON line, the step's ceiling in median_ms (Σ count × median of
// each product; min_ms from the fastest calls) and each product's share.
int sgemm_ceiling(const bench::Args& a)
{
    bench::SgemmCeiling c(a.w);
    const auto products = c.time_products();
    double med = 0, fastest = 0;
    std::string parts;
    for (const auto& p : products) {
        med += p.count * p.ms;
        fastest += p.count * p.min_ms;
        char buf[160];
        std::snprintf(buf, sizeof buf, "%s{\"product\": \"%s\", \"count\": %d, \"ms\": %.6f}",
                      parts.empty() ? "" : ", ", p.name, p.count, p.ms);
        parts += buf;
    }
    std::printf("{\"framework\": \"sgemm_ceiling\", \"cell\": \"simple\", \"workload\": \"%s\", "
                "\"B\": %d, \"T\": %d, \"F\": %d, \"H\": %d, \"mode\": \"%s\", \"threads\": %d, "
                "\"steps\": 1, \"median_ms\": %.6f, \"min_ms\": %.6f, \"max_ms\": %.6f, "
                "\"peak_rss_mb\": %.2f, \"blas\": \"%s\", \"products\": [%s]}\n",
                a.w.name.c_str(), a.w.B, a.w.T, a.w.F, a.w.H, a.w.infer ? "infer" : "train",
                a.threads, med, fastest, med, bench::peak_rss_mb(),
                elman::blas_description().c_str(), parts.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    try {
        const bench::Args a = bench::parse_args(argc, argv);
        if (has_flag(a, "--blas")) {
            std::printf("%s\n", elman::blas_description().c_str());
            return 0;
        }
        openblas_set_num_threads(a.threads);
        if (has_flag(a, "--ftz")) {
            // denormal results and inputs become 0: long float32 BPTT can otherwise spend
            // most of a step on denormal arithmetic (docs/performance.md, masks and dropout)
            _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
            _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
        }
        if (has_flag(a, "--tape-micro")) return tape_micro(a);
        if (has_flag(a, "--ceiling")) return sgemm_ceiling(a);
        const bool fused = !has_flag(a, "--composed");
        const bool masked = has_flag(a, "--masked"), dropout = has_flag(a, "--dropout");
        const bench::Batch batch = bench::make_batch(a.w);
        bench::ElmanModel m(a.w, batch, fused, 7, masked, dropout, a.cell);
        float loss = 0.f;
        bench::Timing t;
        if (a.w.infer)
            t = bench::time_steps(a, [&] { loss = m.infer(); });
        else
            t = bench::time_steps(a, [&] { loss = m.train_step(); });
        const std::string name = std::string(fused ? "elman_fused" : "elman_composed") +
                                 (masked ? "_masked" : "") + (dropout ? "_dropout" : "") +
                                 (has_flag(a, "--ftz") ? "_ftz" : "");
        bench::print_json(name, a, t, loss);
        return 0;
    }
    catch (const std::exception& e) {
        std::fprintf(stderr, "elman_bench: %s\n", e.what());
        return 2;
    }
}
