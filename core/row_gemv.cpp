// c[n] = alpha · aᵀ·B + beta · c for one row a (core/row_gemv.hpp), written for the recurrent
// step of batch-1 inference: a = h_{t−1} [U], B = W_h [U,U] (or the gates' [U,3U], [U,4U]).
//
// Layout: with L floats per vector (16 with AVX-512, 8 with AVX2, 4 with SSE2), the columns of c
// in blocks of W·L (W vectors): blocks of 4L while they fit, then one of 2L, one of L, then the
// last n mod L columns one by one. For a block, with S partial sums per column:
//
//   s_q[j] = Σ_{p ≡ q (mod S)} a_p · B[p, j]      q = 0..S−1
//   c[j]   = alpha · (s_0 + s_1 + … + s_{S−1}) + beta · c[j]     (left to right)
//
// S = 2 for blocks of 4 vectors, 4 for the others. Why: each s_q is a chain of dependent FMAs
// (4 cycles each), and the next step's product waits for this one, so the chains in flight
// (W·S = 8 vectors in the wide blocks) are what keeps both FMA ports busy; with U = 64 on
// AVX-512 the 64-column block took 60 ns against 80 with S = 1, and U = 32's 32-column block
// 23 ns against 31 in a 64-wide layout (dependent calls, one core). B's rows are read in order
// once per block.
//
// AVX-512 (32 registers) makes a row of 80–256 columns one block instead (row_gemv_avx512).
//
// Each path is the same template compiled for its instruction set with its own vector width:
// GCC's vector extension lowers a vector wider than the target's registers through the stack
// (a 16-float vector in AVX2 code ran 40x slower), so the width must follow the target.

#include "core/row_gemv.hpp"

#include <string>

#include "core/error.hpp"
#include "core/tanh_rational.hpp"

