// Chunk payloads, counted so that leaks are visible.
#include <atomic>

#include "dagger/chunk.hpp"

namespace dagger {
namespace {
std::atomic<std::int64_t> live_chunk_count{0};
}

namespace detail {

ChunkData::ChunkData(Value v, MemorySpace& where, std::uint64_t producer_id)
    : value(std::move(v)), space(&where), bytes(value.bytes()), producer(producer_id) {
  live_chunk_count.fetch_add(1, std::memory_order_relaxed);
}

ChunkData::~ChunkData() { live_chunk_count.fetch_sub(1, std::memory_order_relaxed); }

}  // namespace detail

std::int64_t live_chunks() { return live_chunk_count.load(std::memory_order_relaxed); }

}  // namespace dagger
