// A reference to a value that lives in one memory space.
#pragma once

#include <cstdint>
#include <memory>

#include "dagger/detail/value.hpp"

namespace dagger {

class MemorySpace;

namespace detail {

struct StoreEntry;

// The stored value of a chunk. Every live ChunkData is counted, so tests can
// see that a computation released everything it made.
struct ChunkData {
  ChunkData(Value v, MemorySpace& where, std::uint64_t producer);
  ~ChunkData();
  ChunkData(const ChunkData&) = delete;
  ChunkData& operator=(const ChunkData&) = delete;

  Value value;
  MemorySpace* space;
  std::size_t bytes;
  std::uint64_t producer;  // id of the thunk that made it (0: none)
  // Set when the chunk store may spill this value to disk (a large value of
  // a type with a spill codec, in host memory); see storage/chunk_store.
  StoreEntry* store_entry = nullptr;
};

// Brings a spilled value back into memory and keeps it there for good: for
// values handed to user code, which may hold references into them.
void hold_in_memory_slow(ChunkData& chunk);
inline void hold_in_memory(ChunkData& chunk) {
  if (chunk.store_entry) hold_in_memory_slow(chunk);
}

// Keeps a chunk's value in memory (reading it back first if it was spilled)
// for as long as it lives: for code that reads a value and lets it go.
void pin_slow(ChunkData& chunk);
void unpin_slow(ChunkData& chunk);
class ScopedPin {
 public:
  explicit ScopedPin(ChunkData& chunk) : chunk_(chunk) {
    if (chunk_.store_entry) pin_slow(chunk_);
  }
  ~ScopedPin() {
    if (chunk_.store_entry) unpin_slow(chunk_);
  }
  ScopedPin(const ScopedPin&) = delete;
  ScopedPin& operator=(const ScopedPin&) = delete;

 private:
  ChunkData& chunk_;
};

using ChunkPtr = std::shared_ptr<ChunkData>;

// The value of `chunk` in the host memory of this process (moved there if
// it lives elsewhere).
ChunkPtr chunk_in_host_memory(const ChunkPtr& chunk);

}  // namespace detail

// How many chunks exist in this process right now.
std::int64_t live_chunks();

template <class T>
class Chunk {
 public:
  Chunk() = default;
  explicit Chunk(detail::ChunkPtr data) : data_(std::move(data)) {}

  bool valid() const noexcept { return data_ != nullptr; }
  const MemorySpace& space() const { return *data_->space; }
  std::size_t bytes() const { return data_->bytes; }
  // The thunk that produced this chunk (0 if none).
  std::uint64_t producer() const { return data_->producer; }
  // The value, which must be in this process's host memory (see collect).
  const T& value() const {
    detail::hold_in_memory(*data_);
    return data_->value.template get<T>();
  }
  const detail::ChunkPtr& data() const noexcept { return data_; }

 private:
  detail::ChunkPtr data_;
};

}  // namespace dagger
