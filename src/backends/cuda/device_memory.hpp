// The memory of one accelerator, with a limit like host memory's: when a
// new block does not fit (over the limit, or the device itself says it is
// full), the least recently used blocks that no running kernel holds are
// copied to host memory and their device memory freed; a kernel that needs
// an evicted block brings it back first. Evicted blocks are ordinary host
// chunks, so under host memory pressure they spill on to disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "dagger/chunk.hpp"
#include "dagger/cuda.hpp"

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
class DeviceBuffer {
 public:
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  std::size_t bytes() const noexcept { return bytes_; }
  DeviceMemory& memory() const noexcept { return *memory_; }

 private:
  friend class DeviceMemory;
  friend class DevicePin;
  DeviceBuffer(DeviceMemory& memory, std::size_t bytes) : memory_(&memory), bytes_(bytes) {}

  DeviceMemory* memory_;
  std::size_t bytes_;
  void* device_ = nullptr;  // null while evicted
  ChunkPtr evicted_;        // the host copy while evicted
  int pins_ = 0;
  bool in_lru_ = false;
  std::list<DeviceBuffer*>::iterator lru_;
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

class DeviceMemory {
 public:
  DeviceMemory(std::unique_ptr<DeviceAllocator> allocator, std::size_t limit);
  DeviceMemory(const DeviceMemory&) = delete;
  DeviceMemory& operator=(const DeviceMemory&) = delete;

  // A new buffer of `bytes`, in device memory and pinned by the result.
  // Evicts to make room; throws CudaError when nothing is left to evict.
  DevicePin allocate(std::size_t bytes);
  DeviceAllocator& allocator() const noexcept { return *allocator_; }
  DeviceMemoryStats stats() const;
  void set_limit(std::size_t limit);

 private:
  friend class DeviceBuffer;
  friend class DevicePin;
  void* room_for(std::size_t bytes, std::unique_lock<std::mutex>& lock);
  bool evict_one(std::unique_lock<std::mutex>& lock);
  void pin(DeviceBuffer& buffer);
  void unpin(DeviceBuffer& buffer) noexcept;
  void forget(DeviceBuffer& buffer) noexcept;

  std::unique_ptr<DeviceAllocator> allocator_;
  mutable std::mutex mutex_;
  std::size_t limit_;
  std::size_t resident_ = 0;
  std::size_t peak_ = 0;
  std::size_t evicted_ = 0;
  std::uint64_t evictions_ = 0;
  std::uint64_t reloads_ = 0;
  std::list<DeviceBuffer*> lru_;  // unpinned resident buffers, most recent first
};

}  // namespace dagger::detail
