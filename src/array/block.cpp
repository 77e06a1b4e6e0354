// Block buffers, and how the chunk store spills them.
//
// Large buffers are mapped straight from the kernel rather than taken from
// malloc: freeing one gives its pages back at once, so the process's
// resident memory follows what the chunk store counts (malloc would keep
// freed blocks below its adaptive mmap threshold in its heap).
#include <sys/mman.h>

#include <new>
#include <string>

#include "dagger/array/block.hpp"
#include "dagger/detail/spill_codec.hpp"

namespace dagger {
namespace {

constexpr std::size_t kMappedBytes = 1 << 20;

std::shared_ptr<std::byte[]> allocate(std::size_t bytes) {
  if (bytes < kMappedBytes) return std::shared_ptr<std::byte[]>(new std::byte[bytes > 0 ? bytes : 1]);
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  // Huge pages where the system offers them on request: a 128 MB block then
  // costs 64 page faults instead of 31250.
  ::madvise(p, bytes, MADV_HUGEPAGE);
  return std::shared_ptr<std::byte[]>(static_cast<std::byte*>(p),
                                      [bytes](std::byte* q) { ::munmap(q, bytes); });
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
