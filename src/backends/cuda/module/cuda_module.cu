// The CUDA module: the only code that calls the CUDA runtime. Built by nvcc
// into libdagger_cuda.so, linked with the static CUDA runtime so that it
// loads on any machine (the driver, libcuda, is opened by the runtime only
// when a device is asked for).
#include <cuda_runtime.h>

#include <cstdio>
#include <cstring>

#include "kernels/cuda/kernels.cuh"
#include "kernels/cuda/libraries.cuh"
#include "kernels/cuda/memory.cuh"
#include "backends/cuda/module/cuda_module_abi.h"

namespace {

void say(dagger_cuda_error* out, const char* what, cudaError_t error) {
  if (out) std::snprintf(out->text, sizeof out->text, "%s: %s (%s)", what, cudaGetErrorString(error), cudaGetErrorName(error));
}

int device_count(int* count, dagger_cuda_error* message) {
  *count = 0;
  const cudaError_t error = cudaGetDeviceCount(count);
  if (error != cudaSuccess) {
    *count = 0;
    cudaGetLastError();  // clear it: no device is not a sticky failure
    // No driver, a driver too old, or no device: no CUDA processors.
    say(message, "cudaGetDeviceCount", error);
    const bool absent = error == cudaErrorNoDevice || error == cudaErrorInsufficientDriver ||
                        error == cudaErrorNotPermitted;
    return absent ? 0 : static_cast<int>(error);
  }
  if (*count == 0 && message) std::snprintf(message->text, sizeof message->text, "the CUDA runtime sees no device");
  return 0;
}

int attribute(int* out, cudaDeviceAttr what, int ordinal, dagger_cuda_error* message) {
  const cudaError_t error = cudaDeviceGetAttribute(out, what, ordinal);
  if (error != cudaSuccess) say(message, "cudaDeviceGetAttribute", error);
  return static_cast<int>(error);
}

int describe(int ordinal, dagger_cuda_device_info* out, dagger_cuda_error* message) {
  std::memset(out, 0, sizeof *out);
  out->ordinal = ordinal;
  cudaDeviceProp prop;
  cudaError_t error = cudaGetDeviceProperties(&prop, ordinal);
  if (error != cudaSuccess) {
    say(message, "cudaGetDeviceProperties", error);
    return static_cast<int>(error);
  }
  std::snprintf(out->name, sizeof out->name, "%s", prop.name);
  out->memory_bytes = prop.totalGlobalMem;
  out->compute_major = prop.major;
  out->compute_minor = prop.minor;
  out->multiprocessors = prop.multiProcessorCount;
  out->pci_bus_id = prop.pciBusID;
  // Clock and bus width are attributes (no longer cudaDeviceProp fields).
  if (int e = attribute(&out->memory_clock_khz, cudaDevAttrMemoryClockRate, ordinal, message)) return e;
  return attribute(&out->memory_bus_bits, cudaDevAttrGlobalMemoryBusWidth, ordinal, message);
}

const dagger_cuda_module table = {
    DAGGER_CUDA_MODULE_ABI_VERSION,
    CUDART_VERSION,
    &device_count,
    &describe,
    &dagger::cuda::load_libraries,
    &dagger::cuda::allocate,
    &dagger::cuda::release,
    &dagger::cuda::to_device,
    &dagger::cuda::to_host,
    &dagger::cuda::peer_copy,
    &dagger::cuda::elementwise,
    &dagger::cuda::reduce,
    &dagger::cuda::reduce_lines,
    &dagger::cuda::gemm,
    &dagger::cuda::transpose,
    &dagger::cuda::zero,
    &dagger::cuda::sort,
    &dagger::cuda::spmm,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const dagger_cuda_module* dagger_cuda_module_v2(void) {
  return &table;
}
