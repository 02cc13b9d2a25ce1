// The tape's list of nodes: appended in order, read by index, never moved.
//
// Nodes live in chunks of 16, allocated as the list grows. Appending never moves a node, so the
// references that Var::value() and grad() hand out stay valid while more ops are recorded. It
// replaces a std::deque, whose 512-byte blocks hold one node each (a Node with its tensors is
// larger): a batch-1 forward of a few nodes made one allocation per node, and the deque's map
// was reallocated on every tape (docs/performance.md, "A lighter tape, take two").
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace elman::detail {

template <class N>
class NodeList {
public:
    static constexpr std::size_t chunk = 16;  // nodes per allocation

    NodeList() = default;
    NodeList(const NodeList&) = delete;
    NodeList& operator=(const NodeList&) = delete;
    ~NodeList()
    {
        for (std::size_t i = size_; i-- > 0;) std::destroy_at(&(*this)[i]);
        for (N* c : chunks_) ::operator delete(c);
    }

    std::size_t size() const { return size_; }
    N& operator[](std::size_t i) { return chunks_[i / chunk][i % chunk]; }
    const N& operator[](std::size_t i) const { return chunks_[i / chunk][i % chunk]; }
    N& back() { return (*this)[size_ - 1]; }

    // Destroys the newest node (record() takes back a node whose backward could not be set).
    void pop_back() { std::destroy_at(&(*this)[--size_]); }

    // Builds a node in place from N's constructor arguments; if that throws, the list is
    // unchanged.
    template <class... Args>
    N& emplace_back(Args&&... args)
    {
        static_assert(alignof(N) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
        if (size_ == chunks_.size() * chunk) {
            // room first, so that push_back cannot throw and leak the new chunk
            if (chunks_.size() == chunks_.capacity()) chunks_.reserve(2 * chunks_.size() + 4);
            chunks_.push_back(static_cast<N*>(::operator new(chunk * sizeof(N))));
        }
        N* slot = chunks_[size_ / chunk] + size_ % chunk;
        std::construct_at(slot, std::forward<Args>(args)...);
        ++size_;
        return *slot;
    }

private:
    std::vector<N*> chunks_;  // each of `chunk` slots; slots [0, size_) hold nodes
    std::size_t size_ = 0;
};

}  // namespace elman::detail
