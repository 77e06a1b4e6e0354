// Sorting a block's elements on the device, in either order (Thrust's radix
// sort for arithmetic keys, from CUB).
#include <thrust/system/cuda/execution_policy.h>

#include "device_state.cuh"
#include "kernels.cuh"
#include "thrust_algorithms.hpp"

namespace dagger::cuda {
namespace {

template <class T>
int sort_as(DeviceState& s, void* data, long long n, bool descending, dagger_cuda_error* error) {
  try {
    kernels::sort_elements(thrust::cuda::par.on(s.compute), static_cast<T*>(data), n, descending);
  } catch (const std::exception& e) {
    return fail_with(error, "thrust::sort", e.what());
  }
  return finish(s, "thrust::sort", error);
}

}  // namespace

int sort(int device, int dtype, long long n, void* device_data, int descending, dagger_cuda_error* error) {
  DeviceState* s = nullptr;
  if (int code = device_state(device, &s, error)) return code;
  std::lock_guard lock(s->compute_lock);
  switch (dtype) {
    case DAGGER_CUDA_F64: return sort_as<double>(*s, device_data, n, descending != 0, error);
    case DAGGER_CUDA_F32: return sort_as<float>(*s, device_data, n, descending != 0, error);
    case DAGGER_CUDA_I64: return sort_as<long long>(*s, device_data, n, descending != 0, error);
    case DAGGER_CUDA_B8: return sort_as<bool>(*s, device_data, n, descending != 0, error);
  }
  return fail_with(error, "sort", "unknown element type");
}

}  // namespace dagger::cuda
