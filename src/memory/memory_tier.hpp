// One tier of memory under a limit, and the tier below it: the engine that
// host memory over disk (the chunk store) and device memory over host
// memory (a GPU's DeviceMemory) share.
//
// Entries count their bytes while they are resident here. When the tier
// passes its limit, the least recently used entry that nothing pins is
// copied to the tier below and its memory here let go; pinning an entry
// that went below brings it back first. The copies run without the tier's
// lock, so other entries are pinned and released meanwhile; an entry pinned
// while its copy is being written stays here and the copy is thrown away.
//
// What "copy below" and "bring back" mean is the owner's: a TierMover.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace dagger::detail {

struct TierEntry {
  // resident → leaving → below → returning → resident. A leaving entry is
  // still here (readers may pin it); a returning one is not yet.
  enum class State : std::uint8_t { resident, leaving, below, returning };

  std::size_t bytes = 0;    // what it holds here when resident
  std::uint32_t pins = 0;   // running tasks (or user code) reading it
  State state = State::resident;
  bool held = false;        // pinned for good: never leaves again
  bool in_lru = false;
  TierEntry* older = nullptr;
  TierEntry* newer = nullptr;
};

// The owner's half. Calls marked "locked" run under the tier's lock and
// must not call back into the tier; the others run without it.
class TierMover {
 public:
  virtual ~TierMover() = default;
  // Locked. Whether the tier may move anything out now (false: a recent
  // failure to write is being waited out).
  virtual bool may_move_out() { return true; }
  // Locked. Whether this entry can leave now; one that cannot leaves the
  // LRU list until its next unpin.
  virtual bool movable(TierEntry&) { return true; }
  // Copies the entry's data to the tier below. False if it could not; the
  // entry then stays, and the tier stops making room for now.
  virtual bool copy_below(TierEntry& entry) = 0;
  // Locked. The copy below stands: let the memory here go.
  virtual void let_go(TierEntry& entry) = 0;
  // The entry was pinned while its copy was written: throw the copy away.
  virtual void discard_copy(TierEntry& entry) = 0;
  // Brings a pinned entry back from below (room was made for it); throws
  // on failure, leaving the entry below.
  virtual void bring_back(TierEntry& entry) = 0;
  // A dying entry, after it left the tier: free what it holds here (when it
  // was resident) or below.
  virtual void forget(TierEntry& entry, bool was_below) = 0;
};

struct TierStats {
  std::size_t limit = 0;
  std::size_t resident = 0;
  std::size_t peak = 0;
  std::size_t below = 0;  // bytes of entries now in the tier below
  std::uint64_t moves_out = 0, moved_out_bytes = 0;
  std::uint64_t moves_back = 0, moved_back_bytes = 0;
};

class MemoryTier {
 public:
  MemoryTier(TierMover& mover, std::size_t limit) : mover_(&mover), limit_(limit) {}
  MemoryTier(const MemoryTier&) = delete;
  MemoryTier& operator=(const MemoryTier&) = delete;

  // A new resident entry, unpinned (pins = 0) or already pinned by its
  // maker; then room is made for it.
  void add(TierEntry& entry);
  // A dying entry: waits for a copy in progress, takes it out, and calls
  // the mover's forget.
  void remove(TierEntry& entry);
  // Brings the entry back if it is below and keeps it here until unpinned.
  // Throws what bring_back threw.
  void pin(TierEntry& entry);
  void unpin(TierEntry& entry);
  // Pins the entry for good.
  void hold(TierEntry& entry);
  // Pins it for good unless that needs bringing it back.
  bool hold_if_resident(TierEntry& entry);

  // Moves entries out until `incoming` more bytes fit under the limit, or
  // nothing more can move.
  void make_room(std::size_t incoming);
  // Moves the least recently used movable entry out whatever the limit
  // (the memory itself is full). False if there was none.
  bool move_one_out();
  void set_limit(std::size_t limit);

  // Without the lock, for hot paths that only need a recent figure.
  std::size_t limit() const { return limit_.load(std::memory_order_relaxed); }
  std::size_t resident() const { return resident_.load(std::memory_order_relaxed); }
  TierStats stats() const;
  void reset_peak();

 private:
  bool over(std::size_t incoming) const { return resident_.load() - leaving_ + incoming > limit_.load(); }
  bool move_out(std::unique_lock<std::mutex>& lock, bool forced, std::size_t incoming);
  void bring_back(std::unique_lock<std::mutex>& lock, TierEntry& entry);
  void now_resident(std::size_t bytes);
  void lru_push(TierEntry& entry);
  void lru_remove(TierEntry& entry);

  TierMover* mover_;
  mutable std::mutex mutex_;
  std::condition_variable settled_;  // an entry left the leaving or returning state
  TierEntry* oldest_ = nullptr;
  TierEntry* newest_ = nullptr;
  std::atomic<std::size_t> limit_;
  std::atomic<std::size_t> resident_{0};  // written under the lock
  std::size_t leaving_ = 0;  // resident bytes being copied below now
  std::size_t peak_ = 0;
  std::size_t below_ = 0;
  std::uint64_t moves_out_ = 0, moved_out_bytes_ = 0, moves_back_ = 0, moved_back_bytes_ = 0;
};

}  // namespace dagger::detail
