// core/blas.hpp beyond gemm (which test_ops_matmul covers): what runs, the thread scope that
// multi-threaded training relies on, the one-row kernel gemm hands float products to, and the
// cache-line alignment of the storage they read.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <new>
#include <string>
#include <vector>

#include "core/aligned_allocator.hpp"
#include "core/blas.hpp"
#include "core/row_gemv.hpp"
#include "core/tensor.hpp"

using namespace elman;

TEST_CASE("blas: the description names OpenBLAS and its kernels", "[blas]")
{
    const std::string d = blas_description();
    INFO(d);
    // elman links Debian's OpenBLAS (tools/setup.sh); another BLAS would say so instead.
    REQUIRE(d.rfind("OpenBLAS, ", 0) == 0);
    REQUIRE(d.size() > std::string("OpenBLAS,  kernels").size());
}

TEST_CASE("blas: BlasThreadsScope sets the thread count and restores it, nested", "[blas]")
{
    const int before = blas_threads();
    {
        BlasThreadsScope two(2);
        REQUIRE(blas_threads() == 2);
        {
            BlasThreadsScope one(1);
            REQUIRE(blas_threads() == 1);
        }
        REQUIRE(blas_threads() == 2);
    }
    REQUIRE(blas_threads() == before);
}

TEST_CASE("blas: BlasThreadsScope rejects a thread count below 1 and changes nothing", "[blas]")
{
    const int before = blas_threads();
    REQUIRE_THROWS_WITH(BlasThreadsScope(0), "BlasThreadsScope: threads must be at least 1, got 0");
    REQUIRE_THROWS_WITH(BlasThreadsScope(-3), "BlasThreadsScope: threads must be at least 1, got -3");
    REQUIRE(blas_threads() == before);
}

TEST_CASE("blas: gemm on blocks of larger buffers (leading dimensions) equals the plain product",
          "[blas]")
{
    // A, B and C each sit in a wider buffer (as one gate's columns of a [·,3U] buffer do),
    // offset by one column; the padding around them must stay untouched.
    for (bool ta : {false, true})
        for (bool tb : {false, true})
            for (std::size_t m : {1u, 4u}) {
                const std::size_t n = 3, k = 5, pad = 2;
                INFO("trans_a " << ta << " trans_b " << tb << " m " << m);
                const std::size_t a_rows = ta ? k : m, a_cols = ta ? m : k;
                const std::size_t b_rows = tb ? n : k, b_cols = tb ? k : n;
                const std::size_t lda = a_cols + pad, ldb = b_cols + pad, ldc = n + pad;
                std::vector<double> a(a_rows * lda), b(b_rows * ldb), c(m * ldc);
                for (std::size_t i = 0; i < a.size(); ++i) a[i] = std::sin(1.0 + i);
                for (std::size_t i = 0; i < b.size(); ++i) b[i] = std::cos(2.0 + i);
                for (std::size_t i = 0; i < c.size(); ++i) c[i] = 0.5 * i;
                const std::vector<double> c0 = c;
                const auto at = [&](std::size_t i, std::size_t p) {  // op(A)[i,p]
                    return ta ? a[p * lda + 1 + i] : a[i * lda + 1 + p];
                };
                const auto bt = [&](std::size_t p, std::size_t j) {  // op(B)[p,j]
                    return tb ? b[j * ldb + 1 + p] : b[p * ldb + 1 + j];
                };
                elman::gemm<double>(ta, tb, m, n, k, 2.0, a.data() + 1, lda, b.data() + 1, ldb,
                                    0.5, c.data() + 1, ldc);
                for (std::size_t i = 0; i < m; ++i)
                    for (std::size_t j = 0; j < ldc; ++j) {
                        const double old = c0[i * ldc + j];
                        if (j < 1 || j > n) {
                            REQUIRE(c[i * ldc + j] == old);
                            continue;
                        }
                        double want = 0.5 * old;
                        for (std::size_t p = 0; p < k; ++p) want += 2.0 * at(i, p) * bt(p, j - 1);
                        REQUIRE(c[i * ldc + j] == Approx(want).epsilon(1e-13));
                    }
            }
    std::vector<double> x(8);
    REQUIRE_THROWS_WITH(elman::gemm<double>(false, false, 2, 2, 2, 1.0, x.data(), 1, x.data(), 2,
                                            0.0, x.data(), 2),
                        Catch::Contains("lda 1"));
}

namespace {

// c = alpha·aᵀ·B + beta·c in double, and the bound on float's error: a few roundings per term
// of Σ|a_p·B[p,j]| (the kernel's partial sums have at most k/2 + 3 additions in a chain).
struct RowProduct {
    std::vector<double> want, bound;
};

RowProduct row_product(std::size_t k, std::size_t n, float alpha, const std::vector<float>& a,
                       std::size_t inc_a, const std::vector<float>& b, std::size_t ldb,
                       float beta, const std::vector<float>& c)
{
    RowProduct r{std::vector<double>(n), std::vector<double>(n)};
    for (std::size_t j = 0; j < n; ++j) {
        double s = 0, abs_sum = 0;
        for (std::size_t p = 0; p < k; ++p) {
            s += double(a[p * inc_a]) * b[p * ldb + j];
            abs_sum += std::abs(double(a[p * inc_a]) * b[p * ldb + j]);
        }
        const double old = beta != 0.0f ? beta * double(c[j]) : 0.0;  // c may be NaN then
        r.want[j] = alpha * s + old;
        r.bound[j] = (double(k) + 4) * 6e-8 * (std::abs(alpha) * abs_sum + std::abs(old)) + 1e-30;
    }
    return r;
}

}  // namespace

