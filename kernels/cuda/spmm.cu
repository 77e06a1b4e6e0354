// Sparse (CSC) times dense with cuSPARSE's generic SpMM, 64-bit indices.
#include "device_state.cuh"
#include "kernels.cuh"
#include "libraries.cuh"

#define DAGGER_CUSPARSE(call_name, ...)                                                          \
  do {                                                                                           \
    const cusparseStatus_t status_ = (__VA_ARGS__);                                              \
    if (status_ != CUSPARSE_STATUS_SUCCESS) return fail_with(error, call_name, lib->cusparseGetErrorName(status_)); \
  } while (0)

namespace dagger::cuda {
namespace {

// Destroys the cuSPARSE descriptors and the work buffer on every path.
struct Descriptors {
  const Libraries* lib = nullptr;
  cusparseSpMatDescr_t sparse = nullptr;
  cusparseDnMatDescr_t dense = nullptr;
  cusparseDnMatDescr_t out = nullptr;
  void* buffer = nullptr;
  cudaStream_t stream = nullptr;
  ~Descriptors() {
    if (sparse) lib->cusparseDestroySpMat(sparse);
    if (dense) lib->cusparseDestroyDnMat(dense);
    if (out) lib->cusparseDestroyDnMat(out);
    if (buffer) cudaFreeAsync(buffer, stream);
  }
};

template <class T>
int spmm_as(const Libraries* lib, DeviceState& s, cudaDataType type, long long rows, long long inner, long long cols, long long nnz,
            const long long* col_starts, const long long* row_indices, const void* values, const void* dense,
            void* out, int accumulate, dagger_cuda_error* error) {
  Descriptors d;
  d.lib = lib;
  d.stream = s.compute;
  DAGGER_CUSPARSE("cusparseCreateCsc",
                    lib->cusparseCreateCsc(&d.sparse, rows, inner, nnz, const_cast<long long*>(col_starts),
                                      const_cast<long long*>(row_indices), const_cast<void*>(values),
                                      CUSPARSE_INDEX_64I, CUSPARSE_INDEX_64I, CUSPARSE_INDEX_BASE_ZERO, type));
  DAGGER_CUSPARSE("cusparseCreateDnMat", lib->cusparseCreateDnMat(&d.dense, inner, cols, inner, const_cast<void*>(dense),
                                                               type, CUSPARSE_ORDER_COL));
  DAGGER_CUSPARSE("cusparseCreateDnMat", lib->cusparseCreateDnMat(&d.out, rows, cols, rows, out, type, CUSPARSE_ORDER_COL));
  const T one = 1, beta = accumulate ? 1 : 0;
  size_t bytes = 0;
  DAGGER_CUSPARSE("cusparseSpMM_bufferSize",
                    lib->cusparseSpMM_bufferSize(s.sparse, CUSPARSE_OPERATION_NON_TRANSPOSE, CUSPARSE_OPERATION_NON_TRANSPOSE,
                                            &one, d.sparse, d.dense, &beta, d.out, type, CUSPARSE_SPMM_ALG_DEFAULT,
                                            &bytes));
  if (bytes > 0) DAGGER_CUDA_CHECK("cudaMallocAsync", cudaMallocAsync(&d.buffer, bytes, s.compute));
  DAGGER_CUSPARSE("cusparseSpMM", lib->cusparseSpMM(s.sparse, CUSPARSE_OPERATION_NON_TRANSPOSE,
                                                 CUSPARSE_OPERATION_NON_TRANSPOSE, &one, d.sparse, d.dense, &beta,
                                                 d.out, type, CUSPARSE_SPMM_ALG_DEFAULT, d.buffer));
  return finish(s, "cusparseSpMM", error);
}

}  // namespace

int spmm(int device, int dtype, long long rows, long long inner, long long cols, long long nnz,
         const long long* device_col_starts, const long long* device_row_indices, const void* device_values,
         const void* device_dense, void* device_out, int accumulate, dagger_cuda_error* error) {
  const Libraries* lib = nullptr;
  if (int code = libraries(&lib, error)) return code;
  DeviceState* s = nullptr;
  if (int code = device_state(device, &s, error)) return code;
  std::lock_guard lock(s->compute_lock);
  if (s->sparse == nullptr) {
    DAGGER_CUSPARSE("cusparseCreate", lib->cusparseCreate(&s->sparse));
    DAGGER_CUSPARSE("cusparseSetStream", lib->cusparseSetStream(s->sparse, s->compute));
  }
  if (dtype == DAGGER_CUDA_F64) {
    return spmm_as<double>(lib, *s, CUDA_R_64F, rows, inner, cols, nnz, device_col_starts, device_row_indices,
                           device_values, device_dense, device_out, accumulate, error);
  }
  if (dtype == DAGGER_CUDA_F32) {
    return spmm_as<float>(lib, *s, CUDA_R_32F, rows, inner, cols, nnz, device_col_starts, device_row_indices,
                          device_values, device_dense, device_out, accumulate, error);
  }
  return fail_with(error, "spmm", "cuSPARSE multiplies double and float blocks only");
}

}  // namespace dagger::cuda
