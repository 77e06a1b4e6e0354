// The CUDA devices this process can use, and why there are none when there
// are none. CUDA support is a module (libdagger_cuda.so) that the runtime
// loads when it is present, so one build runs with and without CUDA.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dagger/processor.hpp"

namespace dagger {

struct CudaDevice {
  int ordinal = 0;
  std::string name;                // "NVIDIA H100 80GB HBM3"
  std::size_t memory_bytes = 0;
  int compute_major = 0, compute_minor = 0;
  int multiprocessors = 0;
  double memory_bandwidth = 0;     // bytes/s at peak: memory clock x 2 (DDR) x bus width
};

struct CudaStatus {
  bool built = false;   // this build made the CUDA module
  bool loaded = false;  // the module was found and loaded
  std::string module;   // its path, once found
  int runtime_version = 0;  // of the CUDA runtime in the module, e.g. 13000
  std::vector<CudaDevice> devices;
  std::string reason;   // why `devices` is empty; empty otherwise
};

// Looks once (the module: $DAGGER_CUDA_MODULE, else where the build or the
// installation put it), then answers from memory. Never throws: no module,
// no driver or no device is an empty device list with a reason.
const CudaStatus& cuda_status();

// What a device's memory is doing (CudaProc::memory_stats()).
struct DeviceMemoryStats {
  std::size_t limit = 0;
  std::size_t resident_bytes = 0;  // blocks in device memory now
  std::size_t peak_resident_bytes = 0;
  std::size_t evicted_bytes = 0;   // blocks of this device evicted to host memory now
  std::uint64_t evictions = 0;     // since start
  std::uint64_t reloads = 0;
};

namespace detail {
class DeviceMemory;
class DeviceAllocator;
}

// The memory of one CUDA device: blocks moved there live in device memory
// under a limit (Config::device_memory_limit), evicted to host memory when
// the device is full.
class CudaMemorySpace final : public MemorySpace {
 public:
  CudaMemorySpace(const CudaDevice& device, std::unique_ptr<detail::DeviceAllocator> allocator);
  ~CudaMemorySpace() override;
  // PCIe to and from the host and between devices; the device's own
  // bandwidth within it.
  double bandwidth_to(const MemorySpace& to) const override;
  const CudaDevice& device() const noexcept { return device_; }
  detail::DeviceMemory& pool() const noexcept { return *pool_; }

 private:
  CudaDevice device_;
  std::unique_ptr<detail::DeviceMemory> pool_;
};

// One CUDA device, driven by one host thread that launches its kernels.
class CudaProc final : public Processor {
 public:
  // A device as described (tests and placement studies use descriptions of
  // real cards; the runtime makes one per device the CUDA runtime sees).
  CudaProc(OSProc& owner, const CudaDevice& device, std::unique_ptr<detail::DeviceAllocator> allocator);
  ProcKind kind() const override { return ProcKind::cuda(); }
  MemorySpace& memory() const override { return *memory_; }
  std::string name() const override;
  Processor* parent() const override { return owner_; }
  void on_driver_start() override;
  const CudaDevice& device() const noexcept { return memory_->device(); }
  DeviceMemoryStats memory_stats() const;

 private:
  OSProc* owner_;
  std::unique_ptr<CudaMemorySpace> memory_;
};

// The CudaProcs of this process (one per device; none without CUDA).
std::vector<CudaProc*> cuda_processors();

}  // namespace dagger
