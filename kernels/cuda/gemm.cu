// Dense matrix products with cuBLAS (64-bit sizes).
#include "device_state.cuh"
#include "kernels.cuh"

namespace dagger::cuda {

int gemm(int device, int dtype, long long m, long long n, long long k, const void* device_a, const void* device_b,
         void* device_c, int accumulate, dagger_cuda_error* error) {
  DeviceState* s = nullptr;
  if (int code = device_state(device, &s, error)) return code;
  std::lock_guard lock(s->compute_lock);
  if (dtype == DAGGER_CUDA_F64) {
    const double one = 1, beta = accumulate ? 1 : 0;
    DAGGER_CUDA_CHECK("cublasDgemm_64",
                      cublasDgemm_64(s->blas, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one,
                                     static_cast<const double*>(device_a), m, static_cast<const double*>(device_b), k,
                                     &beta, static_cast<double*>(device_c), m));
  } else if (dtype == DAGGER_CUDA_F32) {
    const float one = 1, beta = accumulate ? 1 : 0;
    DAGGER_CUDA_CHECK("cublasSgemm_64",
                      cublasSgemm_64(s->blas, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one,
                                     static_cast<const float*>(device_a), m, static_cast<const float*>(device_b), k,
                                     &beta, static_cast<float*>(device_c), m));
  } else {
    return fail_with(error, "gemm", "cuBLAS multiplies double and float blocks only");
  }
  return finish(*s, "cublas gemm", error);
}

}  // namespace dagger::cuda
