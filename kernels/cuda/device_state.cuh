// What the CUDA module keeps per device: its streams, library handles and
// pinned staging buffers, made on first use. Calls that launch work on a
// device take its compute lock, so kernels from several host threads queue
// in order on one stream; copies take the copy lock and use their own
// stream, so a copy overlaps a running kernel.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cusparse.h>

#include <cstdio>
#include <mutex>

#include "backends/cuda/module/cuda_module_abi.h"

namespace dagger::cuda {

struct DeviceState {
  static constexpr unsigned long long kStagingBytes = 8ull << 20;

  int ordinal = 0;
  cudaStream_t compute = nullptr;
  cudaStream_t copy = nullptr;
  // Made by the first gemm or spmm (under the compute lock), once the
  // libraries are open.
  cublasHandle_t blas = nullptr;
  cusparseHandle_t sparse = nullptr;
  std::mutex compute_lock;
  std::mutex copy_lock;
  // Two pinned buffers, so that filling one overlaps the copy of the other.
  void* staging[2] = {nullptr, nullptr};
  cudaEvent_t staged[2] = {nullptr, nullptr};
};

// The state of `device`, made on first use, with that device current on the
// calling thread. Returns 0 or an error code (error filled in).
int device_state(int device, DeviceState** out, dagger_cuda_error* error);

// Fill `error` with what `call` said and return a nonzero code.
int fail(dagger_cuda_error* error, const char* call, cudaError_t status);
int fail_with(dagger_cuda_error* error, const char* call, const char* what);

// Waits for the compute stream and reports a failed launch or kernel.
int finish(DeviceState& state, const char* kernel, dagger_cuda_error* error);

// Blocks and threads for a grid-stride loop over n elements.
inline unsigned blocks_for(long long n, unsigned threads) {
  long long blocks = (n + threads - 1) / threads;
  if (blocks > 65535 * 4) blocks = 65535 * 4;
  return blocks > 0 ? static_cast<unsigned>(blocks) : 1u;
}

}  // namespace dagger::cuda

#define DAGGER_CUDA_CHECK(call_name, ...)                                                 \
  do {                                                                                    \
    auto dagger_status_ = (__VA_ARGS__);                                                  \
    if (dagger_status_ != decltype(dagger_status_){}) return ::dagger::cuda::fail(error, call_name, dagger_status_); \
  } while (0)
