#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cusparse.h>
#include <thrust/device_ptr.h>
#include <thrust/execution_policy.h>
#include <thrust/reduce.h>
#include <thrust/sequence.h>
#include <thrust/transform.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "gpu_baselines.hpp"

namespace bench {
namespace {

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) {
    std::fprintf(stderr, "%s: %s\n", what, cudaGetErrorString(e));
    std::exit(1);
  }
}

template <class F>
double median_seconds(int repeats, F&& run) {
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    const auto start = std::chrono::steady_clock::now();
    run();
    check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

struct Chain {
  __device__ double operator()(double x) const { return exp(-x * x) * 2 + sin(x); }
};

}  // namespace

double direct_gemm_seconds(long long n, int repeats) {
  double *a, *b, *c;
  check(cudaMalloc(&a, n * n * sizeof(double)), "cudaMalloc");
  check(cudaMalloc(&b, n * n * sizeof(double)), "cudaMalloc");
  check(cudaMalloc(&c, n * n * sizeof(double)), "cudaMalloc");
  cudaMemset(a, 0, n * n * sizeof(double));
  cudaMemset(b, 0, n * n * sizeof(double));
  cublasHandle_t h;
  cublasCreate(&h);
  const double one = 1, zero = 0;
  const double s = median_seconds(repeats, [&] {
    cublasDgemm_64(h, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, a, n, b, n, &zero, c, n);
  });
  cublasDestroy(h);
  cudaFree(a);
  cudaFree(b);
  cudaFree(c);
  return s;
}

double direct_chain_seconds(long long n, int repeats) {
  double *x, *y;
  check(cudaMalloc(&x, n * sizeof(double)), "cudaMalloc");
  check(cudaMalloc(&y, n * sizeof(double)), "cudaMalloc");
  thrust::sequence(thrust::device, thrust::device_pointer_cast(x), thrust::device_pointer_cast(x) + n, 0.0, 1e-8);
  const double s = median_seconds(repeats, [&] {
    thrust::transform(thrust::device, thrust::device_pointer_cast(x), thrust::device_pointer_cast(x) + n,
                      thrust::device_pointer_cast(y), Chain{});
  });
  cudaFree(x);
  cudaFree(y);
  return s;
}

double direct_sum_seconds(long long n, int repeats) {
  double* x;
  check(cudaMalloc(&x, n * sizeof(double)), "cudaMalloc");
  thrust::sequence(thrust::device, thrust::device_pointer_cast(x), thrust::device_pointer_cast(x) + n, 0.0, 1e-8);
  volatile double sink = 0;
  const double s = median_seconds(repeats, [&] {
    sink = thrust::reduce(thrust::device, thrust::device_pointer_cast(x), thrust::device_pointer_cast(x) + n, 0.0);
  });
  (void)sink;
  cudaFree(x);
  return s;
}

double direct_spmv_seconds(long long n, int nnz_per_column, int repeats) {
  const long long nnz = n * nnz_per_column;
  std::vector<long long> starts(n + 1), rows(nnz);
  for (long long j = 0; j <= n; ++j) starts[j] = j * nnz_per_column;
  for (long long k = 0; k < nnz; ++k) rows[k] = (k * 7919) % n;
  for (long long j = 0; j < n; ++j) std::sort(rows.begin() + starts[j], rows.begin() + starts[j + 1]);
  long long *d_starts, *d_rows;
  double *values, *x, *y;
  check(cudaMalloc(&d_starts, (n + 1) * sizeof(long long)), "cudaMalloc");
  check(cudaMalloc(&d_rows, nnz * sizeof(long long)), "cudaMalloc");
  check(cudaMalloc(&values, nnz * sizeof(double)), "cudaMalloc");
  check(cudaMalloc(&x, n * sizeof(double)), "cudaMalloc");
  check(cudaMalloc(&y, n * sizeof(double)), "cudaMalloc");
  cudaMemcpy(d_starts, starts.data(), (n + 1) * sizeof(long long), cudaMemcpyHostToDevice);
  cudaMemcpy(d_rows, rows.data(), nnz * sizeof(long long), cudaMemcpyHostToDevice);
  cudaMemset(values, 0, nnz * sizeof(double));
  cudaMemset(x, 0, n * sizeof(double));
  cusparseHandle_t h;
  cusparseCreate(&h);
  cusparseSpMatDescr_t s_desc;
  cusparseDnVecDescr_t x_desc, y_desc;
  cusparseCreateCsc(&s_desc, n, n, nnz, d_starts, d_rows, values, CUSPARSE_INDEX_64I, CUSPARSE_INDEX_64I,
                    CUSPARSE_INDEX_BASE_ZERO, CUDA_R_64F);
  cusparseCreateDnVec(&x_desc, n, x, CUDA_R_64F);
  cusparseCreateDnVec(&y_desc, n, y, CUDA_R_64F);
  const double one = 1, zero = 0;
  size_t bytes = 0;
  cusparseSpMV_bufferSize(h, CUSPARSE_OPERATION_NON_TRANSPOSE, &one, s_desc, x_desc, &zero, y_desc, CUDA_R_64F,
                          CUSPARSE_SPMV_ALG_DEFAULT, &bytes);
  void* buffer = nullptr;
  check(cudaMalloc(&buffer, bytes > 0 ? bytes : 1), "cudaMalloc");
  const double s = median_seconds(repeats, [&] {
    cusparseSpMV(h, CUSPARSE_OPERATION_NON_TRANSPOSE, &one, s_desc, x_desc, &zero, y_desc, CUDA_R_64F,
                 CUSPARSE_SPMV_ALG_DEFAULT, buffer);
  });
  cusparseDestroySpMat(s_desc);
  cusparseDestroyDnVec(x_desc);
  cusparseDestroyDnVec(y_desc);
  cusparseDestroy(h);
  for (void* p : {static_cast<void*>(d_starts), static_cast<void*>(d_rows), static_cast<void*>(values),
                  static_cast<void*>(x), static_cast<void*>(y), buffer}) {
    cudaFree(p);
  }
  return s;
}

}  // namespace bench
