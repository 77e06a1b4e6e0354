// A device's memory under a limit: least recently used blocks go to host
// memory and come back when pinned; a full device is retried after
// eviction; nothing left to evict is a CudaError, and the pool stays usable.
// Runs on a stand-in device whose memory is host memory of a fixed size.
#include <gtest/gtest.h>

#include <dagger/cuda.hpp>
#include <dagger/dagger.hpp>
#include <vector>

#include "stand_in_device.hpp"

namespace {

using dagger::detail::DeviceMemory;
using dagger::detail::DevicePin;
using dagger::testing::StandInAllocator;

constexpr std::size_t kMiB = 1 << 20;

DeviceMemory pool(std::size_t capacity, std::size_t limit) {
  return DeviceMemory(std::make_unique<StandInAllocator>(capacity, "CudaProc 7 (stand-in)"), limit);
}

// A buffer holding `fill` in every byte, unpinned.
std::shared_ptr<dagger::detail::DeviceBuffer> filled(DeviceMemory& memory, std::size_t bytes, unsigned char fill) {
  DevicePin pin = memory.allocate(bytes);
  std::vector<unsigned char> host(bytes, fill);
  memory.allocator().to_device(pin.data(), host.data(), bytes);
  return pin.buffer();
}

// Every byte of the buffer is `fill` (pins it, reloading if evicted).
bool holds(DeviceMemory& memory, const std::shared_ptr<dagger::detail::DeviceBuffer>& buffer, unsigned char fill) {
  DevicePin pin(buffer);
  std::vector<unsigned char> host(buffer->bytes());
  memory.allocator().to_host(host.data(), pin.data(), host.size());
  for (unsigned char b : host) {
    if (b != fill) return false;
  }
  return true;
}

TEST(DeviceMemory, UnderTheLimitNothingMoves) {
  DeviceMemory memory = pool(64 * kMiB, 4 * kMiB);
  auto a = filled(memory, kMiB, 1), b = filled(memory, kMiB, 2), c = filled(memory, kMiB, 3);
  const auto s = memory.stats();
  EXPECT_EQ(s.resident_bytes, 3 * kMiB);
  EXPECT_EQ(s.evictions, 0u);
  EXPECT_EQ(s.limit, 4 * kMiB);
}

TEST(DeviceMemory, OverTheLimitTheLeastRecentlyUsedGoesToHostAndComesBack) {
  DeviceMemory memory = pool(64 * kMiB, 3 * kMiB);
  auto a = filled(memory, kMiB, 1), b = filled(memory, kMiB, 2), c = filled(memory, kMiB, 3);
  EXPECT_TRUE(holds(memory, a, 1));  // a is now the most recently used: b goes first
  auto d = filled(memory, kMiB, 4);
  auto s = memory.stats();
  EXPECT_EQ(s.evictions, 1u);
  EXPECT_EQ(s.evicted_bytes, kMiB);
  EXPECT_EQ(s.resident_bytes, 3 * kMiB);
  EXPECT_TRUE(holds(memory, b, 2));  // reloaded, evicting another
  s = memory.stats();
  EXPECT_EQ(s.reloads, 1u);
  EXPECT_EQ(s.evictions, 2u);
  EXPECT_TRUE(holds(memory, a, 1));
  EXPECT_TRUE(holds(memory, c, 3));
  EXPECT_TRUE(holds(memory, d, 4));
  EXPECT_LE(memory.stats().resident_bytes, 3 * kMiB);
  EXPECT_LE(memory.stats().peak_resident_bytes, 3 * kMiB);
}

TEST(DeviceMemory, PinnedBuffersStayWhileTheLimitIsPassed) {
  DeviceMemory memory = pool(64 * kMiB, 2 * kMiB);
  DevicePin a = memory.allocate(kMiB), b = memory.allocate(kMiB), c = memory.allocate(kMiB);
  EXPECT_EQ(memory.stats().evictions, 0u);
  EXPECT_EQ(memory.stats().resident_bytes, 3 * kMiB);  // the limit is a target, the device's size a wall
}

TEST(DeviceMemory, AFullDeviceIsRetriedAfterEviction) {
  DeviceMemory memory = pool(3 * kMiB, 100 * kMiB);  // the device fills before the limit
  auto a = filled(memory, kMiB, 1), b = filled(memory, kMiB, 2), c = filled(memory, kMiB, 3);
  auto d = filled(memory, kMiB, 4);
  EXPECT_EQ(memory.stats().evictions, 1u);
  EXPECT_TRUE(holds(memory, a, 1));
  EXPECT_TRUE(holds(memory, d, 4));
}

TEST(DeviceMemory, NothingLeftToEvictIsACudaErrorAndThePoolStaysUsable) {
  DeviceMemory memory = pool(2 * kMiB, 100 * kMiB);
  auto a = std::make_unique<DevicePin>(memory.allocate(kMiB));
  DevicePin b = memory.allocate(kMiB);
  try {
    memory.allocate(kMiB);
    FAIL() << "allocated past a full device";
  } catch (const dagger::CudaError& e) {
    EXPECT_EQ(e.device(), "CudaProc 7 (stand-in)");
    EXPECT_EQ(e.call(), "cudaMalloc");
    EXPECT_NE(std::string(e.what()).find("out of device memory"), std::string::npos) << e.what();
  }
  a.reset();  // a is unpinned and freed: room again
  DevicePin c = memory.allocate(kMiB);
  EXPECT_EQ(memory.stats().resident_bytes, 2 * kMiB);
}

TEST(DeviceMemory, EvictedBlocksAreHostChunksThatSpillToDisk) {
  const dagger::Config before = dagger::config();
  dagger::Config small = before;
  small.memory_limit = 2 * kMiB;
  dagger::configure(small);
  const auto spills_before = dagger::memory_stats().spills;
  {
    DeviceMemory memory = pool(64 * kMiB, kMiB);
    std::vector<std::shared_ptr<dagger::detail::DeviceBuffer>> buffers;
    for (unsigned char k = 0; k < 6; ++k) buffers.push_back(filled(memory, kMiB, k));
    EXPECT_EQ(memory.stats().evicted_bytes, 5 * kMiB);
    EXPECT_GT(dagger::memory_stats().spills, spills_before);  // host memory is full too: to disk
    for (unsigned char k = 0; k < 6; ++k) EXPECT_TRUE(holds(memory, buffers[k], k)) << int(k);
  }
  dagger::configure(before);
}

TEST(DeviceMemory, ReleasedBuffersFreeTheirMemoryWhereverTheyAre) {
  DeviceMemory memory = pool(64 * kMiB, 2 * kMiB);
  {
    auto a = filled(memory, kMiB, 1), b = filled(memory, kMiB, 2), c = filled(memory, kMiB, 3);
    EXPECT_EQ(memory.stats().evicted_bytes, kMiB);
  }
  const auto s = memory.stats();
  EXPECT_EQ(s.resident_bytes, 0u);
  EXPECT_EQ(s.evicted_bytes, 0u);
}

TEST(DeviceMemory, LoweringTheLimitEvictsAtOnce) {
  DeviceMemory memory = pool(64 * kMiB, 8 * kMiB);
  auto a = filled(memory, kMiB, 1), b = filled(memory, kMiB, 2), c = filled(memory, kMiB, 3);
  memory.set_limit(kMiB);
  EXPECT_EQ(memory.stats().resident_bytes, kMiB);
  EXPECT_EQ(memory.stats().evictions, 2u);
  EXPECT_TRUE(holds(memory, a, 1));
}

}  // namespace
