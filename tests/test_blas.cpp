// core/blas.hpp beyond gemm (which test_ops_matmul covers): what runs, and the thread scope that
// multi-threaded training relies on.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "core/blas.hpp"

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
