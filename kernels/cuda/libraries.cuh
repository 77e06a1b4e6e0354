// cuBLAS and cuSPARSE, opened on first use. Loading them costs a process
// about 0.1 s (cuBLAS alone is hundreds of megabytes), which a machine
// without a GPU, or a program that never multiplies matrices on one, should
// not pay; so the module does not link
// them, and the kernels that need them call through this table.
#pragma once

#include <cublas_v2.h>
#include <cusparse.h>

#include "backends/cuda/module/cuda_module_abi.h"

// The entry points used, by library (names as the headers spell them; some
// are macros for versioned symbols, e.g. cublasCreate -> cublasCreate_v2).
#define DAGGER_CUBLAS_ENTRIES(X) \
  X(cublasCreate) X(cublasSetStream) X(cublasDgemm_64) X(cublasSgemm_64) X(cublasDgemv_64) X(cublasSgemv_64) \
  X(cublasGetStatusName)
#define DAGGER_CUSPARSE_ENTRIES(X)                                                                 \
  X(cusparseCreate) X(cusparseSetStream) X(cusparseCreateCsc) X(cusparseCreateDnMat)               \
  X(cusparseDestroySpMat) X(cusparseDestroyDnMat) X(cusparseSpMM_bufferSize) X(cusparseSpMM)       \
  X(cusparseGetErrorName)

namespace dagger::cuda {

struct Libraries {
#define DAGGER_POINTER(name) decltype(&::name) name = nullptr;
  DAGGER_CUBLAS_ENTRIES(DAGGER_POINTER)
  DAGGER_CUSPARSE_ENTRIES(DAGGER_POINTER)
#undef DAGGER_POINTER
};

// The table, loaded once. Returns 0, or an error naming the library or
// symbol that could not be found (every later call returns the same).
int libraries(const Libraries** out, dagger_cuda_error* error);
// The load_libraries entry of the module's table.
int load_libraries(dagger_cuda_error* error);

}  // namespace dagger::cuda
