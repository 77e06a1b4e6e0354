// A device for tests on machines without a GPU: its "device memory" is host
// memory of a fixed capacity, so the device memory pool's eviction and the
// scheduler's placement and moves run for real; only the kernels are
// missing (they go to the CUDA module, which has no device here).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "backends/cuda/cuda_devices.hpp"
#include "backends/cuda/device_memory.hpp"

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

// A device as the CUDA runtime describes it (cudaGetDeviceProperties and
// cudaDeviceGetAttribute).
inline CudaDevice described(int ordinal, const char* name, unsigned long long memory, int major, int sms,
                            int memory_clock_khz, int bus_bits) {
  dagger_cuda_device_info info{};
  info.ordinal = ordinal;
  std::snprintf(info.name, sizeof info.name, "%s", name);
  info.memory_bytes = memory;
  info.compute_major = major;
  info.multiprocessors = sms;
  info.memory_clock_khz = memory_clock_khz;
  info.memory_bus_bits = bus_bits;
  return detail::device_from_info(info);
}

// What the runtime reports of an H100 SXM and an A100 SXM4.
inline CudaDevice h100(int ordinal = 0) {
  return described(ordinal, "NVIDIA H100 80GB HBM3", 85'017'886'720ull, 9, 132, 2'619'000, 5120);
}
inline CudaDevice a100(int ordinal = 1) {
  return described(ordinal, "NVIDIA A100-SXM4-40GB", 42'505'273'344ull, 8, 108, 1'215'000, 5120);
}

}  // namespace dagger::testing
