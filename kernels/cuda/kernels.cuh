// The CUDA block kernels of the module, one function per operation, each
// with the signature of its entry in dagger_cuda_module (cuda_module_abi.h).
#pragma once

#include "backends/cuda/module/cuda_module_abi.h"

namespace dagger::cuda {

int elementwise(int device, const void* program, const void* const* device_inputs, int input_count,
                void* device_out, long long n, dagger_cuda_error* error);
int reduce(int device, const void* program, const void* const* device_inputs, int input_count, long long n, int op,
           int accumulate, void* host_result, dagger_cuda_error* error);
int reduce_lines(int device, const void* program, const void* const* device_inputs, int input_count, long long rows,
                 long long cols, int dim, int op, int accumulate, void* device_out, dagger_cuda_error* error);
int gemm(int device, int dtype, long long m, long long n, long long k, const void* device_a, const void* device_b,
         void* device_c, int accumulate, dagger_cuda_error* error);
int transpose(int device, int dtype, long long rows, long long cols, const void* device_in, void* device_out,
              dagger_cuda_error* error);
int zero(int device, long long bytes, void* device_out, dagger_cuda_error* error);
int sort(int device, int dtype, long long n, void* device_data, int descending, dagger_cuda_error* error);
int spmm(int device, int dtype, long long rows, long long inner, long long cols, long long nnz,
         const long long* device_col_starts, const long long* device_row_indices, const void* device_values,
         const void* device_dense, void* device_out, int accumulate, dagger_cuda_error* error);

}  // namespace dagger::cuda
