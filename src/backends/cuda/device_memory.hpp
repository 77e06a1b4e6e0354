// The memory of one accelerator, with a limit like host memory's: when a
// new block does not fit (over the limit, or the device itself says it is
// full), the least recently used blocks that no running kernel holds are
// copied to host memory and their device memory freed; a kernel that needs
// an evicted block brings it back first. Evicted blocks are ordinary host
// chunks, so under host memory pressure they spill on to disk. The same
// MemoryTier engine as host memory over disk, with host memory below.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "dagger/chunk.hpp"
#include "dagger/cuda.hpp"
#include "memory/memory_tier.hpp"

namespace dagger::detail {

// How a device allocates and copies (the CUDA module for a GPU).
class DeviceAllocator {
 public:
  virtual ~DeviceAllocator() = default;
  // Null when the device has no room; throws CudaError on other failures.
  virtual void* allocate(std::size_t bytes) = 0;
  virtual void release(void* pointer) noexcept = 0;
  virtual void to_device(void* device_dst, const void* host_src, std::size_t bytes) = 0;
  virtual void to_host(void* host_dst, const void* device_src, std::size_t bytes) = 0;
  // For errors: "CudaProc 0 (NVIDIA H100 80GB HBM3)".
  virtual std::string name() const = 0;
};

class DeviceMemory;

// One block's bytes on a device, or, once evicted, in a host chunk.
class DeviceBuffer : private TierEntry {
 public:
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  std::size_t bytes() const noexcept { return TierEntry::bytes; }
  DeviceMemory& memory() const noexcept { return *memory_; }

 private:
  friend class DeviceMemory;
  friend class DevicePin;
  DeviceBuffer(DeviceMemory& memory, std::size_t bytes) : memory_(&memory) { TierEntry::bytes = bytes; }

  DeviceMemory* memory_;
  void* device_ = nullptr;  // null while evicted
  ChunkPtr evicted_;        // the host copy while evicted (or being evicted)
};

// Keeps a buffer in device memory while it lives (a kernel's inputs and
// output), so eviction cannot take it.
class DevicePin {
 public:
  DevicePin() = default;
  explicit DevicePin(std::shared_ptr<DeviceBuffer> buffer);  // reloads an evicted buffer
  DevicePin(DevicePin&& other) noexcept = default;
  DevicePin& operator=(DevicePin&& other) noexcept;
  ~DevicePin();

  void* data() const noexcept { return buffer_->device_; }
  const std::shared_ptr<DeviceBuffer>& buffer() const noexcept { return buffer_; }

 private:
  friend class DeviceMemory;
  struct Adopt {};
  DevicePin(std::shared_ptr<DeviceBuffer> buffer, Adopt) : buffer_(std::move(buffer)) {}
  void release() noexcept;
  std::shared_ptr<DeviceBuffer> buffer_;
};

class DeviceMemory final : private TierMover {
 public:
  DeviceMemory(std::unique_ptr<DeviceAllocator> allocator, std::size_t limit);
  DeviceMemory(const DeviceMemory&) = delete;
  DeviceMemory& operator=(const DeviceMemory&) = delete;

  // A new buffer of `bytes`, in device memory and pinned by the result.
  // Evicts to make room; throws CudaError when nothing is left to evict.
  DevicePin allocate(std::size_t bytes);
  DeviceAllocator& allocator() const noexcept { return *allocator_; }
  DeviceMemoryStats stats() const;
  void set_limit(std::size_t limit) { tier_.set_limit(limit); }

 private:
  friend class DeviceBuffer;
  friend class DevicePin;
  // Device memory for `bytes` once the tier made room: while the device
  // itself is full, evicts more whatever the limit (the limit is what
  // dagger aims for, the device's own size is what it cannot pass).
  void* device_room(std::size_t bytes);

  // The tier's mover: host chunks.
  bool copy_below(TierEntry& entry) override;
  void let_go(TierEntry& entry) override;
  void discard_copy(TierEntry& entry) override;
  void bring_back(TierEntry& entry) override;
  void forget(TierEntry& entry, bool was_below) override;

  static DeviceBuffer& buffer_of(TierEntry& entry) { return static_cast<DeviceBuffer&>(entry); }

  std::unique_ptr<DeviceAllocator> allocator_;
  MemoryTier tier_;
};

}  // namespace dagger::detail
