#include <cstring>
#include <memory>

#include "device_state.cuh"

namespace dagger::cuda {
namespace {

constexpr int kMaxDevices = 64;
std::mutex states_lock;
DeviceState* states[kMaxDevices] = {};

void say(dagger_cuda_error* error, const char* call, const char* what, const char* name) {
  if (error) std::snprintf(error->text, sizeof error->text, "%s: %s (%s)", call, what, name);
}

int create(int device, DeviceState& s, dagger_cuda_error* error) {
  s.ordinal = device;
  DAGGER_CUDA_CHECK("cudaStreamCreateWithFlags", cudaStreamCreateWithFlags(&s.compute, cudaStreamNonBlocking));
  DAGGER_CUDA_CHECK("cudaStreamCreateWithFlags", cudaStreamCreateWithFlags(&s.copy, cudaStreamNonBlocking));
  for (int k = 0; k < 2; ++k) {
    DAGGER_CUDA_CHECK("cudaHostAlloc", cudaHostAlloc(&s.staging[k], DeviceState::kStagingBytes, cudaHostAllocDefault));
    DAGGER_CUDA_CHECK("cudaEventCreateWithFlags", cudaEventCreateWithFlags(&s.staged[k], cudaEventDisableTiming));
  }
  return 0;
}

}  // namespace

int device_state(int device, DeviceState** out, dagger_cuda_error* error) {
  if (device < 0 || device >= kMaxDevices) return fail_with(error, "device_state", "no such device");
  DAGGER_CUDA_CHECK("cudaSetDevice", cudaSetDevice(device));
  std::lock_guard lock(states_lock);
  if (states[device] == nullptr) {
    auto state = std::make_unique<DeviceState>();
    if (int code = create(device, *state, error)) return code;
    // Lives as long as the process: streams and handles are released with it.
    states[device] = state.release();
  }
  *out = states[device];
  return 0;
}

int fail(dagger_cuda_error* error, const char* call, cudaError_t status) {
  say(error, call, cudaGetErrorString(status), cudaGetErrorName(status));
  cudaGetLastError();  // a non-sticky error must not fail the next call
  return static_cast<int>(status);
}

int fail_with(dagger_cuda_error* error, const char* call, const char* what) {
  if (error) std::snprintf(error->text, sizeof error->text, "%s: %s", call, what);
  return 3000;
}

int finish(DeviceState& state, const char* kernel, dagger_cuda_error* error) {
  DAGGER_CUDA_CHECK(kernel, cudaGetLastError());
  DAGGER_CUDA_CHECK("cudaStreamSynchronize", cudaStreamSynchronize(state.compute));
  return 0;
}

}  // namespace dagger::cuda
