#include "backends/cuda/device_memory.hpp"

#include <algorithm>

#include "dagger/array/block.hpp"
#include "dagger/errors.hpp"
#include "dagger/processor.hpp"

namespace dagger::detail {

DeviceBuffer::~DeviceBuffer() { memory_->forget(*this); }

DevicePin::DevicePin(std::shared_ptr<DeviceBuffer> buffer) : buffer_(std::move(buffer)) {
  buffer_->memory().pin(*buffer_);
}

DevicePin& DevicePin::operator=(DevicePin&& other) noexcept {
  if (this != &other) {
    release();
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

DevicePin::~DevicePin() { release(); }

void DevicePin::release() noexcept {
  if (buffer_) buffer_->memory().unpin(*buffer_);
  buffer_.reset();
}

DeviceMemory::DeviceMemory(std::unique_ptr<DeviceAllocator> allocator, std::size_t limit)
    : allocator_(std::move(allocator)), limit_(limit) {}

DevicePin DeviceMemory::allocate(std::size_t bytes) {
  std::unique_lock lock(mutex_);
  void* pointer = room_for(bytes, lock);
  std::shared_ptr<DeviceBuffer> buffer(new DeviceBuffer(*this, bytes));
  buffer->device_ = pointer;
  buffer->pins_ = 1;
  return DevicePin(std::move(buffer), DevicePin::Adopt{});
}

// Device memory for `bytes`, counted as resident: evicts down to the limit,
// then, while the device itself has no room, evicts more. Above the limit
// with nothing left to evict it still tries: the limit is what dagger aims
// for, the device's own size is what it cannot pass.
void* DeviceMemory::room_for(std::size_t bytes, std::unique_lock<std::mutex>& lock) {
  while (resident_ + bytes > limit_ && evict_one(lock)) {
  }
  for (;;) {
    if (void* pointer = allocator_->allocate(bytes)) {
      resident_ += bytes;
      peak_ = std::max(peak_, resident_);
      return pointer;
    }
    if (!evict_one(lock)) {
      throw CudaError(allocator_->name(), "cudaMalloc",
                      "out of device memory: " + std::to_string(bytes) + " bytes wanted, " +
                          std::to_string(resident_) + " held by running kernels, nothing left to evict");
    }
  }
}

bool DeviceMemory::evict_one(std::unique_lock<std::mutex>&) {
  if (lru_.empty()) return false;
  DeviceBuffer& victim = *lru_.back();
  Block host = Block::make(DType::b8, static_cast<std::int64_t>(victim.bytes_), 1);
  allocator_->to_host(host.buffer.get(), victim.device_, victim.bytes_);
  lru_.pop_back();
  victim.in_lru_ = false;
  allocator_->release(victim.device_);
  victim.device_ = nullptr;
  // An ordinary host chunk: the chunk store may spill it to disk in turn.
  victim.evicted_ = std::make_shared<ChunkData>(Value::make<Block>(std::move(host)), host_memory(), 0);
  resident_ -= victim.bytes_;
  evicted_ += victim.bytes_;
  ++evictions_;
  return true;
}

void DeviceMemory::pin(DeviceBuffer& buffer) {
  std::unique_lock lock(mutex_);
  if (buffer.device_ == nullptr) {
    void* pointer = room_for(buffer.bytes_, lock);
    try {
      ScopedPin host(*buffer.evicted_);
      allocator_->to_device(pointer, buffer.evicted_->value.get<Block>().buffer.get(), buffer.bytes_);
    } catch (...) {
      allocator_->release(pointer);
      resident_ -= buffer.bytes_;
      throw;
    }
    buffer.device_ = pointer;
    buffer.evicted_.reset();
    evicted_ -= buffer.bytes_;
    ++reloads_;
  } else if (buffer.in_lru_) {
    lru_.erase(buffer.lru_);
    buffer.in_lru_ = false;
  }
  ++buffer.pins_;
}

void DeviceMemory::unpin(DeviceBuffer& buffer) noexcept {
  std::lock_guard lock(mutex_);
  if (--buffer.pins_ == 0 && buffer.device_ != nullptr) {
    lru_.push_front(&buffer);
    buffer.lru_ = lru_.begin();
    buffer.in_lru_ = true;
  }
}

void DeviceMemory::forget(DeviceBuffer& buffer) noexcept {
  ChunkPtr evicted;  // released after the lock: its destructor takes the chunk store's
  {
    std::lock_guard lock(mutex_);
    if (buffer.in_lru_) lru_.erase(buffer.lru_);
    if (buffer.device_ != nullptr) {
      allocator_->release(buffer.device_);
      resident_ -= buffer.bytes_;
    }
    if (buffer.evicted_) {
      evicted_ -= buffer.bytes_;
      evicted = std::move(buffer.evicted_);
    }
  }
}

DeviceMemoryStats DeviceMemory::stats() const {
  std::lock_guard lock(mutex_);
  return {limit_, resident_, peak_, evicted_, evictions_, reloads_};
}

void DeviceMemory::set_limit(std::size_t limit) {
  std::unique_lock lock(mutex_);
  limit_ = limit;
  while (resident_ > limit_ && evict_one(lock)) {
  }
}

}  // namespace dagger::detail
