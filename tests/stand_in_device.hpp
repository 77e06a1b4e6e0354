// A device for tests on machines without a GPU: its "device memory" is host
// memory of a fixed capacity, so the device memory pool's eviction and the
// scheduler's placement and moves run for real; only the kernels are
// missing (they go to the CUDA module, which has no device here).
#pragma once

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "processors/cuda_devices.hpp"
#include "processors/device_memory.hpp"

namespace dagger::testing {

class StandInAllocator final : public detail::DeviceAllocator {
 public:
  explicit StandInAllocator(std::size_t capacity, std::string name = "stand-in device")
      : capacity_(capacity), name_(std::move(name)) {}

  void* allocate(std::size_t bytes) override {
    if (used_ + bytes > capacity_) return nullptr;  // as cudaMalloc on a full device
    used_ += bytes;
    void* p = std::malloc(bytes + sizeof(std::size_t));
    std::memcpy(p, &bytes, sizeof bytes);
    return static_cast<char*>(p) + sizeof(std::size_t);
  }
  void release(void* pointer) noexcept override {
    char* base = static_cast<char*>(pointer) - sizeof(std::size_t);
    std::size_t bytes;
    std::memcpy(&bytes, base, sizeof bytes);
    used_ -= bytes;
    std::free(base);
  }
  void to_device(void* dst, const void* src, std::size_t bytes) override { std::memcpy(dst, src, bytes); }
  void to_host(void* dst, const void* src, std::size_t bytes) override { std::memcpy(dst, src, bytes); }
  std::string name() const override { return name_; }

 private:
  std::size_t capacity_;
  std::size_t used_ = 0;
  std::string name_;
};

// What the CUDA runtime reports of real cards (cudaGetDeviceProperties and
// cudaDeviceGetAttribute on an H100 SXM and an A100 SXM4).
inline CudaDevice h100(int ordinal = 0) {
  dagger_cuda_device_info info{};
  info.ordinal = ordinal;
  std::snprintf(info.name, sizeof info.name, "NVIDIA H100 80GB HBM3");
  info.memory_bytes = 85'017'886'720ull;
  info.compute_major = 9;
  info.multiprocessors = 132;
  info.memory_clock_khz = 2'619'000;
  info.memory_bus_bits = 5120;
  return detail::device_from_info(info);
}

inline CudaDevice a100(int ordinal = 1) {
  dagger_cuda_device_info info{};
  info.ordinal = ordinal;
  std::snprintf(info.name, sizeof info.name, "NVIDIA A100-SXM4-40GB");
  info.memory_bytes = 42'505'273'344ull;
  info.compute_major = 8;
  info.multiprocessors = 108;
  info.memory_clock_khz = 1'215'000;
  info.memory_bus_bits = 5120;
  return detail::device_from_info(info);
}

}  // namespace dagger::testing
