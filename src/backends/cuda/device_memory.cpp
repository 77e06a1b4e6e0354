#include "backends/cuda/device_memory.hpp"

#include <algorithm>

#include "dagger/array/block.hpp"
#include "dagger/errors.hpp"
#include "dagger/processor.hpp"

namespace dagger::detail {

DeviceBuffer::~DeviceBuffer() { memory_->tier_.remove(*this); }

DevicePin::DevicePin(std::shared_ptr<DeviceBuffer> buffer) : buffer_(std::move(buffer)) {
  buffer_->memory().tier_.pin(*buffer_);
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
  if (buffer_) buffer_->memory().tier_.unpin(*buffer_);
  buffer_.reset();
}

DeviceMemory::DeviceMemory(std::unique_ptr<DeviceAllocator> allocator, std::size_t limit)
    : allocator_(std::move(allocator)), tier_(*this, limit) {}

DevicePin DeviceMemory::allocate(std::size_t bytes) {
  tier_.make_room(bytes);
  void* pointer = device_room(bytes);
  std::shared_ptr<DeviceBuffer> buffer(new DeviceBuffer(*this, bytes));
  buffer->device_ = pointer;
  buffer->pins = 1;
  tier_.add(*buffer);
  return DevicePin(std::move(buffer), DevicePin::Adopt{});
}

void* DeviceMemory::device_room(std::size_t bytes) {
  for (;;) {
    if (void* pointer = allocator_->allocate(bytes)) return pointer;
    if (!tier_.move_one_out()) {
      throw CudaError(allocator_->name(), "cudaMalloc",
                      "out of device memory: " + std::to_string(bytes) + " bytes wanted, " +
                          std::to_string(tier_.resident()) + " held by running kernels, nothing left to evict");
    }
  }
}

// An ordinary host chunk: the chunk store may spill it to disk in turn.
bool DeviceMemory::copy_below(TierEntry& entry) {
  DeviceBuffer& b = buffer_of(entry);
  Block host = Block::make(DType::b8, static_cast<std::int64_t>(b.bytes()), 1);
  allocator_->to_host(host.buffer.get(), b.device_, b.bytes());
  b.evicted_ = std::make_shared<ChunkData>(Value::make<Block>(std::move(host)), host_memory(), 0);
  return true;
}

void DeviceMemory::let_go(TierEntry& entry) {
  DeviceBuffer& b = buffer_of(entry);
  allocator_->release(b.device_);
  b.device_ = nullptr;
}

void DeviceMemory::discard_copy(TierEntry& entry) { buffer_of(entry).evicted_.reset(); }

void DeviceMemory::bring_back(TierEntry& entry) {
  DeviceBuffer& b = buffer_of(entry);
  void* pointer = device_room(b.bytes());
  try {
    ScopedPin host(*b.evicted_);
    allocator_->to_device(pointer, b.evicted_->value.get<Block>().buffer.get(), b.bytes());
  } catch (...) {
    allocator_->release(pointer);
    throw;
  }
  b.device_ = pointer;
  b.evicted_.reset();
}

void DeviceMemory::forget(TierEntry& entry, bool was_below) {
  DeviceBuffer& b = buffer_of(entry);
  if (was_below) {
    b.evicted_.reset();
  } else {
    allocator_->release(b.device_);
    b.device_ = nullptr;
  }
}

DeviceMemoryStats DeviceMemory::stats() const {
  const TierStats t = tier_.stats();
  return {t.limit, t.resident, t.peak, t.below, t.moves_out, t.moves_back};
}

}  // namespace dagger::detail
