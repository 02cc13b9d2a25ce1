// c[n] = alpha · aᵀ·B + beta · c for one row a (core/row_gemv.hpp), written for the recurrent
// step of batch-1 inference: a = h_{t−1} [U], B = W_h [U,U] (or the gates' [U,3U], [U,4U]).
//
// Layout: the columns of c in blocks of W·16 (W vectors of 16 floats: one AVX-512 register
// each, two AVX2 ones): blocks of 64 (W = 4) while they fit, then one of 32, one of 16, then
// the last n mod 16 columns one by one. For a block, with S partial sums per column:
//
//   s_q[j] = Σ_{p ≡ q (mod S)} a_p · B[p, j]      q = 0..S−1
//   c[j]   = alpha · (s_0 + s_1 + … + s_{S−1}) + beta · c[j]     (left to right)
//
// S = 2 for the 64-column blocks, 4 for the others. Why: each s_q is a chain of dependent FMAs
// (4 cycles each), and the next step's product waits for this one, so the chains in flight
// (W·S = 8 vectors) are what keeps both FMA ports busy; with U = 64 the 64-column block took
// 60 ns against 80 with S = 1, and U = 32's 32-column block 23 ns against 31 in a 64-wide
// layout (dependent calls, one AVX-512 core). B's rows are read in order once per block and
// stay in L1 (W_h of U = 64 is 16 KiB).

#include "core/row_gemv.hpp"

#include "core/simd.hpp"

namespace elman {

namespace {

// 16 floats, GCC's vector extension: one zmm register, two ymm or four xmm, per clone. v16u is
// the same at any float's address (unaligned loads and stores, and it may alias float).
typedef float v16 __attribute__((vector_size(64)));
typedef float v16u __attribute__((vector_size(64), aligned(4), may_alias));
constexpr std::size_t lanes = 16;

#define ELMAN_LOAD16(p) (*reinterpret_cast<const v16u*>(p))

// c[0 .. 16·W) of one column block, from its S partial sums.
template <int W, int S>
[[gnu::always_inline]] inline void column_block(std::size_t k, float alpha, const float* a,
                                                std::size_t inc_a, const float* b,
                                                std::size_t ldb, float beta, float* c)
{
    v16 s[S][W] = {};
    std::size_t p = 0;
    for (; p + S <= k; p += S) {
#pragma GCC unroll 4
        for (int q = 0; q < S; ++q) {
            const float x = a[(p + q) * inc_a];
            const float* r = b + (p + q) * ldb;
#pragma GCC unroll 4
            for (int w = 0; w < W; ++w) s[q][w] += x * ELMAN_LOAD16(r + lanes * w);
        }
    }
    // the last k mod S rows go to s_0, s_1, ... in turn (p ≡ q mod S still holds)
#pragma GCC unroll 4
    for (int q = 0; q < S - 1; ++q) {
        if (p + q >= k) break;
        const float x = a[(p + q) * inc_a];
        const float* r = b + (p + q) * ldb;
#pragma GCC unroll 4
        for (int w = 0; w < W; ++w) s[q][w] += x * ELMAN_LOAD16(r + lanes * w);
    }
#pragma GCC unroll 4
    for (int w = 0; w < W; ++w) {
        v16 sum = s[0][w];
#pragma GCC unroll 4
        for (int q = 1; q < S; ++q) sum += s[q][w];
        v16 v = alpha * sum;
        if (beta != 0.0f) v += beta * ELMAN_LOAD16(c + lanes * w);
        *reinterpret_cast<v16u*>(c + lanes * w) = v;
    }
}

}  // namespace

ELMAN_CLONES_FMA void row_gemv(std::size_t k, std::size_t n, float alpha, const float* a,
                               std::size_t inc_a, const float* b, std::size_t ldb, float beta,
                               float* c)
{
    if (k == 0) {  // no rows: B may be a null pointer, so no arithmetic on it
        for (std::size_t j = 0; j < n; ++j) c[j] = beta != 0.0f ? beta * c[j] : 0.0f;
        return;
    }
    std::size_t j = 0;
    for (; j + 4 * lanes <= n; j += 4 * lanes)
        column_block<4, 2>(k, alpha, a, inc_a, b + j, ldb, beta, c + j);
    if (j + 2 * lanes <= n) {
        column_block<2, 4>(k, alpha, a, inc_a, b + j, ldb, beta, c + j);
        j += 2 * lanes;
    }
    if (j + lanes <= n) {
        column_block<1, 4>(k, alpha, a, inc_a, b + j, ldb, beta, c + j);
        j += lanes;
    }
    // the last n mod 16 columns, four partial sums each, in registers
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

#undef ELMAN_LOAD16

}  // namespace elman
