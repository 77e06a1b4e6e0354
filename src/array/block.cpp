// Block buffers, and how the chunk store spills them.
//
// Large buffers are mapped straight from the kernel rather than taken from
// malloc: freeing one gives its pages back, so the process's resident
// memory follows what the chunk store counts (malloc would keep freed
// blocks below its adaptive mmap threshold in its heap). A few freed ones
// are kept for the next block of the same size (MappingCache).
#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <mutex>
#include <new>
#include <string>
#include <utility>

#include "dagger/array/block.hpp"
#include "dagger/config.hpp"
#include "dagger/detail/spill_codec.hpp"
#include "memory/chunk_store.hpp"

namespace dagger {
namespace {

constexpr std::size_t kMappedBytes = 1 << 20;
constexpr std::size_t kMostCachedBytes = std::size_t{1} << 30;

// Freed mappings kept a while for the next block of the same size: a fresh
// mapping makes the kernel zero every page as it is first touched, which
// costs a memory-bound pass over new blocks about a third of its time. At
// most an eighth of the memory limit (and 1 GiB) is kept, the oldest let go
// first, and nothing while the chunk store is under pressure: resident
// memory stays what the store counts, plus that eighth.
class MappingCache {
 public:
  void* take(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    for (auto it = kept_.rbegin(); it != kept_.rend(); ++it) {
      if (it->second == bytes) {
        void* p = it->first;
        kept_.erase(std::next(it).base());
        kept_bytes_ -= bytes;
        return p;
      }
    }
    return nullptr;
  }
  void give(void* p, std::size_t bytes) {
    const std::size_t most = std::min(kMostCachedBytes, config().memory_limit / 8);
    std::deque<std::pair<void*, std::size_t>> released;
    {
      std::lock_guard lock(mutex_);
      if (bytes > most || detail::chunk_store().under_pressure()) {
        released.swap(kept_);
        kept_bytes_ = 0;
        released.emplace_back(p, bytes);
      } else {
        while (kept_bytes_ + bytes > most) {
          released.push_back(kept_.front());
          kept_bytes_ -= kept_.front().second;
          kept_.pop_front();
        }
        kept_.emplace_back(p, bytes);
        kept_bytes_ += bytes;
      }
    }
    for (const auto& [q, n] : released) ::munmap(q, n);
  }

 private:
  std::mutex mutex_;
  std::deque<std::pair<void*, std::size_t>> kept_;  // oldest first
  std::size_t kept_bytes_ = 0;
};

// Never destroyed: blocks are freed until the very end of the process.
MappingCache& mapping_cache() {
  static MappingCache* cache = new MappingCache;
  return *cache;
}

constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kPage = 4096;

std::uintptr_t rounded_up(std::uintptr_t x, std::size_t to) { return (x + to - 1) / to * to; }

// A fresh mapping of `bytes`, starting on a huge page's boundary when it is
// at least one huge page: only whole, aligned 2 MiB stretches can be huge
// pages, and a 2 MiB block mapped anywhere else has none. Mapped a huge
// page longer, then trimmed at both ends.
void* fresh_mapping(std::size_t bytes) {
  const std::size_t span = bytes >= kHugePage ? bytes + kHugePage : bytes;
  void* raw = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  auto* p = static_cast<std::byte*>(raw);
  if (span != bytes) {
    const auto begin = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t start = rounded_up(begin, kHugePage), end = rounded_up(start + bytes, kPage);
    if (start > begin) ::munmap(raw, start - begin);
    if (begin + span > end) ::munmap(reinterpret_cast<void*>(end), begin + span - end);
    p = reinterpret_cast<std::byte*>(start);
  }
  // Huge pages where the system offers them on request: a 128 MB block
  // then costs 64 page faults instead of 31250 (each a trip to the
  // hypervisor, on a virtual machine).
  ::madvise(p, bytes, MADV_HUGEPAGE);
  return p;
}

std::shared_ptr<std::byte[]> allocate(std::size_t bytes) {
  if (bytes < kMappedBytes) return std::shared_ptr<std::byte[]>(new std::byte[bytes > 0 ? bytes : 1]);
  void* p = mapping_cache().take(bytes);
  if (p == nullptr) p = fresh_mapping(bytes);
  return std::shared_ptr<std::byte[]>(static_cast<std::byte*>(p),
                                      [bytes](std::byte* q) { mapping_cache().give(q, bytes); });
}

const Block& as_block(const void* object) { return *static_cast<const Block*>(object); }

const detail::SpillCodec block_codec{
    [](const void* object) {
      const Block& b = as_block(object);
      detail::SpillParts parts{};
      if (b.buffer) parts[0] = std::span<const std::byte>(b.buffer.get(), b.bytes());
      return parts;
    },
    [](const void* object) { return as_block(object).buffer.use_count() == 1; },
    [](void* object) { static_cast<Block*>(object)->buffer.reset(); },
    [](void* object, const detail::SpillSizes& sizes) {
      Block& b = *static_cast<Block*>(object);
      b.buffer = allocate(sizes[0]);
      return detail::SpillTargets{std::span<std::byte>(b.buffer.get(), sizes[0])};
    },
    [](const void* object) { return as_block(object).source != nullptr; },
    [](void* object, const detail::SpillSizes& sizes) {
      Block& b = *static_cast<Block*>(object);
      b.buffer = allocate(sizes[0]);
      std::string problem = b.source->read_into(std::span<std::byte>(b.buffer.get(), sizes[0]));
      if (!problem.empty()) b.buffer.reset();
      return problem;
    },
};

}  // namespace

Block Block::make(DType dtype, std::int64_t rows, std::int64_t cols) {
  Block b;
  b.dtype = dtype;
  b.rows = rows;
  b.cols = cols;
  b.buffer = allocate(static_cast<std::size_t>(rows * cols) * element_size(dtype));
  return b;
}

const detail::SpillCodec* dagger_spill_codec(const Block*) { return &block_codec; }

}  // namespace dagger
