// The fused SimpleRNN on two threads (core/parallel.hpp, layers/simple_rnn_fused.cpp): the rows
// of the batch split between threads must give what one thread gives, for the forward value and
// every gradient, with masks, recurrent dropout, go_backwards and an initial state. The bits
// agree with OpenBLAS's AVX-512 (Cooperlake) kernels; its Haswell and Prescott kernels round a
// [32,U]·[U,U] product differently from the same rows inside a [64,U] one, so up to 1.1e-5
// apart in this test's gradients (measured): the check is 1e-4, far below any row mix-up.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "check.hpp"
#include "core/blas.hpp"
#include "core/parallel.hpp"
#include "layers/simple_rnn.hpp"

using namespace elman;
using elman::test::randn;

namespace {

struct Pass {
    std::vector<Tensor<float>> tensors;  // output, state, dx, dh0, then each parameter's grad
};

struct Config {
    bool return_sequences, go_backwards, masked, dropout;
};

// One training call of a fresh layer (same seed, so the same weights and dropout masks) with
// BLAS, and so elman's kernels, limited to `threads`.
Pass run(int threads, const Config& c, std::size_t nb, std::size_t nt, std::size_t nf,
         std::size_t nu)
{
    const BlasThreadsScope scope(threads);
    SimpleRNN<float> l({.units = nu, .return_sequences = c.return_sequences,
                        .go_backwards = c.go_backwards, .bias_initializer = "random_normal",
                        .seed = 9, .recurrent_dropout = c.dropout ? 0.25 : 0.0, .fused = true});
    Tape<float> tape;
    const Var<float> x = tape.variable(Tensor<float>(randn({nb, nt, nf}, 1)));
    const Var<float> h0 = tape.variable(Tensor<float>(randn({nb, nu}, 2)));
    Mask m = Mask::from_shape({nb, nt});
    for (std::size_t b = 0; b < nb; ++b)  // row b has (b mod nt) + 1 real steps, right-padded
        for (std::size_t t = 0; t < nt; ++t) m(b, t) = !c.masked || t <= b % nt;
    const auto r = l.call(tape, x, &h0, &m, true);
    const Var<float> loss = sum(r.output * tape.constant(Tensor<float>(randn(r.output.shape(), 3)))) +
                            sum(r.state * tape.constant(Tensor<float>(randn(r.state.shape(), 4))));
    tape.backward(loss);
    Pass p{{r.output.value(), r.state.value(), x.grad(), h0.grad()}};
    for (auto* w : l.parameters()) p.tensors.push_back(w->grad);
    return p;
}

// The largest |a − b| / max(|b|, 1) over the elements (shapes must match): relative for large
// values, absolute for those below 1 (tanh states), where float rounding is absolute.
double max_rel_diff(const Tensor<float>& a, const Tensor<float>& b)
{
    REQUIRE(a.shape() == b.shape());
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double d = std::abs(double(a.data()[i]) - double(b.data()[i]));
        worst = std::max(worst, d / std::max(std::abs(double(b.data()[i])), 1.0));
    }
    return worst;
}

}  // namespace

TEST_CASE("threads: part_rows cuts rows into contiguous blocks differing by at most one", "[threads]")
{
    for (std::size_t n : {0u, 1u, 7u, 64u, 129u})
        for (int parts : {1, 2, 3}) {
            std::size_t next = 0, smallest = n, largest = 0;
            for (int p = 0; p < parts; ++p) {
                const auto [b0, b1] = part_rows(n, p, parts);
                REQUIRE(b0 == next);
                next = b1;
                smallest = std::min(smallest, b1 - b0);
                largest = std::max(largest, b1 - b0);
            }
            REQUIRE(next == n);
            REQUIRE(largest - smallest <= 1);
        }
    REQUIRE_THROWS_WITH(part_rows(4, 2, 2), Catch::Contains("part 2 of 2"));
    REQUIRE_THROWS_WITH(part_rows(4, 0, 0), Catch::Contains("0 parts"));
}

TEST_CASE("threads: run_parts runs every part once and rethrows a part's exception", "[threads]")
{
    const BlasThreadsScope scope(2);
    std::vector<int> seen(5, 0);
    run_parts(5, [&](int p) { ++seen[static_cast<std::size_t>(p)]; });
    REQUIRE(seen == std::vector<int>(5, 1));
    REQUIRE_THROWS_WITH(run_parts(2,
                                  [](int p) {
                                      if (p == 1) throw Error("part one failed");
                                  }),
                        Catch::Contains("part one failed"));
    // BLAS's thread count is back after the parts
    REQUIRE(blas_threads() == 2);
}

TEST_CASE("threads: the fused SimpleRNN gives on two threads what it gives on one", "[threads][rnn]")
{
    // B = 64, U = 128: each half's per-step product [32,128]·[128,128] is large enough to split
    // (layers/simple_rnn_fused.cpp, recurrence_parts); B = 65 gives unequal halves.
    const std::vector<Config> configs{{false, false, false, false}, {true, false, true, false},
                                      {true, true, false, true}, {false, true, true, true}};
    for (std::size_t nb : {64u, 65u})
        for (const Config& c : configs) {
            INFO("B " << nb << ", return_sequences " << c.return_sequences << ", go_backwards "
                      << c.go_backwards << ", masked " << c.masked << ", recurrent_dropout "
                      << c.dropout);
            const Pass one = run(1, c, nb, 6, 3, 128), two = run(2, c, nb, 6, 3, 128);
            REQUIRE(one.tensors.size() == two.tensors.size());
            for (std::size_t i = 0; i < one.tensors.size(); ++i) {
                INFO("tensor " << i << " (output, state, dx, dh0, kernel, recurrent_kernel, bias)");
                const double d = max_rel_diff(two.tensors[i], one.tensors[i]);
                INFO("max rel diff " << d);
                REQUIRE(d <= 1e-4);
            }
        }
}
