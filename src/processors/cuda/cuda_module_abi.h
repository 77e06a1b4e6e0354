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
#define DAGGER_CUDA_MODULE_ABI_VERSION 1u
#define DAGGER_CUDA_MODULE_ENTRY "dagger_cuda_module_v1"

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

typedef struct {
  unsigned abi_version;
  /* The CUDA runtime version the module was built with (e.g. 13000). */
  int runtime_version;
  /* Sets *count; a machine without a driver or device is count 0, not an
   * error. Returns 0, or a CUDA error code with `message` saying why there
   * are no devices (written in every case where count is 0). */
  int (*device_count)(int* count, char* message, unsigned long message_size);
  int (*describe)(int ordinal, dagger_cuda_device_info* out, char* message, unsigned long message_size);
} dagger_cuda_module;

typedef const dagger_cuda_module* (*dagger_cuda_module_entry)(void);

#ifdef __cplusplus
}
#endif

#endif
