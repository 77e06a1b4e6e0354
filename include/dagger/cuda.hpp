// The CUDA devices this process can use, and why there are none when there
// are none. CUDA support is a module (libdagger_cuda.so) that the runtime
// loads when it is present, so one build runs with and without CUDA.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

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

}  // namespace dagger
