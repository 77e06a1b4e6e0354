// Chunk payloads, counted so that leaks are visible. The count is spread
// over cache-line-sized shards, one per thread, so that threads creating and
// releasing chunks at once do not fight over one counter.
#include <array>
#include <atomic>

#include "dagger/chunk.hpp"
#include "dagger/processor.hpp"
#include "memory/chunk_store.hpp"

namespace dagger {
namespace {

struct alignas(64) Shard {
  std::atomic<std::int64_t> count{0};
};
std::array<Shard, 32> live_chunk_shards;

std::atomic<std::int64_t>& my_shard() {
  static std::atomic<unsigned> next_thread{0};
  thread_local unsigned index = next_thread.fetch_add(1, std::memory_order_relaxed) % live_chunk_shards.size();
  return live_chunk_shards[index].count;
}

}  // namespace

namespace detail {

ChunkData::ChunkData(Value v, MemorySpace& where, std::uint64_t producer_id)
    : value(std::move(v)), space(&where), bytes(value.bytes()), producer(producer_id) {
  my_shard().fetch_add(1, std::memory_order_relaxed);
  // The chunk store counts and spills host memory; device memory has its own.
  if (value.spill_codec() && where.kind() == host_memory().kind()) chunk_store().add(*this);
}

ChunkData::~ChunkData() {
  if (store_entry) chunk_store().remove(*this);
  my_shard().fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace detail

std::int64_t live_chunks() {
  std::int64_t total = 0;
  for (const Shard& s : live_chunk_shards) total += s.count.load(std::memory_order_acquire);
  return total;
}

}  // namespace dagger
