#include "memory/memory_tier.hpp"

#include <algorithm>

namespace dagger::detail {

// ---------------------------------------------------------------- LRU list

void MemoryTier::lru_push(TierEntry& e) {
  e.older = newest_;
  e.newer = nullptr;
  if (newest_) newest_->newer = &e;
  newest_ = &e;
  if (!oldest_) oldest_ = &e;
  e.in_lru = true;
}

void MemoryTier::lru_remove(TierEntry& e) {
  if (!e.in_lru) return;
  (e.older ? e.older->newer : oldest_) = e.newer;
  (e.newer ? e.newer->older : newest_) = e.older;
  e.older = e.newer = nullptr;
  e.in_lru = false;
}

void MemoryTier::now_resident(std::size_t bytes) {
  const std::size_t now = resident_.fetch_add(bytes) + bytes;
  peak_ = std::max(peak_, now);
}

// ---------------------------------------------------------------- entries

void MemoryTier::add(TierEntry& e) {
  {
    std::lock_guard lock(mutex_);
    e.state = TierEntry::State::resident;
    now_resident(e.bytes);
    if (e.pins == 0 && !e.held) lru_push(e);
  }
  make_room(0);
}

void MemoryTier::remove(TierEntry& e) {
  bool was_below;
  {
    std::unique_lock lock(mutex_);
    // A copy in progress reads the entry: let it finish first.
    settled_.wait(lock, [&] {
      return e.state != TierEntry::State::leaving && e.state != TierEntry::State::returning;
    });
    lru_remove(e);
    was_below = e.state == TierEntry::State::below;
    if (was_below) {
      below_ -= e.bytes;
    } else {
      resident_.fetch_sub(e.bytes);
    }
  }
  mover_->forget(e, was_below);
}

void MemoryTier::pin(TierEntry& e) {
  std::unique_lock lock(mutex_);
  ++e.pins;
  lru_remove(e);
  for (;;) {
    switch (e.state) {
      case TierEntry::State::resident:
      case TierEntry::State::leaving:  // still here; the copy's writer sees the pin and keeps it
        return;
      case TierEntry::State::returning:
        settled_.wait(lock);
        break;
      case TierEntry::State::below:
        try {
          bring_back(lock, e);
        } catch (...) {
          --e.pins;
          throw;
        }
        return;
    }
  }
}

void MemoryTier::bring_back(std::unique_lock<std::mutex>& lock, TierEntry& e) {
  e.state = TierEntry::State::returning;
  lock.unlock();
  try {
    make_room(e.bytes);
    mover_->bring_back(e);
  } catch (...) {
    lock.lock();
    e.state = TierEntry::State::below;
    settled_.notify_all();
    throw;
  }
  lock.lock();
  e.state = TierEntry::State::resident;
  below_ -= e.bytes;
  now_resident(e.bytes);
  ++moves_back_;
  moved_back_bytes_ += e.bytes;
  settled_.notify_all();
}

void MemoryTier::unpin(TierEntry& e) {
  bool too_full;
  {
    std::lock_guard lock(mutex_);
    if (--e.pins == 0 && !e.held && e.state == TierEntry::State::resident) lru_push(e);
    too_full = over(0);
  }
  if (too_full) make_room(0);
}

void MemoryTier::hold(TierEntry& e) {
  pin(e);
  std::lock_guard lock(mutex_);
  e.held = true;
}

bool MemoryTier::hold_if_resident(TierEntry& e) {
  std::lock_guard lock(mutex_);
  if (e.state != TierEntry::State::resident && e.state != TierEntry::State::leaving) return false;
  ++e.pins;
  lru_remove(e);
  e.held = true;
  return true;
}

// ---------------------------------------------------------------- moving out

void MemoryTier::make_room(std::size_t incoming) {
  std::unique_lock lock(mutex_);
  while (move_out(lock, false, incoming)) {
  }
}

bool MemoryTier::move_one_out() {
  std::unique_lock lock(mutex_);
  return move_out(lock, true, 0);
}

// Copies the least recently used movable entry below and lets its memory
// here go, when the tier is over its limit (or `forced`). False when
// nothing more can be done.
bool MemoryTier::move_out(std::unique_lock<std::mutex>& lock, bool forced, std::size_t incoming) {
  if (!forced && !over(incoming)) return false;
  if (!mover_->may_move_out()) return false;
  TierEntry* victim = oldest_;
  // Entries that cannot leave now come back to the list at their next unpin.
  while (victim && !mover_->movable(*victim)) {
    TierEntry* next = victim->newer;
    lru_remove(*victim);
    victim = next;
  }
  if (!victim) return false;
  lru_remove(*victim);
  victim->state = TierEntry::State::leaving;
  leaving_ += victim->bytes;
  lock.unlock();

  bool copied;
  try {
    copied = mover_->copy_below(*victim);
  } catch (...) {
    copied = false;
  }

  lock.lock();
  if (copied && victim->pins == 0) {
    mover_->let_go(*victim);
    leaving_ -= victim->bytes;
    resident_.fetch_sub(victim->bytes);
    below_ += victim->bytes;
    ++moves_out_;
    moved_out_bytes_ += victim->bytes;
    victim->state = TierEntry::State::below;
  } else {
    if (copied) {
      // Pinned meanwhile: it stays. Still leaving while the copy goes, so
      // that it cannot die under the mover.
      lock.unlock();
      mover_->discard_copy(*victim);
      lock.lock();
    }
    leaving_ -= victim->bytes;
    victim->state = TierEntry::State::resident;
    if (victim->pins == 0 && !victim->held) lru_push(*victim);
  }
  settled_.notify_all();
  return copied;
}

void MemoryTier::set_limit(std::size_t limit) {
  std::unique_lock lock(mutex_);
  limit_.store(limit);
  while (move_out(lock, false, 0)) {
  }
}

// ---------------------------------------------------------------- reporting

TierStats MemoryTier::stats() const {
  std::lock_guard lock(mutex_);
  return {limit_.load(), resident_.load(), peak_, below_, moves_out_, moved_out_bytes_, moves_back_, moved_back_bytes_};
}

void MemoryTier::reset_peak() {
  std::lock_guard lock(mutex_);
  peak_ = resident_.load();
}

}  // namespace dagger::detail
