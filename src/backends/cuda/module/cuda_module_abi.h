/* The C interface between the runtime and its CUDA module (a shared library
 * built by nvcc and loaded with dlopen). The runtime itself never includes a
 * CUDA header or links a CUDA library, so one build runs on machines with
 * and without CUDA; everything that calls CUDA lives behind this table. */
#ifndef DAGGER_CUDA_MODULE_ABI_H
#define DAGGER_CUDA_MODULE_ABI_H

#ifdef __cplusplus
extern "C" {
#endif

/* Raised whenever the table changes; the runtime refuses other versions. */
#define DAGGER_CUDA_MODULE_ABI_VERSION 5u
#define DAGGER_CUDA_MODULE_ENTRY "dagger_cuda_module_v2"

/* What a failed call says: the CUDA, cuBLAS, cuSPARSE or cuRAND call that
 * failed and its error, e.g. "cublasDgemm: CUBLAS_STATUS_EXECUTION_FAILED". */
typedef struct {
  char text[512];
} dagger_cuda_error;

/* The code `allocate` returns when the device has no room (the runtime
 * evicts blocks to host memory and tries again). */
#define DAGGER_CUDA_OUT_OF_MEMORY 2

/* What the CUDA runtime reports of one device (cudaDeviceGetAttribute). */
typedef struct {
  int ordinal;
  char name[256];
  unsigned long long memory_bytes;
  int compute_major;
  int compute_minor;
  int multiprocessors;
  int memory_clock_khz; /* peak memory clock */
  int memory_bus_bits;  /* global memory bus width */
  int pci_bus_id;
} dagger_cuda_device_info;

/* Element types (as dagger::DType) and reductions (as the array library's
 * sum, prod, minimum, maximum). */
enum {
  DAGGER_CUDA_F64 = 0, DAGGER_CUDA_F32 = 1, DAGGER_CUDA_I64 = 2, DAGGER_CUDA_B8 = 3,
  DAGGER_CUDA_I8 = 4, DAGGER_CUDA_I16 = 5, DAGGER_CUDA_I32 = 6,
  DAGGER_CUDA_U8 = 7, DAGGER_CUDA_U16 = 8, DAGGER_CUDA_U32 = 9, DAGGER_CUDA_U64 = 10
};
enum { DAGGER_CUDA_SUM = 0, DAGGER_CUDA_PROD = 1, DAGGER_CUDA_MIN = 2, DAGGER_CUDA_MAX = 3 };

/* Every call but the first two returns 0, or an error code with `error`
 * filled in. Pointers named `device_*` are device memory of `device`; calls
 * on one device are ordered (one compute stream) and complete before they
 * return, so a result is ready for any later call or copy. */
typedef struct {
  unsigned abi_version;
  /* The CUDA runtime version the module was built with (e.g. 13000). */
  int runtime_version;
  /* Sets *count; a machine without a driver or device is count 0, not an
   * error. Returns 0, or a CUDA error code with `error` saying why there
   * are no devices (written in every case where count is 0). */
  int (*device_count)(int* count, dagger_cuda_error* error);
  int (*describe)(int ordinal, dagger_cuda_device_info* out, dagger_cuda_error* error);

  /* Opens cuBLAS, cuSPARSE and cuRAND now; the kernels that need them
   * otherwise open them on first use (they are not linked to the module,
   * so that loading it stays cheap). */
  int (*load_libraries)(dagger_cuda_error* error);

  /* ---- memory */
  int (*allocate)(int device, unsigned long long bytes, void** device_out, dagger_cuda_error* error);
  int (*release)(int device, void* device_pointer, dagger_cuda_error* error);
  /* Host <-> device through pinned staging buffers on the copy stream, so a
   * copy overlaps a kernel on the compute stream. */
  int (*to_device)(int device, void* device_dst, const void* host_src, unsigned long long bytes,
                   dagger_cuda_error* error);
  int (*to_host)(int device, void* host_dst, const void* device_src, unsigned long long bytes,
                 dagger_cuda_error* error);
  /* Device to device: a peer copy where the devices allow it, else staged
   * through the driver. */
  int (*peer_copy)(int dst_device, void* device_dst, int src_device, const void* device_src,
                   unsigned long long bytes, dagger_cuda_error* error);

  /* ---- kernels */
  /* n elements of an element program (dagger::kernels::ElementProgram,
   * passed by host pointer) over `inputs` (device pointers, one per source). */
  int (*elementwise)(int device, const void* program, const void* const* device_inputs, int input_count,
                     void* device_out, long long n, dagger_cuda_error* error);
  /* Folds the n elements of a program with `op` into *host_result, of
   * element type `accumulate` (the CPU path's accumulator type). */
  int (*reduce)(int device, const void* program, const void* const* device_inputs, int input_count, long long n,
                int op, int accumulate, void* host_result, dagger_cuda_error* error);
  /* Folds each column (dim 1: out has cols elements) or each row (dim 2:
   * rows elements) of a rows x cols block given by a program. */
  int (*reduce_lines)(int device, const void* program, const void* const* device_inputs, int input_count,
                      long long rows, long long cols, int dim, int op, int accumulate, void* device_out,
                      dagger_cuda_error* error);
  /* c (m x n) = a (m x k) * b (k x n), or c += a * b; column-major, f64/f32. */
  int (*gemm)(int device, int dtype, long long m, long long n, long long k, const void* device_a,
              const void* device_b, void* device_c, int accumulate, dagger_cuda_error* error);
  /* out (cols x rows) = transpose of in (rows x cols), any element type. */
  int (*transpose)(int device, int dtype, long long rows, long long cols, const void* device_in,
                   void* device_out, dagger_cuda_error* error);
  /* `bytes` bytes of zeros: every element type's zero is all zero bits. */
  int (*zero)(int device, long long bytes, void* device_out, dagger_cuda_error* error);
  /* Sorts n elements in place, ascending, or descending when `descending`. */
  int (*sort)(int device, int dtype, long long n, void* device_data, int descending, dagger_cuda_error* error);
  /* out (rows x cols) = s (rows x inner, CSC: col_starts inner + 1 entries,
   * row_indices and values nnz each) * d (inner x cols), or out += s * d. */
  int (*spmm)(int device, int dtype, long long rows, long long inner, long long cols, long long nnz,
              const long long* device_col_starts, const long long* device_row_indices, const void* device_values,
              const void* device_dense, void* device_out, int accumulate, dagger_cuda_error* error);
} dagger_cuda_module;

typedef const dagger_cuda_module* (*dagger_cuda_module_entry)(void);

#ifdef __cplusplus
}
#endif

#endif