TEST_CASE("blas: every path of the one-row kernel matches the exact product for every column "
          "and row tail", "[blas]")
{
    // n crosses the blocks of 4, 2 and 1 vectors (16, 8 or 4 floats each, by path), AVX-512's
    // one-block rows of 80–256 columns with two partial sums and one, and the one-by-one tail;
    // k the rows left over after the partial sums' groups of 2 and 4; a strided a (a transposed
    // column) and a row stride longer than n; beta = 0 must not read c, which holds NaN then.
    // Every path this CPU runs (an AVX-512 machine runs all three).
    const float nan = std::nanf("");
    std::size_t paths_run = 0;
    for (RowGemvPath path : {RowGemvPath::avx512, RowGemvPath::avx2, RowGemvPath::sse2}) {
        if (!row_gemv_supported(path)) {
            REQUIRE_THROWS_WITH(row_gemv_on(path, 1, 1, 1.0f, &nan, 1, &nan, 1, 0.0f, nullptr),
                                Catch::Contains("cannot run the"));
            continue;
        }
        ++paths_run;
        INFO("path " << row_gemv_path_name(path));
        for (std::size_t k : {0u, 1u, 2u, 3u, 5u, 8u, 33u, 64u})
            for (std::size_t n : {1u, 5u, 16u, 17u, 31u, 32u, 48u, 63u, 64u, 65u, 100u, 130u,
                                  200u, 208u, 250u, 256u, 300u})
                for (std::size_t inc_a : {1u, 3u})
                    for (float beta : {0.0f, 1.0f, -0.25f}) {
                        const float alpha = inc_a == 1 ? 1.0f : -0.5f;
                        const std::size_t ldb = n + (inc_a == 1 ? 0 : 3);
                        INFO("k " << k << " n " << n << " inc_a " << inc_a << " beta " << beta);
                        std::vector<float> a(std::max<std::size_t>(1, k * inc_a)), b(k * ldb);
                        std::vector<float> c(n + 1);
                        for (std::size_t i = 0; i < a.size(); ++i)
                            a[i] = float(std::sin(0.7 * i + 0.1));
                        for (std::size_t i = 0; i < b.size(); ++i)
                            b[i] = float(std::cos(1.3 * i));
                        for (std::size_t j = 0; j < n; ++j)
                            c[j] = beta == 0.0f ? nan : float(0.1 * j);
                        c[n] = 42.0f;  // past the end: untouched
                        const RowProduct r = row_product(k, n, alpha, a, inc_a, b, ldb, beta, c);
                        row_gemv_on(path, k, n, alpha, a.data(), inc_a, b.data(), ldb, beta,
                                    c.data());
                        for (std::size_t j = 0; j < n; ++j) {
                            INFO("column " << j);
                            REQUIRE(std::abs(c[j] - r.want[j]) <= r.bound[j]);
                        }
                        REQUIRE(c[n] == 42.0f);
                    }
    }
    // the path row_gemv takes is the widest this CPU runs, and SSE2 always runs
    REQUIRE(row_gemv_supported(row_gemv_path()));
    REQUIRE(row_gemv_supported(RowGemvPath::sse2));
    REQUIRE(paths_run == 3 - static_cast<std::size_t>(row_gemv_path()));
}

TEST_CASE("blas: gemm gives float one-row products to the kernel, larger ones and double to BLAS",
          "[blas]")
{
    // Both routes give the product to float accuracy; the kernel's route gives exactly what
    // row_gemv gives (gemm adds nothing around it), and double is unchanged by it.
    for (std::size_t n : {64u, 1040u}) {  // k·n = 4096 (kernel) and 66560 (BLAS on any path)
        const std::size_t k = 64;
        std::vector<float> a(k), b(k * n), c(n, 0.5f), c_kernel(n, 0.5f);
        for (std::size_t i = 0; i < k; ++i) a[i] = float(std::sin(0.3 * i));
        for (std::size_t i = 0; i < b.size(); ++i) b[i] = float(std::cos(0.11 * i));
        const RowProduct r = row_product(k, n, 1.0f, a, 1, b, n, 1.0f, c);
        elman::gemm<float>(false, false, 1, n, k, 1.0f, a.data(), b.data(), 1.0f, c.data());
        row_gemv(k, n, 1.0f, a.data(), 1, b.data(), n, 1.0f, c_kernel.data());
        std::size_t same = 0;
        for (std::size_t j = 0; j < n; ++j) {
            REQUIRE(std::abs(c[j] - r.want[j]) <= r.bound[j]);
            same += c[j] == c_kernel[j];
        }
        INFO("n " << n);
        if (n == 64) REQUIRE(same == n);
    }
    std::vector<double> a(3, 1.0), b(3 * 2, 2.0), c(2, 1.0);
    elman::gemm<double>(false, false, 1, 2, 3, 1.0, a.data(), b.data(), 1.0, c.data());
    REQUIRE(c == std::vector<double>{7.0, 7.0});
}

