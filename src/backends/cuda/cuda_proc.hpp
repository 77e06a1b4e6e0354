// CudaProcs inside the runtime: making them for the devices the CUDA module
// sees, the thread that drives each, and errors from the module.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dagger/cuda.hpp"
#include "backends/cuda/module/cuda_module_abi.h"
#include "backends/cuda/device_memory.hpp"

namespace dagger::detail {

// One CudaProc per device of the loaded module (none without one).
std::vector<std::unique_ptr<Processor>> make_cuda_processors(OSProc& owner);
// The CudaProc this thread drives, or null on other threads.
CudaProc* current_cuda_proc();
// Applies Config::device_memory_limit to every CudaProc.
void apply_device_memory_limit(std::size_t limit);
// The limit for a device of `memory_bytes` under a configured limit (0: 90%).
std::size_t device_memory_limit_for(std::size_t configured, std::size_t memory_bytes);

// Throws the module's error as a CudaError naming the device and the call.
[[noreturn]] void throw_cuda_error(const std::string& device, const dagger_cuda_error& error);
// Checks a module call's result code.
inline void check_cuda(int code, const std::string& device, const dagger_cuda_error& error) {
  if (code != 0) throw_cuda_error(device, error);
}

// The module's allocator for device `ordinal`.
std::unique_ptr<DeviceAllocator> module_allocator(const dagger_cuda_module& module, int ordinal, std::string name);

}  // namespace dagger::detail