namespace elman {

namespace {

// L floats in one register of the path's instruction set (GCC's vector extension); `unaligned`
// is the same at any float's address (unaligned loads and stores, and it may alias float).
template <int Bytes>
struct Vec {
    typedef float type __attribute__((vector_size(Bytes)));
    typedef float unaligned __attribute__((vector_size(Bytes), aligned(4), may_alias));
    static constexpr std::size_t lanes = Bytes / sizeof(float);
};

// c[0 .. L·W) of one column block, from its S partial sums.
template <class V, int W, int S>
[[gnu::always_inline]] inline void column_block(std::size_t k, float alpha, const float* a,
                                                std::size_t inc_a, const float* b,
                                                std::size_t ldb, float beta, float* c)
{
    using U = typename V::unaligned;
    constexpr std::size_t lanes = V::lanes;
    typename V::type s[S][W] = {};
    std::size_t p = 0;
    for (; p + S <= k; p += S) {
#pragma GCC unroll 4
        for (int q = 0; q < S; ++q) {
            const float x = a[(p + q) * inc_a];
            const float* r = b + (p + q) * ldb;
#pragma GCC unroll 16
            for (int w = 0; w < W; ++w) s[q][w] += x * *reinterpret_cast<const U*>(r + lanes * w);
        }
    }
    // the last k mod S rows go to s_0, s_1, ... in turn (p ≡ q mod S still holds)
#pragma GCC unroll 4
    for (int q = 0; q < S - 1; ++q) {
        if (p + q >= k) break;
        const float x = a[(p + q) * inc_a];
        const float* r = b + (p + q) * ldb;
#pragma GCC unroll 16
        for (int w = 0; w < W; ++w) s[q][w] += x * *reinterpret_cast<const U*>(r + lanes * w);
    }
#pragma GCC unroll 16
    for (int w = 0; w < W; ++w) {
        typename V::type sum = s[0][w];
#pragma GCC unroll 4
        for (int q = 1; q < S; ++q) sum += s[q][w];
        typename V::type v = alpha * sum;
        if (beta != 0.0f) v += beta * *reinterpret_cast<const U*>(c + lanes * w);
        *reinterpret_cast<U*>(c + lanes * w) = v;
    }
}

// The whole product with vectors V (see the top of the file).
template <class V>
[[gnu::always_inline]] inline void row_gemv_with(std::size_t k, std::size_t n, float alpha,
                                                 const float* a, std::size_t inc_a,
                                                 const float* b, std::size_t ldb, float beta,
                                                 float* c)
{
    constexpr std::size_t lanes = V::lanes;
    if (k == 0) {  // no rows: B may be a null pointer, so no arithmetic on it
        for (std::size_t j = 0; j < n; ++j) c[j] = beta != 0.0f ? beta * c[j] : 0.0f;
        return;
    }
    std::size_t j = 0;
    for (; j + 4 * lanes <= n; j += 4 * lanes)
        column_block<V, 4, 2>(k, alpha, a, inc_a, b + j, ldb, beta, c + j);
    if (j + 2 * lanes <= n) {
        column_block<V, 2, 4>(k, alpha, a, inc_a, b + j, ldb, beta, c + j);
        j += 2 * lanes;
    }
    if (j + lanes <= n) {
        column_block<V, 1, 4>(k, alpha, a, inc_a, b + j, ldb, beta, c + j);
        j += lanes;
    }
    // the last n mod L columns, four partial sums each, in registers
    for (; j < n; ++j) {
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
        const float* col = b + j;
        std::size_t p = 0;
        for (; p + 4 <= k; p += 4) {
            s0 += a[p * inc_a] * col[p * ldb];
            s1 += a[(p + 1) * inc_a] * col[(p + 1) * ldb];
            s2 += a[(p + 2) * inc_a] * col[(p + 2) * ldb];
            s3 += a[(p + 3) * inc_a] * col[(p + 3) * ldb];
        }
        if (p < k) s0 += a[p * inc_a] * col[p * ldb];
        if (p + 1 < k) s1 += a[(p + 1) * inc_a] * col[(p + 1) * ldb];
        if (p + 2 < k) s2 += a[(p + 2) * inc_a] * col[(p + 2) * ldb];
        float v = alpha * (((s0 + s1) + s2) + s3);
        if (beta != 0.0f) v += beta * c[j];
        c[j] = v;
    }
}

#define ELMAN_ROW_GEMV_ARGS                                                                   \
    std::size_t k, std::size_t n, float alpha, const float *a, std::size_t inc_a,             \
        const float *b, std::size_t ldb, float beta, float *c

#if defined(__x86_64__)
// AVX-512 has 32 registers: a row of up to 256 columns is one block (W = n/16 vectors, S = 2
// while 2W ≤ 24 registers, else 1), so B is read once, row after row. In blocks of 64 columns
// the rows' slices were read with a stride, and B of 64 KiB (U = 64's [64, 256]) took
// 0.6–1.6 µs per product against 0.44 µs in one block (dependent calls, one core).
[[gnu::target("avx512f,fma")]] void row_gemv_avx512(ELMAN_ROW_GEMV_ARGS)
{
    using V = Vec<64>;
    if (k == 0 || n > 256 || n < 80)
        return row_gemv_with<V>(k, n, alpha, a, inc_a, b, ldb, beta, c);
    const std::size_t whole = n / V::lanes * V::lanes;
    switch (n / V::lanes) {
    case 5: column_block<V, 5, 2>(k, alpha, a, inc_a, b, ldb, beta, c); break;
    case 6: column_block<V, 6, 2>(k, alpha, a, inc_a, b, ldb, beta, c); break;
    case 7: column_block<V, 7, 2>(k, alpha, a, inc_a, b, ldb, beta, c); break;
    case 8: column_block<V, 8, 2>(k, alpha, a, inc_a, b, ldb, beta, c); break;
    case 9: column_block<V, 9, 2>(k, alpha, a, inc_a, b, ldb, beta, c); break;
    case 10: column_block<V, 10, 2>(k, alpha, a, inc_a, b, ldb, beta, c); break;
    case 11: column_block<V, 11, 2>(k, alpha, a, inc_a, b, ldb, beta, c); break;
    case 12: column_block<V, 12, 2>(k, alpha, a, inc_a, b, ldb, beta, c); break;
    case 13: column_block<V, 13, 1>(k, alpha, a, inc_a, b, ldb, beta, c); break;
    case 14: column_block<V, 14, 1>(k, alpha, a, inc_a, b, ldb, beta, c); break;
    case 15: column_block<V, 15, 1>(k, alpha, a, inc_a, b, ldb, beta, c); break;
    default: column_block<V, 16, 1>(k, alpha, a, inc_a, b, ldb, beta, c); break;
    }
    // the last n mod 16 columns as the general layout does them
    if (whole < n)
        row_gemv_with<V>(k, n - whole, alpha, a, inc_a, b + whole, ldb, beta, c + whole);
}

[[gnu::target("avx2,fma")]] void row_gemv_avx2(ELMAN_ROW_GEMV_ARGS)
{
    row_gemv_with<Vec<32>>(k, n, alpha, a, inc_a, b, ldb, beta, c);
}
#endif

void row_gemv_sse2(ELMAN_ROW_GEMV_ARGS)
{
    row_gemv_with<Vec<16>>(k, n, alpha, a, inc_a, b, ldb, beta, c);
}

#undef ELMAN_ROW_GEMV_ARGS

// c = tanh(aᵀ·B + c), the SimpleRNN's batch-1 step h_s = tanh(a_s + h_{s−1}·W_h): the product
// as above (alpha = beta = 1, ldb = n), then tanh on the n values still in L1, in one function,
// so the step's chain has no call or dispatch between the two (docs/performance.md, "A fused
// batch-1 step, and the allocator without memalign"). This file is compiled with FMA
// contraction, so on the AVX-512 and AVX2 paths tanh's multiply-adds are fused: the last bits
// may differ from the layer's separate activation (which never fuses), as row_gemv's sums
// already differ from sgemv's.
[[gnu::always_inline]] inline void tanh_row(float* c, std::size_t n)
{
    std::size_t j = 0;
    for (; j + 16 <= n; j += 16)
        for (std::size_t i = 0; i < 16; ++i) c[j + i] = tanh_rational(c[j + i]);
    for (; j < n; ++j) c[j] = tanh_rational(c[j]);
}

#define ELMAN_ROW_TANH_ARGS std::size_t k, std::size_t n, const float *a, const float *b, float *c

#if defined(__x86_64__)
[[gnu::target("avx512f,fma")]] void row_gemv_tanh_avx512(ELMAN_ROW_TANH_ARGS)
{
    row_gemv_avx512(k, n, 1.0f, a, 1, b, n, 1.0f, c);
    tanh_row(c, n);
}

[[gnu::target("avx2,fma")]] void row_gemv_tanh_avx2(ELMAN_ROW_TANH_ARGS)
{
    row_gemv_avx2(k, n, 1.0f, a, 1, b, n, 1.0f, c);
    tanh_row(c, n);
}
#endif

void row_gemv_tanh_sse2(ELMAN_ROW_TANH_ARGS)
{
    row_gemv_sse2(k, n, 1.0f, a, 1, b, n, 1.0f, c);
    tanh_row(c, n);
}

#undef ELMAN_ROW_TANH_ARGS

using RowGemvFn = void (*)(std::size_t, std::size_t, float, const float*, std::size_t,
                           const float*, std::size_t, float, float*);
using RowTanhFn = void (*)(std::size_t, std::size_t, const float*, const float*, float*);

RowTanhFn tanh_function_of(RowGemvPath path)
{
#if defined(__x86_64__)
    if (path == RowGemvPath::avx512) return row_gemv_tanh_avx512;
    if (path == RowGemvPath::avx2) return row_gemv_tanh_avx2;
#endif
    (void)path;
    return row_gemv_tanh_sse2;
}

RowGemvFn function_of(RowGemvPath path)
{
#if defined(__x86_64__)
    if (path == RowGemvPath::avx512) return row_gemv_avx512;
    if (path == RowGemvPath::avx2) return row_gemv_avx2;
#endif
    (void)path;
    return row_gemv_sse2;
}

RowGemvPath best_path()
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma"))
        return RowGemvPath::avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return RowGemvPath::avx2;
#endif
    return RowGemvPath::sse2;
}

}  // namespace

