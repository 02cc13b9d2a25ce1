// Flush-to-zero (FTZ) and denormals-are-zero (DAZ) on the calling thread while in scope, the
// previous mode restored after (x86's MXCSR register; a no-op on other CPUs).
//
// Why: a value below the smallest normal number (1.2e-38 in float, 2.2e-308 in double) is
// "denormal", and most x86 cores take a slow microcode path, ~100x, for every operation that
// reads or makes one. BPTT makes them: a gradient that shrinks by a factor at every step (an
// LSTM's dL/dc through its forget gates, f < 1) reaches that range within a few hundred steps,
// and from then on the rest of the backward pass crawls (an LSTM over 500 steps ran 4x slower).
// With FTZ/DAZ such values become 0, which changes no result above 1e-38. TensorFlow, and so
// Keras, runs every kernel with the same flags (tensorflow/core/platform/denormal.h, set in its
// executor and thread pools); PyTorch leaves them off unless torch.set_flush_denormal(True).
#pragma once

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#define ELMAN_HAS_MXCSR 1
#endif

namespace elman {

class FlushDenormals {
public:
#ifdef ELMAN_HAS_MXCSR
    // bit 15 FTZ (results), bit 6 DAZ (inputs)
    FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040u); }
    ~FlushDenormals() { _mm_setcsr(saved_); }
#else
    FlushDenormals() = default;
#endif
    FlushDenormals(const FlushDenormals&) = delete;
    FlushDenormals& operator=(const FlushDenormals&) = delete;

private:
#ifdef ELMAN_HAS_MXCSR
    unsigned int saved_;
#endif
};

}  // namespace elman
