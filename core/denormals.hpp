// FlushDenormals: within its scope the CPU flushes denormal floating-point results to zero and
// reads denormal inputs as zero (x86's FTZ and DAZ bits of MXCSR, for the calling thread); the
// caller's setting comes back at the end of the scope. A no-op on other CPUs.
//
// Why: over a long sequence BPTT's gradients can shrink below float's smallest normal number
// (1.2e−38), and every operation on such a denormal takes the CPU's slow path, up to 100 times
// slower: a GRU's training step on W4's shape (T = 500) ran 7x slower for it. What is flushed
// is below 1.2e−38 in size, far below anything a gradient step can see. TensorFlow (Keras'
// backend) runs its CPU kernels with FTZ and DAZ on for the same reason; PyTorch leaves them off
// unless torch.set_flush_denormal(True).
#pragma once

#if defined(__x86_64__) || defined(__SSE__)
#include <xmmintrin.h>
#define ELMAN_HAS_MXCSR 1
#endif

namespace elman {

class FlushDenormals {
public:
#ifdef ELMAN_HAS_MXCSR
    FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | k_ftz | k_daz); }
    // the caller's control bits back; the exception flags raised meanwhile stay raised
    ~FlushDenormals() { _mm_setcsr((saved_ & ~k_flags) | (_mm_getcsr() & k_flags)); }
#else
    FlushDenormals() = default;
#endif
    FlushDenormals(const FlushDenormals&) = delete;
    FlushDenormals& operator=(const FlushDenormals&) = delete;

private:
#ifdef ELMAN_HAS_MXCSR
    static constexpr unsigned k_ftz = 0x8000;  // flush-to-zero
    static constexpr unsigned k_daz = 0x0040;  // denormals-are-zero
    static constexpr unsigned k_flags = 0x003f;  // sticky exception flags (IE DE ZE OE UE PE)
    unsigned saved_;
#endif
};

}  // namespace elman
