// The chunk store of one process: counts the bytes of the large chunks held
// in host memory and keeps them under the memory limit by writing the least
// recently used ones that no running task needs to a spill directory. A task
// pins its inputs; pinning a spilled chunk reads it back first. A spilled
// chunk that is released is deleted from disk. Host memory is a MemoryTier
// whose tier below is the spill directory.
//
// Only values whose type has a SpillCodec (array blocks) and whose payload
// is at least kMinSpillBytes are managed; small values cost nothing here.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <vector>

#include "dagger/chunk.hpp"
#include "dagger/config.hpp"
#include "dagger/events.hpp"
#include "memory/memory_tier.hpp"

namespace dagger::detail {

inline constexpr std::size_t kMinSpillBytes = 64 * 1024;
inline constexpr std::int64_t kRetrySpillNs = 30'000'000'000;

// A chunk's entry in host memory's tier.
struct StoreEntry : TierEntry {
  ChunkData* chunk = nullptr;
  const SpillCodec* codec = nullptr;
  SpillSizes sizes{};          // of each part, while spilled
  // While spilled (or being written), and after it was read back: a value
  // never changes, so a later spill reuses the file instead of writing it.
  std::filesystem::path file;
  bool clean = false;          // spilled without a write: read again from its source
  bool reusing_file = false;   // this spill reuses the file of an earlier one
  std::int64_t leaving_ns = 0; // when its spill began
};

class ChunkStore final : private TierMover {
 public:
  ChunkStore();
  ~ChunkStore() override;

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
  // The tier's mover: spill files.
  bool may_move_out() override;
  bool movable(TierEntry& entry) override;
  bool copy_below(TierEntry& entry) override;
  void let_go(TierEntry& entry) override;
  void discard_copy(TierEntry& entry) override;
  void bring_back(TierEntry& entry) override;
  void forget(TierEntry& entry, bool was_below) override;

  std::filesystem::path new_spill_file();
  void event(std::uint64_t producer, std::int64_t start, std::size_t bytes, bool reload);

  MemoryTier tier_;
  std::atomic<std::uint64_t> spills_{0}, spilled_total_{0}, dropped_clean_{0};

  std::mutex files_mutex_;  // the spill directory
  std::uint64_t next_file_ = 0;
  std::filesystem::path base_directory_;
  std::filesystem::path directory_;  // made on first spill
  // When the disk last refused a spill (0: never): data then stays in memory,
  // and spilling is tried again kRetrySpillNs later.
  std::atomic<std::int64_t> spill_failed_ns_{0};

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
