// Storage aligned to a cache line, for tensors and the kernels' workspaces.
//
// Why: a row of a weight matrix that starts on a 64-byte boundary is read by whole-cache-line
// vector loads; a 16-byte aligned one (what malloc gives) splits every 64-byte AVX-512 load
// across two lines. On the recurrent product of batch-1 inference (core/row_gemv.hpp, W_h of
// 64 × 64 floats in L1) the split loads took 94 ns per product against 52 ns aligned
// (docs/performance.md, "Aligned storage and a lighter tape").
#pragma once

#include <cstddef>
#include <limits>
#include <new>
#include <vector>

namespace elman {

// A standard allocator (C++17 aligned operator new) whose blocks start on an `Align`-byte
// boundary. Stateless: any two compare equal. Throws std::bad_array_new_length when n·sizeof(T)
// overflows, std::bad_alloc when memory runs out.
template <class T, std::size_t Align = 64>
struct AlignedAllocator {
    static_assert(Align >= alignof(T) && (Align & (Align - 1)) == 0, "Align: a power of two");
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
        if (n > std::numeric_limits<std::size_t>::max() / sizeof(T)) throw std::bad_array_new_length();
        return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{Align}));
    }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t{Align}); }

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
