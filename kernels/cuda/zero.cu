// Zeroing device blocks (a product with an empty inner dimension). Every
// element type's zero is all zero bits, so one memset serves them all.
// Random blocks are not filled here: their values come from the element
// programs' generator, the host's bits (elementwise.cu, reduce.cu).
#include "device_state.cuh"
#include "kernels.cuh"

namespace dagger::cuda {

int zero(int device, long long bytes, void* device_out, dagger_cuda_error* error) {
  DeviceState* s = nullptr;
  if (int code = device_state(device, &s, error)) return code;
  if (bytes == 0) return 0;
  std::lock_guard lock(s->compute_lock);
  DAGGER_CUDA_CHECK("cudaMemsetAsync", cudaMemsetAsync(device_out, 0, static_cast<std::size_t>(bytes), s->compute));
  return finish(*s, "cudaMemsetAsync", error);
}

}  // namespace dagger::cuda
