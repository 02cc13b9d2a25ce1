// core/blas.hpp beyond gemm (which test_ops_matmul covers): what runs, and the thread scope that
// multi-threaded training relies on.
#include <catch2/catch.hpp>

#include <string>

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