TEST_CASE("blas: the one-call step tanh(a·B + c) matches tanh of the exact product on every path",
          "[blas]")
{
    // Pre-activations from tiny (tanh(x) = x) through the curve to saturated (±1), n across
    // the kernel's blocks and tails; tanh_rational is within a few ulp, so 1e-6 plus the
    // product's rounding bound times tanh's slope.
    std::size_t paths_run = 0;
    for (RowGemvPath path : {RowGemvPath::avx512, RowGemvPath::avx2, RowGemvPath::sse2}) {
        if (!row_gemv_supported(path)) {
            float x = 0;
            REQUIRE_THROWS_WITH(row_gemv_tanh_on(path, 1, 1, &x, &x, &x), Catch::Contains("cannot run the"));
            continue;
        }
        ++paths_run;
        INFO("path " << row_gemv_path_name(path));
        for (std::size_t k : {1u, 3u, 32u, 64u})
            for (std::size_t n : {1u, 17u, 32u, 64u, 100u, 128u, 256u})
                for (double scale : {1e-6, 0.05, 1.0, 30.0}) {
                    INFO("k " << k << " n " << n << " scale " << scale);
                    std::vector<float> a(k), b(k * n), c(n + 1);
                    for (std::size_t i = 0; i < k; ++i) a[i] = float(scale * std::sin(0.7 * i + 0.1));
                    for (std::size_t i = 0; i < b.size(); ++i) b[i] = float(std::cos(1.3 * i) / std::sqrt(double(k)));
                    for (std::size_t j = 0; j < n; ++j) c[j] = float(scale * 0.1 * std::cos(0.5 * j));
                    c[n] = 42.0f;  // past the end: untouched
                    const RowProduct r = row_product(k, n, 1.0f, a, 1, b, n, 1.0f, c);
                    row_gemv_tanh_on(path, k, n, a.data(), b.data(), c.data());
                    for (std::size_t j = 0; j < n; ++j) {
                        const double t = std::tanh(r.want[j]);
                        INFO("column " << j << " pre-activation " << r.want[j]);
                        REQUIRE(std::abs(c[j] - t) <= 1e-6 * std::max(1e-3, std::abs(t)) + (1 - t * t) * r.bound[j]);
                    }
                    REQUIRE(c[n] == 42.0f);
                }
    }
    REQUIRE(paths_run == 3 - static_cast<std::size_t>(row_gemv_path()));
}

TEST_CASE("blas: gemm_row_tanh runs the one-call step exactly where gemm takes the kernel",
          "[blas]")
{
    for (std::size_t n : {64u, 1040u}) {  // k·n = 4096 (kernel) and 66560 (BLAS on any path)
        const std::size_t k = 64;
        std::vector<float> a(k), b(k * n), c(n, 0.5f), c_kernel(n, 0.5f);
        for (std::size_t i = 0; i < k; ++i) a[i] = float(std::sin(0.3 * i));
        for (std::size_t i = 0; i < b.size(); ++i) b[i] = float(std::cos(0.11 * i) / 8);
        INFO("n " << n);
        const bool took = gemm_row_tanh(k, n, a.data(), b.data(), c.data());
        REQUIRE(took == (n == 64));
        if (took) {
            row_gemv_tanh(k, n, a.data(), b.data(), c_kernel.data());
            REQUIRE(c == c_kernel);
        } else {
            REQUIRE(c == std::vector<float>(n, 0.5f));  // untouched: the caller does it
        }
    }
}

TEST_CASE("aligned storage: tensors and kernel workspaces start on a 64-byte boundary",
          "[blas][aligned]")
{
    const auto on_line = [](const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 64 == 0; };
    // sizes whose malloc blocks are only 16-byte aligned, copies and expression results too
    for (std::size_t n : {1, 3, 17, 64, 4096, 100000}) {
        Tensor<float> t = Tensor<float>::from_shape({n});
        REQUIRE(on_line(t.data()));
        const Tensor<float> copy = t;
        REQUIRE(on_line(copy.data()));
        Tensor<double> d = xt::zeros<double>({n, std::size_t(3)});
        REQUIRE(on_line(d.data()));
        Tensor<float> sum = t + t;
        REQUIRE(on_line(sum.data()));
        AlignedVector<float> v(n);
        REQUIRE(on_line(v.data()));
        v.resize(3 * n + 1);
        REQUIRE(on_line(v.data()));
    }
    REQUIRE_THROWS_AS(AlignedAllocator<double>().allocate(std::numeric_limits<std::size_t>::max() / 4),
                      std::bad_array_new_length);
}
