// The CUDA module: the only code that calls the CUDA runtime. Built by nvcc
// into libdagger_cuda.so, linked with the static CUDA runtime so that it
// loads on any machine (the driver, libcuda, is opened by the runtime only
// when a device is asked for).
#include <cuda_runtime.h>

#include <cstdio>
#include <cstring>

#include "processors/cuda/cuda_module_abi.h"

namespace {

void say(char* message, unsigned long size, const char* what, cudaError_t error) {
  if (message && size > 0) {
    std::snprintf(message, size, "%s: %s (%s)", what, cudaGetErrorString(error), cudaGetErrorName(error));
  }
}

int device_count(int* count, char* message, unsigned long size) {
  *count = 0;
  const cudaError_t error = cudaGetDeviceCount(count);
  if (error != cudaSuccess) {
    *count = 0;
    cudaGetLastError();  // clear it: no device is not a sticky failure
    // No driver, a driver too old, or no device: no CUDA processors.
    say(message, size, "cudaGetDeviceCount", error);
    const bool absent = error == cudaErrorNoDevice || error == cudaErrorInsufficientDriver ||
                        error == cudaErrorNotPermitted;
    return absent ? 0 : static_cast<int>(error);
  }
  if (*count == 0 && message && size > 0) std::snprintf(message, size, "the CUDA runtime sees no device");
  return 0;
}

int attribute(int* out, cudaDeviceAttr what, int ordinal, char* message, unsigned long size) {
  const cudaError_t error = cudaDeviceGetAttribute(out, what, ordinal);
  if (error != cudaSuccess) say(message, size, "cudaDeviceGetAttribute", error);
  return static_cast<int>(error);
}

int describe(int ordinal, dagger_cuda_device_info* out, char* message, unsigned long size) {
  std::memset(out, 0, sizeof *out);
  out->ordinal = ordinal;
  cudaDeviceProp prop;
  cudaError_t error = cudaGetDeviceProperties(&prop, ordinal);
  if (error != cudaSuccess) {
    say(message, size, "cudaGetDeviceProperties", error);
    return static_cast<int>(error);
  }
  std::snprintf(out->name, sizeof out->name, "%s", prop.name);
  out->memory_bytes = prop.totalGlobalMem;
  out->compute_major = prop.major;
  out->compute_minor = prop.minor;
  out->multiprocessors = prop.multiProcessorCount;
  out->pci_bus_id = prop.pciBusID;
  // Clock and bus width are attributes (no longer cudaDeviceProp fields).
  if (int e = attribute(&out->memory_clock_khz, cudaDevAttrMemoryClockRate, ordinal, message, size)) return e;
  return attribute(&out->memory_bus_bits, cudaDevAttrGlobalMemoryBusWidth, ordinal, message, size);
}

const dagger_cuda_module table = {
    DAGGER_CUDA_MODULE_ABI_VERSION,
    CUDART_VERSION,
    &device_count,
    &describe,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const dagger_cuda_module* dagger_cuda_module_v1(void) {
  return &table;
}