const char* row_gemv_path_name(RowGemvPath path)
{
    switch (path) {
    case RowGemvPath::avx512: return "avx512";
    case RowGemvPath::avx2: return "avx2";
    case RowGemvPath::sse2: return "sse2";
    }
    return "?";
}

RowGemvPath row_gemv_path()
{
    static const RowGemvPath path = best_path();
    return path;
}

bool row_gemv_supported(RowGemvPath path)
{
    return static_cast<int>(path) >= static_cast<int>(row_gemv_path());
}

void row_gemv(std::size_t k, std::size_t n, float alpha, const float* a, std::size_t inc_a,
              const float* b, std::size_t ldb, float beta, float* c)
{
    static const RowGemvFn f = function_of(row_gemv_path());
    f(k, n, alpha, a, inc_a, b, ldb, beta, c);
}

namespace {

// The *_on functions' check: `fn` names the caller in the error.
void require_supported(RowGemvPath path, const char* fn)
{
    if (!row_gemv_supported(path))
        throw Error(std::string(fn) + ": this CPU cannot run the " + row_gemv_path_name(path) +
                    " path (it runs " + row_gemv_path_name(row_gemv_path()) + ")");
}

}  // namespace

void row_gemv_tanh(std::size_t k, std::size_t n, const float* a, const float* b, float* c)
{
    static const RowTanhFn f = tanh_function_of(row_gemv_path());
    f(k, n, a, b, c);
}

void row_gemv_tanh_on(RowGemvPath path, std::size_t k, std::size_t n, const float* a,
                      const float* b, float* c)
{
    require_supported(path, "row_gemv_tanh_on");
    tanh_function_of(path)(k, n, a, b, c);
}

void row_gemv_on(RowGemvPath path, std::size_t k, std::size_t n, float alpha, const float* a,
                 std::size_t inc_a, const float* b, std::size_t ldb, float beta, float* c)
{
    require_supported(path, "row_gemv_on");
    function_of(path)(k, n, alpha, a, inc_a, b, ldb, beta, c);
}

}  // namespace elman
