// Storage aligned to a cache line, for tensors and the kernels' workspaces.
//
// Why: a row of a weight matrix that starts on a 64-byte boundary is read by whole-cache-line
// vector loads; a 16-byte aligned one (what malloc gives) splits every 64-byte AVX-512 load
// across two lines. On the recurrent product of batch-1 inference (core/row_gemv.hpp, W_h of
// 64 × 64 floats in L1) the split loads took 94 ns per product against 52 ns aligned
// (docs/performance.md, "Aligned storage and a lighter tape").
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>
#include <vector>

namespace elman {

// A standard allocator whose blocks start on an `Align`-byte boundary. Stateless: any two
// compare equal. Throws std::bad_array_new_length when n·sizeof(T) overflows, std::bad_alloc
// when memory runs out.
//
// How: operator new of n·sizeof(T) + Align bytes, the block moved up to the next boundary and
// the shift kept in the byte before it. Why not C++17's aligned operator new: glibc serves it
// with memalign, which splits off and frees the unaligned head of every block; the composed
// SimpleRNN path (thousands of [16,32] tensors per sequence) then kept 32 kB of peak memory per
// step instead of 25 (tests/test_long_sequences.cpp, "BPTT memory is linear in T"), and its
// growth stopped being linear in T. Here the cost is Align bytes per block.
template <class T, std::size_t Align = 64>
struct AlignedAllocator {
    static_assert(Align >= alignof(T) && Align <= 256 && (Align & (Align - 1)) == 0,
                  "Align: a power of two up to 256");
    using value_type = T;
    template <class U>
    struct rebind {
        using other = AlignedAllocator<U, Align>;
    };

    AlignedAllocator() noexcept = default;
    template <class U>
    AlignedAllocator(const AlignedAllocator<U, Align>&) noexcept
    {
    }

    T* allocate(std::size_t n)
    {
        if (n > (std::numeric_limits<std::size_t>::max() - Align) / sizeof(T))
            throw std::bad_array_new_length();
        auto* raw = static_cast<unsigned char*>(::operator new(n * sizeof(T) + Align));
        // shift in [1, Align]: operator new's blocks are at least 16-byte aligned, so it
        // also fits the byte before the aligned start (Align <= 256)
        const std::size_t shift = Align - reinterpret_cast<std::uintptr_t>(raw) % Align;
        unsigned char* start = raw + shift;
        start[-1] = static_cast<unsigned char>(shift - 1);
        return reinterpret_cast<T*>(start);
    }
    void deallocate(T* p, std::size_t) noexcept
    {
        auto* start = reinterpret_cast<unsigned char*>(p);
        ::operator delete(start - (std::size_t(start[-1]) + 1));
    }

    template <class U>
    bool operator==(const AlignedAllocator<U, Align>&) const noexcept
    {
        return true;
    }
};

// A std::vector whose data() starts on a cache line: the kernels' workspaces.
template <class T>
using AlignedVector = std::vector<T, AlignedAllocator<T>>;

}  // namespace elman
