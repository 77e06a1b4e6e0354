// Dense matrix products with cuBLAS (64-bit sizes): gemv when the right
// operand is one column, gemm otherwise.
#include "device_state.cuh"
#include "kernels.cuh"
#include "libraries.cuh"

#define DAGGER_CUBLAS(call_name, ...)                                                          \
  do {                                                                                         \
    const cublasStatus_t status_ = (__VA_ARGS__);                                              \
    if (status_ != CUBLAS_STATUS_SUCCESS) return fail_with(error, call_name, lib->cublasGetStatusName(status_)); \
  } while (0)

namespace dagger::cuda {

int gemm(int device, int dtype, long long m, long long n, long long k, const void* device_a, const void* device_b,
         void* device_c, int accumulate, dagger_cuda_error* error) {
  const Libraries* lib = nullptr;
  if (int code = libraries(&lib, error)) return code;
  DeviceState* s = nullptr;
  if (int code = device_state(device, &s, error)) return code;
  std::lock_guard lock(s->compute_lock);
  if (s->blas == nullptr) {
    DAGGER_CUBLAS("cublasCreate", lib->cublasCreate(&s->blas));
    DAGGER_CUBLAS("cublasSetStream", lib->cublasSetStream(s->blas, s->compute));
  }
  if (n == 1 && dtype == DAGGER_CUDA_F64) {
    const double one = 1, beta = accumulate ? 1 : 0;
    DAGGER_CUBLAS("cublasDgemv_64", lib->cublasDgemv_64(s->blas, CUBLAS_OP_N, m, k, &one,
                                                        static_cast<const double*>(device_a), m,
                                                        static_cast<const double*>(device_b), 1, &beta,
                                                        static_cast<double*>(device_c), 1));
  } else if (n == 1 && dtype == DAGGER_CUDA_F32) {
    const float one = 1, beta = accumulate ? 1 : 0;
    DAGGER_CUBLAS("cublasSgemv_64", lib->cublasSgemv_64(s->blas, CUBLAS_OP_N, m, k, &one,
                                                        static_cast<const float*>(device_a), m,
                                                        static_cast<const float*>(device_b), 1, &beta,
                                                        static_cast<float*>(device_c), 1));
  } else if (dtype == DAGGER_CUDA_F64) {
    const double one = 1, beta = accumulate ? 1 : 0;
    DAGGER_CUBLAS("cublasDgemm_64",
                  lib->cublasDgemm_64(s->blas, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one,
                                      static_cast<const double*>(device_a), m, static_cast<const double*>(device_b),
                                      k, &beta, static_cast<double*>(device_c), m));
  } else if (dtype == DAGGER_CUDA_F32) {
    const float one = 1, beta = accumulate ? 1 : 0;
    DAGGER_CUBLAS("cublasSgemm_64",
                  lib->cublasSgemm_64(s->blas, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one,
                                      static_cast<const float*>(device_a), m, static_cast<const float*>(device_b), k,
                                      &beta, static_cast<float*>(device_c), m));
  } else {
    return fail_with(error, "gemm", "cuBLAS multiplies double and float blocks only");
  }
  return finish(*s, "cublas gemm", error);
}

}  // namespace dagger::cuda
