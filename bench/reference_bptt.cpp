// The framework-free reference (bench/reference_rnn.hpp) as a benchmark program, and its
// agreement check against elman.
//
//   reference_bptt --workload W1 --threads 1     time training steps (or --infer: forward only)
//   reference_bptt --workload W1 --libm-tanh     the same with std::tanh (glibc) for tanh
//   reference_bptt --check                       compare with elman, exit 1 on disagreement
//
// The default tanh is fast_tanh (a rational approximation, a few ulp from std::tanh): the
// reference is meant to be what hand-written C++ can reach. --libm-tanh does the same
// arithmetic as elman's kernel, so elman against it is framework overhead alone.
//
// The check builds elman's model (Sequential{SimpleRNN(H), Dense(1)}, both the fused and the
// composed SimpleRNN), copies its weights into the reference, and on the same batch compares
// the loss and all five gradients (relative error max|a − b| / max|b| per tensor, < 1e-4);
// then it takes 3 Adam steps with both and compares the losses at each step (which checks the
// update too: a wrong Adam changes the next loss).
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "bench/bench_common.hpp"
#include "bench/elman_model.hpp"
#include "bench/reference_rnn.hpp"

namespace {

using bench::Workload;

double rel_err(const float* a, const float* b, std::size_t n)
{
    double diff = 0, scale = 0;
    for (std::size_t i = 0; i < n; ++i) {
        diff = std::max(diff, std::abs(static_cast<double>(a[i]) - b[i]));
        scale = std::max(scale, std::abs(static_cast<double>(b[i])));
    }
    return scale > 0 ? diff / scale : diff;
}

void copy_weights(bench::ElmanModel& e, bench::ReferenceRnn& r)
{
    const auto& rnn = *e.rnn;
    const auto& dense = *e.dense;
    std::copy(rnn.kernel.value.begin(), rnn.kernel.value.end(), r.Wx());
    std::copy(rnn.recurrent_kernel.value.begin(), rnn.recurrent_kernel.value.end(), r.Wh());
    std::copy(rnn.bias.value.begin(), rnn.bias.value.end(), r.b());
    std::copy(dense.kernel.value.begin(), dense.kernel.value.end(), r.Wd());
    std::copy(dense.bias.value.begin(), dense.bias.value.end(), r.bd());
}

// Returns the number of failed comparisons for one shape, against the reference with
// fast_tanh (libm = false) or std::tanh.
int check_shape(const Workload& w, bool libm)
{
    constexpr double tol = 1e-4;
    int failures = 0;
    auto report = [&](const std::string& what, double err) {
        const bool ok = err < tol;
        if (!ok) ++failures;
        std::printf("  %-13s %-5s %-34s rel err %.3e  %s\n", w.name.c_str(),
                    libm ? "libm" : "fast", what.c_str(), err,
                    ok ? "ok" : "FAIL");
    };
    const bench::Batch batch = bench::make_batch(w);
    for (bool fused : {true, false}) {
        if (libm && !fused) continue;
        bench::ElmanModel e(w, batch, fused);
        bench::ReferenceRnn r(w.B, w.T, w.F, w.H);
        r.libm_tanh = libm;
        copy_weights(e, r);
        const std::string path = fused ? "fused" : "composed";
        const float le = e.loss_and_grad();
        const float lr = r.loss_and_grad(batch.x.data(), batch.y.data());
        report(path + " loss", rel_err(&le, &lr, 1));
        report(path + " d kernel", rel_err(e.rnn->kernel.grad.data(), r.gWx(), e.rnn->kernel.grad.size()));
        report(path + " d recurrent_kernel", rel_err(e.rnn->recurrent_kernel.grad.data(), r.gWh(),
                                                     e.rnn->recurrent_kernel.grad.size()));
        report(path + " d bias", rel_err(e.rnn->bias.grad.data(), r.gb(), e.rnn->bias.grad.size()));
        report(path + " d dense/kernel", rel_err(e.dense->kernel.grad.data(), r.gWd(),
                                                 e.dense->kernel.grad.size()));
        report(path + " d dense/bias", rel_err(e.dense->bias.grad.data(), r.gbd(), 1));
        if (!fused) continue;
        // Adam: the gradients above are in both; step, then compare the next losses.
        e.opt->step();
        r.adam_step();
        double worst = 0;
        for (int s = 0; s < 3; ++s) {
            const float a = e.train_step();
            const float b = r.train_step(batch.x.data(), batch.y.data());
            worst = std::max(worst, rel_err(&a, &b, 1));
        }
        report(path + " loss after 1-3 Adam steps", worst);
    }
    return failures;
}

int run_check()
{
    std::vector<Workload> shapes = {bench::workload_by_name("W1"), bench::workload_by_name("W2"),
                                    bench::workload_by_name("W3"), bench::workload_by_name("W4"),
                                    {"B8_T10_F8_H16", 8, 10, 8, 16, false}};
    int failures = 0;
    // fast_tanh against std::tanh on a fine grid over [−10, 10].
    double worst_abs = 0, worst_rel = 0;
    for (int i = -200000; i <= 200000; ++i) {
        const float x = static_cast<float>(i) * 5e-5f;
        const double exact = std::tanh(static_cast<double>(x));
        const double err = std::abs(bench::fast_tanh(x) - exact);
        worst_abs = std::max(worst_abs, err);
        if (exact != 0) worst_rel = std::max(worst_rel, err / std::abs(exact));
    }
    std::printf("fast_tanh vs tanh on [-10, 10]: max abs err %.2e, max rel err %.2e  %s\n",
                worst_abs, worst_rel, worst_rel < 1e-5 ? "ok" : "FAIL");
    if (worst_rel >= 1e-5) ++failures;
    std::printf("reference vs elman (tolerance 1e-4 relative):\n");
    for (const auto& w : shapes)
        for (bool libm : {false, true}) failures += check_shape(w, libm);
    std::printf("check: %s (%d failed comparisons)\n", failures ? "FAILED" : "passed", failures);
    return failures ? 1 : 0;
}

int run_bench(const bench::Args& a, bool libm)
{
    const Workload& w = a.w;
    const bench::Batch batch = bench::make_batch(w);
    bench::ReferenceRnn r(w.B, w.T, w.F, w.H);
    r.libm_tanh = libm;
    {
        // Start from elman's initial weights (glorot_uniform, orthogonal, zeros; same seed as
        // elman_bench), so both follow the same trajectory and tanh sees the same arguments.
        // Only the initialisation uses elman; the timed step is the reference alone.
        bench::ElmanModel init(w, batch, true);
        copy_weights(init, r);
    }
    float loss = 0.f;
    bench::Timing t;
    if (w.infer)
        t = bench::time_steps(a, [&] { loss = r.forward(batch.x.data())[0]; });
    else
        t = bench::time_steps(a, [&] { loss = r.train_step(batch.x.data(), batch.y.data()); });
    bench::print_json(libm ? "reference_libm" : "reference", a, t, loss);
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    try {
        const bench::Args a = bench::parse_args(argc, argv);
        if (a.cell != "simple")
            throw std::runtime_error("the reference is a SimpleRNN: --cell " + a.cell +
                                     " has no reference (compare elman with the peers)");
        openblas_set_num_threads(a.threads);
        const bool libm =
            std::find(a.rest.begin(), a.rest.end(), std::string("--libm-tanh")) != a.rest.end();
        return a.check ? run_check() : run_bench(a, libm);
    }
    catch (const std::exception& e) {
        std::fprintf(stderr, "reference_bptt: %s\n", e.what());
        return 2;
    }
}
