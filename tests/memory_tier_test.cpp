// The memory-tier engine that host memory over disk and device memory over
// host memory share, on a tier whose "below" is a map of copies: the least
// recently used entries leave over the limit, pinned ones stay, pinning
// brings one back, and an entry pinned while its copy is written stays
// where it is and the copy is thrown away.
#include "memory/memory_tier.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

using dagger::detail::MemoryTier;
using dagger::detail::TierEntry;
using dagger::detail::TierMover;

struct Item : TierEntry {
  explicit Item(std::size_t n) { bytes = n; }
  bool here = true;   // its data is in this tier
  bool copy = false;  // a copy exists below
};

class CopyMover final : public TierMover {
 public:
  bool copy_below(TierEntry& e) override {
    std::unique_lock lock(mutex_);
    ++copies_started;
    started_.notify_all();
    released_.wait(lock, [&] { return !hold_copies; });
    if (fail_copies) return false;
    static_cast<Item&>(e).copy = true;
    return true;
  }
  void let_go(TierEntry& e) override { static_cast<Item&>(e).here = false; }
  void discard_copy(TierEntry& e) override {
    static_cast<Item&>(e).copy = false;
    ++discarded;
  }
  void bring_back(TierEntry& e) override {
    if (fail_back) throw std::runtime_error("the copy below is gone");
    auto& item = static_cast<Item&>(e);
    item.here = true;
    item.copy = false;
  }
  void forget(TierEntry& e, bool was_below) override {
    (was_below ? forgotten_below : forgotten_here) += 1;
    static_cast<Item&>(e).copy = false;
  }

  void hold() {
    std::lock_guard lock(mutex_);
    hold_copies = true;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      hold_copies = false;
    }
    released_.notify_all();
  }
  void wait_for_copy(int n) {
    std::unique_lock lock(mutex_);
    started_.wait(lock, [&] { return copies_started >= n; });
  }

  bool fail_copies = false;
  bool fail_back = false;
  int copies_started = 0;
  std::atomic<int> discarded{0}, forgotten_here{0}, forgotten_below{0};

 private:
  std::mutex mutex_;
  std::condition_variable started_, released_;
  bool hold_copies = false;
};

TEST(MemoryTier, TheLeastRecentlyUsedLeaveOverTheLimitAndComeBackWhenPinned) {
  CopyMover mover;
  MemoryTier tier(mover, 250);
  Item a(100), b(100), c(100);
  tier.add(a);
  tier.add(b);
  EXPECT_TRUE(a.here && b.here);
  tier.pin(a);  // a is now more recent than b
  tier.unpin(a);
  tier.add(c);  // 300 > 250: the least recently used, b, goes
  EXPECT_TRUE(a.here);
  EXPECT_FALSE(b.here);
  EXPECT_TRUE(b.copy);
  EXPECT_EQ(tier.stats().resident, 200u);
  EXPECT_EQ(tier.stats().below, 100u);

  tier.pin(b);  // back; room is made for it first (a goes, the oldest)
  EXPECT_TRUE(b.here);
  EXPECT_FALSE(a.here);
  EXPECT_EQ(tier.stats().moves_back, 1u);
  EXPECT_EQ(tier.stats().moves_out, 2u);
  EXPECT_EQ(tier.stats().peak, 300u);
  tier.unpin(b);

  tier.remove(a);
  tier.remove(b);
  tier.remove(c);
  EXPECT_EQ(mover.forgotten_below.load(), 1);
  EXPECT_EQ(mover.forgotten_here.load(), 2);
  EXPECT_EQ(tier.stats().resident, 0u);
  EXPECT_EQ(tier.stats().below, 0u);
}

TEST(MemoryTier, PinnedAndHeldEntriesStayOverTheLimit) {
  CopyMover mover;
  MemoryTier tier(mover, 100);
  Item a(80), b(80);
  tier.add(a);
  tier.hold(a);
  b.pins = 1;  // pinned by its maker
  tier.add(b);
  EXPECT_TRUE(a.here && b.here);
  EXPECT_EQ(tier.stats().resident, 160u);
  tier.unpin(b);  // now b may go; a never
  EXPECT_FALSE(b.here);
  EXPECT_TRUE(a.here);
  EXPECT_TRUE(tier.hold_if_resident(a));
  EXPECT_FALSE(tier.hold_if_resident(b));  // that would need bringing it back
  tier.remove(a);
  tier.remove(b);
}

TEST(MemoryTier, AnEntryPinnedWhileItsCopyIsWrittenStaysAndTheCopyGoes) {
  CopyMover mover;
  MemoryTier tier(mover, 100);
  Item a(80);
  tier.add(a);
  mover.hold();
  Item b(80);
  std::thread adder([&] { tier.add(b); });  // over the limit: a starts to leave
  mover.wait_for_copy(1);
  tier.pin(a);  // still here while it leaves: returns at once
  EXPECT_TRUE(a.here);
  mover.release();
  adder.join();
  EXPECT_TRUE(a.here);
  EXPECT_FALSE(a.copy);
  EXPECT_EQ(mover.discarded.load(), 1);
  // Room was still needed: the next least recently used went instead.
  EXPECT_FALSE(b.here);
  EXPECT_EQ(tier.stats().moves_out, 1u);
  tier.unpin(a);  // under the limit now: it stays
  EXPECT_TRUE(a.here);
  tier.remove(a);
  tier.remove(b);
}

TEST(MemoryTier, AFailedCopyKeepsDataHereAndAFailedReturnKeepsItBelow) {
  CopyMover mover;
  MemoryTier tier(mover, 100);
  Item a(80), b(80);
  mover.fail_copies = true;
  tier.add(a);
  tier.add(b);
  EXPECT_TRUE(a.here && b.here);
  EXPECT_EQ(tier.stats().resident, 160u);
  mover.fail_copies = false;
  tier.make_room(0);  // a failed last, so it counts as recently used: b goes
  EXPECT_TRUE(a.here);
  EXPECT_FALSE(b.here);
  mover.fail_back = true;
  EXPECT_THROW(tier.pin(b), std::runtime_error);
  EXPECT_FALSE(b.here);
  EXPECT_EQ(b.pins, 0u);
  mover.fail_back = false;
  tier.pin(b);  // the tier is usable: it comes back now
  EXPECT_TRUE(b.here);
  tier.unpin(b);
  tier.remove(a);
  tier.remove(b);
}

TEST(MemoryTier, ManyThreadsPinAndReleaseUnderALimit) {
  CopyMover mover;
  MemoryTier tier(mover, 1000);
  std::vector<Item> items;
  items.reserve(64);
  for (int i = 0; i < 64; ++i) items.emplace_back(100);
  for (Item& item : items) tier.add(item);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 2000; ++round) {
        Item& item = items[static_cast<std::size_t>((round * 7 + t * 13) % 64)];
        tier.pin(item);
        EXPECT_TRUE(item.here);
        tier.unpin(item);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(tier.stats().resident, 1000u);
  EXPECT_EQ(tier.stats().resident + tier.stats().below, 6400u);
  for (Item& item : items) tier.remove(item);
}

}  // namespace
