// Device memory and the copies between host and device.
//
// Host blocks are ordinary pageable memory, which the GPU cannot read
// directly: a copy goes through two pinned staging buffers, filling one
// while the other is on its way, on the device's copy stream.
#include <algorithm>
#include <cstring>

#include "device_state.cuh"
#include "memory.cuh"

namespace dagger::cuda {

int allocate(int device, unsigned long long bytes, void** device_out, dagger_cuda_error* error) {
  *device_out = nullptr;
  DeviceState* s = nullptr;
  if (int code = device_state(device, &s, error)) return code;
  const cudaError_t status = cudaMalloc(device_out, bytes > 0 ? bytes : 1);
  if (status == cudaErrorMemoryAllocation) {
    fail(error, "cudaMalloc", status);
    return DAGGER_CUDA_OUT_OF_MEMORY;
  }
  DAGGER_CUDA_CHECK("cudaMalloc", status);
  return 0;
}

int release(int device, void* device_pointer, dagger_cuda_error* error) {
  DAGGER_CUDA_CHECK("cudaSetDevice", cudaSetDevice(device));
  DAGGER_CUDA_CHECK("cudaFree", cudaFree(device_pointer));
  return 0;
}

int to_device(int device, void* device_dst, const void* host_src, unsigned long long bytes, dagger_cuda_error* error) {
  DeviceState* s = nullptr;
  if (int code = device_state(device, &s, error)) return code;
  std::lock_guard lock(s->copy_lock);
  const auto* src = static_cast<const char*>(host_src);
  auto* dst = static_cast<char*>(device_dst);
  int slot = 0;
  for (unsigned long long done = 0; done < bytes; done += DeviceState::kStagingBytes, slot ^= 1) {
    const unsigned long long n = std::min(DeviceState::kStagingBytes, bytes - done);
    // The slot's previous copy must be gone before its buffer is refilled.
    DAGGER_CUDA_CHECK("cudaEventSynchronize", cudaEventSynchronize(s->staged[slot]));
    std::memcpy(s->staging[slot], src + done, n);
    DAGGER_CUDA_CHECK("cudaMemcpyAsync", cudaMemcpyAsync(dst + done, s->staging[slot], n, cudaMemcpyHostToDevice, s->copy));
    DAGGER_CUDA_CHECK("cudaEventRecord", cudaEventRecord(s->staged[slot], s->copy));
  }
  DAGGER_CUDA_CHECK("cudaStreamSynchronize", cudaStreamSynchronize(s->copy));
  return 0;
}

int to_host(int device, void* host_dst, const void* device_src, unsigned long long bytes, dagger_cuda_error* error) {
  DeviceState* s = nullptr;
  if (int code = device_state(device, &s, error)) return code;
  std::lock_guard lock(s->copy_lock);
  const auto* src = static_cast<const char*>(device_src);
  auto* dst = static_cast<char*>(host_dst);
  const unsigned long long piece = DeviceState::kStagingBytes;
  auto start = [&](unsigned long long offset, int slot) -> int {
    const unsigned long long n = std::min(piece, bytes - offset);
    DAGGER_CUDA_CHECK("cudaMemcpyAsync", cudaMemcpyAsync(s->staging[slot], src + offset, n, cudaMemcpyDeviceToHost, s->copy));
    DAGGER_CUDA_CHECK("cudaEventRecord", cudaEventRecord(s->staged[slot], s->copy));
    return 0;
  };
  if (bytes > 0) {
    if (int code = start(0, 0)) return code;
  }
  int slot = 0;
  for (unsigned long long done = 0; done < bytes; done += piece, slot ^= 1) {
    // Start the next piece before unpacking this one.
    if (done + piece < bytes) {
      if (int code = start(done + piece, slot ^ 1)) return code;
    }
    DAGGER_CUDA_CHECK("cudaEventSynchronize", cudaEventSynchronize(s->staged[slot]));
    std::memcpy(dst + done, s->staging[slot], std::min(piece, bytes - done));
  }
  return 0;
}

int peer_copy(int dst_device, void* device_dst, int src_device, const void* device_src, unsigned long long bytes,
              dagger_cuda_error* error) {
  DeviceState* s = nullptr;
  if (int code = device_state(dst_device, &s, error)) return code;
  int can = 0;
  DAGGER_CUDA_CHECK("cudaDeviceCanAccessPeer", cudaDeviceCanAccessPeer(&can, dst_device, src_device));
  if (can) {
    const cudaError_t status = cudaDeviceEnablePeerAccess(src_device, 0);
    if (status != cudaErrorPeerAccessAlreadyEnabled) DAGGER_CUDA_CHECK("cudaDeviceEnablePeerAccess", status);
    cudaGetLastError();
  }
  std::lock_guard lock(s->copy_lock);
  DAGGER_CUDA_CHECK("cudaMemcpyPeerAsync",
                    cudaMemcpyPeerAsync(device_dst, dst_device, device_src, src_device, bytes, s->copy));
  DAGGER_CUDA_CHECK("cudaStreamSynchronize", cudaStreamSynchronize(s->copy));
  return 0;
}

}  // namespace dagger::cuda
