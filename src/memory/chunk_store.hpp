// The chunk store of one process: counts the bytes of the large chunks held
// in host memory and keeps them under the memory limit by writing the least
// recently used ones that no running task needs to a spill directory. A task
// pins its inputs; pinning a spilled chunk reads it back first. A spilled
// chunk that is released is deleted from disk.
//
// Only values whose type has a SpillCodec (array blocks) and whose payload
// is at least kMinSpillBytes are managed; small values cost nothing here.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <vector>

#include "dagger/chunk.hpp"
#include "dagger/config.hpp"
#include "dagger/events.hpp"

namespace dagger::detail {

inline constexpr std::size_t kMinSpillBytes = 64 * 1024;
inline constexpr std::int64_t kRetrySpillNs = 30'000'000'000;

struct StoreEntry {
  enum class State : std::uint8_t { resident, writing, spilled, loading };

  ChunkData* chunk = nullptr;
  const SpillCodec* codec = nullptr;
  std::size_t payload = 0;   // bytes the payload holds when resident
  SpillSizes sizes{};        // of each part, while spilled
  std::uint32_t pins = 0;    // running tasks (or user code) reading it
  State state = State::resident;
  bool held = false;         // handed to user code: never spilled again
  bool in_lru = false;
  StoreEntry* older = nullptr;
  StoreEntry* newer = nullptr;
  std::filesystem::path file;  // while spilled
  bool clean = false;          // spilled without a write: read again from its source
};

class ChunkStore {
 public:
  ChunkStore();
  ~ChunkStore();

  void configure(const Config& config);
  void add(ChunkData& chunk);     // a new chunk (from its constructor)
  void remove(ChunkData& chunk);  // a dying chunk (from its destructor)
  void pin(ChunkData& chunk);     // reloads if spilled; throws Error if the file is lost
  void unpin(ChunkData& chunk);
  void hold(ChunkData& chunk);    // pin for good
  bool hold_if_resident(ChunkData& chunk);  // hold, unless that needs a read from disk

  // Resident bytes above 80% of the limit: time to prefer tasks that free memory.
  bool under_pressure() const;
  MemoryStats stats();
  void reset_peak();

  void record_events(bool on);
  std::vector<Timespan> take_events();

 private:
  void make_room(std::size_t incoming);
  bool spill_one(std::unique_lock<std::mutex>& lock, std::size_t incoming);
  void reload(std::unique_lock<std::mutex>& lock, StoreEntry& entry);
  void lru_push(StoreEntry& e);
  void lru_remove(StoreEntry& e);
  std::filesystem::path new_spill_file();
  void event(std::uint64_t producer, std::int64_t start, std::size_t bytes, bool reload);

  std::mutex mutex_;
  std::condition_variable settled_;  // an entry left the writing or loading state
  StoreEntry* oldest_ = nullptr;
  StoreEntry* newest_ = nullptr;
  std::atomic<std::size_t> limit_{0};
  std::atomic<std::size_t> resident_{0};
  std::size_t leaving_ = 0;  // resident bytes being written out now
  std::size_t peak_ = 0;
  std::size_t spilled_now_ = 0;
  std::uint64_t spills_ = 0, spilled_total_ = 0, reloads_ = 0, reloaded_total_ = 0, dropped_clean_ = 0;
  std::uint64_t next_file_ = 0;
  // When the disk last refused a spill (0: never): data then stays in memory,
  // and spilling is tried again kRetrySpillNs later.
  std::int64_t spill_failed_ns_ = 0;

  std::filesystem::path base_directory_;
  std::filesystem::path directory_;  // made on first spill

  std::atomic<bool> recording_{false};
  std::mutex events_mutex_;
  std::vector<Timespan> events_;
};

ChunkStore& chunk_store();

// Pins a task's inputs for as long as it lives.
class PinnedInputs {
 public:
  PinnedInputs() = default;
  PinnedInputs(const PinnedInputs&) = delete;
  PinnedInputs& operator=(const PinnedInputs&) = delete;
  ~PinnedInputs();
  void add(ChunkData& chunk);

 private:
  static constexpr std::size_t kInline = 4;
  ChunkData* inline_[kInline];
  std::size_t count_ = 0;
  std::vector<ChunkData*> more_;
};

}  // namespace dagger::detail
