// BPTT over 5,000 steps: no recursion that grows with T (it runs on a thread with a 1 MB
// stack), the fused and composed paths agree, and memory grows linearly with T
// (figures in docs/long_sequences.md).
#include <catch2/catch.hpp>

#include <pthread.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>

#include "core/init.hpp"
#include "core/ops.hpp"
#include "layers/simple_rnn.hpp"
#include "tests/peak_memory.hpp"

using namespace elman;

namespace {

// One training step's worth of work: forward over x:[B,T,F], loss = Σ h_T, backward.
template <class T>
struct Bptt {
    Tensor<T> dx;                  // dL/dx, [B,T,F]
    std::vector<Tensor<T>> dw;     // kernel, recurrent_kernel, bias
};

template <class T>
Bptt<T> bptt(const Tensor<T>& x, std::size_t units, bool fused)
{
    SimpleRNN<T> rnn({.units = units, .seed = 5, .fused = fused});
    rnn.build({x.shape()[1], x.shape()[2]});
    Bptt<T> r;
    {
        Tape<T> tape;
        const Var<T> xv = tape.variable(x);
        tape.backward(sum(rnn.forward(tape, xv)));
        r.dx = xv.grad();
    }
    for (Parameter<T>* p : rnn.parameters()) r.dw.push_back(p->grad);
    return r;
}

// Runs f on a fresh thread with a stack of `bytes`; rethrows what f threw.
void on_small_stack(std::size_t bytes, const std::function<void()>& f)
{
    struct Job {
        const std::function<void()>* f;
        std::exception_ptr error;
    } job{&f, nullptr};
    pthread_attr_t attr;
    REQUIRE(pthread_attr_init(&attr) == 0);
    REQUIRE(pthread_attr_setstacksize(&attr, bytes) == 0);
    pthread_t thread;
    const auto run = [](void* p) -> void* {
        auto* j = static_cast<Job*>(p);
        try {
            (*j->f)();
        } catch (...) {
            j->error = std::current_exception();
        }
        return nullptr;
    };
    REQUIRE(pthread_create(&thread, &attr, run, &job) == 0);
    pthread_join(thread, nullptr);
    pthread_attr_destroy(&attr);
    if (job.error) std::rethrow_exception(job.error);
}

template <class T>
bool all_finite(const Tensor<T>& t)
{
    return std::all_of(t.begin(), t.end(), [](T v) { return std::isfinite(v); });
}

template <class T>
double max_abs_diff(const Tensor<T>& a, const Tensor<T>& b)
{
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(double(a.data()[i]) - double(b.data()[i])));
    return m;
}

}  // namespace

TEST_CASE("simple_rnn: BPTT over 5000 steps runs on a 1 MB stack, fused and composed agree", "[rnn][long]")
{
    const std::size_t steps = 5000;
    const Tensor<double> x = normal<double>({2, steps, 1}, 0.0, 1.0, 21);
    Bptt<double> fused, composed;
    on_small_stack(1 << 20, [&] {
        fused = bptt(x, 8, true);
        composed = bptt(x, 8, false);
    });
    REQUIRE(fused.dx.shape() == x.shape());
    REQUIRE(all_finite(fused.dx));
    // The last input step's gradient is non-zero: the backward sweep ran.
    REQUIRE(std::abs(fused.dx(0, steps - 1, 0)) > 0.0);
    REQUIRE(max_abs_diff(fused.dx, composed.dx) < 1e-10);
    REQUIRE(fused.dw.size() == 3);
    for (std::size_t k = 0; k < fused.dw.size(); ++k) {
        REQUIRE(all_finite(fused.dw[k]));
        REQUIRE(max_abs_diff(fused.dw[k], composed.dw[k]) < 1e-8);
    }
}

namespace {

// Peak RSS growth of one bptt() at T = 1000, 2000, 5000; checks that the line through the
// first two predicts the third within 15 % (plus 2 MB of allocator noise).
void require_linear_memory(std::size_t batch, std::size_t units, bool fused)
{
    const std::size_t steps[3] = {1000, 2000, 5000};
    double growth[3];
    for (int i = 0; i < 3; ++i) {
        const auto g = test::peak_rss_growth([&] {
            const Tensor<float> x = normal<float>({batch, steps[i], 1}, 0.f, 1.f, 22);
            bptt(x, units, fused);
        });
        REQUIRE(g.has_value());
        growth[i] = static_cast<double>(*g);
    }
    const double per_step = (growth[1] - growth[0]) / 1000.0;
    const double predicted = growth[1] + 3000.0 * per_step;
    const char* path = fused ? "fused" : "composed";
    INFO(path << ", batch " << batch << ", units " << units << ": peak RSS growth " << growth[0] / 1e6 << " / "
              << growth[1] / 1e6 << " / " << growth[2] / 1e6 << " MB at T = 1000 / 2000 / 5000");
    std::printf("%-8s B=%zu U=%zu: T=1000 %.1f MB, T=2000 %.1f MB, T=5000 %.1f MB (%.1f kB/step; the line "
                "through T=1000, 2000 predicts %.1f MB at 5000)\n",
                path, batch, units, growth[0] / 1e6, growth[1] / 1e6, growth[2] / 1e6, per_step / 1e3,
                predicted / 1e6);
    REQUIRE(per_step > 0.0);
    REQUIRE(std::abs(growth[2] - predicted) < 0.15 * growth[2] + 2e6);
}

}  // namespace

TEST_CASE("simple_rnn: BPTT memory is linear in T (1000, 2000, 5000 steps)", "[rnn][long][memory]")
{
    // Small enough to run in the suite: per step the fused path keeps h_t [B,U], the composed
    // path every primitive's value and gradient.
    require_linear_memory(16, 32, true);
    require_linear_memory(16, 32, false);
}

TEST_CASE("simple_rnn: BPTT memory at batch 32, 32 units (figures for docs/long_sequences.md)", "[.][rnn][long][memory]")
{
    require_linear_memory(32, 32, true);
    require_linear_memory(32, 32, false);
}
