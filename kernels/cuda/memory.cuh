// Device memory and copies, with the signatures of their entries in
// dagger_cuda_module (cuda_module_abi.h).
#pragma once

#include "backends/cuda/module/cuda_module_abi.h"

namespace dagger::cuda {

int allocate(int device, unsigned long long bytes, void** device_out, dagger_cuda_error* error);
int release(int device, void* device_pointer, dagger_cuda_error* error);
int to_device(int device, void* device_dst, const void* host_src, unsigned long long bytes, dagger_cuda_error* error);
int to_host(int device, void* host_dst, const void* device_src, unsigned long long bytes, dagger_cuda_error* error);
int peer_copy(int dst_device, void* device_dst, int src_device, const void* device_src, unsigned long long bytes,
              dagger_cuda_error* error);

}  // namespace dagger::cuda
