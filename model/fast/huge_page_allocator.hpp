#pragma once
// An allocator for the hot-record array. A table of a million connections spans 48 MB; with
// 4 KiB pages nearly every segment to a random connection misses the TLB as well as the cache,
// and the page walk costs about as much as the miss itself. Arrays of 2 MiB or more are
// therefore aligned to 2 MiB and offered to the kernel as huge pages (Linux transparent huge
// pages in "madvise" mode); smaller ones are ordinary allocations. Where madvise or
// MADV_HUGEPAGE does not exist the hint is skipped: only speed depends on it.
#include <cstddef>
#include <new>

#include <sys/mman.h>

namespace tcpfsm::fast {

template <class T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;

  HugePageAllocator() = default;
  template <class U>
  constexpr HugePageAllocator(const HugePageAllocator<U>&) noexcept {}  // NOLINT: rebinding

  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) return static_cast<T*>(::operator new(bytes, align()));
    const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* p = ::operator new (rounded, std::align_val_t{kHugePage});
    advise(p, rounded);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) {
      ::operator delete(p, align());
    } else {
      ::operator delete (p, std::align_val_t{kHugePage});
    }
  }

  template <class U>
  bool operator==(const HugePageAllocator<U>&) const noexcept {
    return true;
  }

 private:
  static constexpr std::align_val_t align() {
    return std::align_val_t{alignof(T) > alignof(std::max_align_t) ? alignof(T)
                                                                   : alignof(std::max_align_t)};
  }
  static void advise(void* p, std::size_t bytes) noexcept {
#if defined(MADV_HUGEPAGE)
    (void)::madvise(p, bytes, MADV_HUGEPAGE);  // a hint; refusal changes nothing but speed
#else
    (void)p;
    (void)bytes;
#endif
  }
};

}  // namespace tcpfsm::fast
