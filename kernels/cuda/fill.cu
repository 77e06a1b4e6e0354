// Filling blocks: zeros, ones, and random values from cuRAND's Philox
// generator seeded with the block's seed. The random values differ from the
// CPU path's (a different generator); their distributions are the same.
#include "device_state.cuh"
#include "kernels.cuh"
#include "libraries.cuh"

namespace dagger::cuda {
namespace {

template <class T>
__global__ void fill_kernel(T* out, long long n, T value) {
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n; i += stride) out[i] = value;
}

// cuRAND's uniform values lie in (0, 1]; the array library's in [0, 1).
template <class T>
__global__ void flip_unit_kernel(T* out, long long n) {
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n; i += stride) {
    out[i] = T(1) - out[i];
  }
}

__global__ void top_bit_kernel(const unsigned* bits, bool* out, long long n) {
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n; i += stride) {
    out[i] = (bits[i] >> 31) != 0;
  }
}

const char* curand_status_name(curandStatus_t status) {
  switch (status) {
    case CURAND_STATUS_ALLOCATION_FAILED: return "CURAND_STATUS_ALLOCATION_FAILED";
    case CURAND_STATUS_LAUNCH_FAILURE: return "CURAND_STATUS_LAUNCH_FAILURE";
    case CURAND_STATUS_LENGTH_NOT_MULTIPLE: return "CURAND_STATUS_LENGTH_NOT_MULTIPLE";
    case CURAND_STATUS_INITIALIZATION_FAILED: return "CURAND_STATUS_INITIALIZATION_FAILED";
    default: return "CURAND error";
  }
}

#define DAGGER_CURAND(call_name, ...)                                                         \
  do {                                                                                        \
    const curandStatus_t status_ = (__VA_ARGS__);                                             \
    if (status_ != CURAND_STATUS_SUCCESS) return fail_with(error, call_name, curand_status_name(status_)); \
  } while (0)

constexpr unsigned kThreads = 256;

template <class T>
int constant(DeviceState& s, void* out, long long n, T value, dagger_cuda_error* error) {
  fill_kernel<T><<<blocks_for(n, kThreads), kThreads, 0, s.compute>>>(static_cast<T*>(out), n, value);
  return finish(s, "fill_kernel", error);
}

// Random values into out; the generator is released on every path.
int random(const Libraries* lib, DeviceState& s, int dtype, bool normal, unsigned long long seed, long long n, void* out,
           dagger_cuda_error* error) {
  curandGenerator_t g = nullptr;
  DAGGER_CURAND("curandCreateGenerator", lib->curandCreateGenerator(&g, CURAND_RNG_PSEUDO_PHILOX4_32_10));
  struct Release {
    const Libraries* lib;
    curandGenerator_t g;
    ~Release() { lib->curandDestroyGenerator(g); }
  } release{lib, g};
  DAGGER_CURAND("curandSetPseudoRandomGeneratorSeed", lib->curandSetPseudoRandomGeneratorSeed(g, seed));
  DAGGER_CURAND("curandSetStream", lib->curandSetStream(g, s.compute));
  if (normal) {
    // Normal values come in pairs: an odd last one is made in a scratch pair.
    const long long even = n - n % 2;
    void* scratch = nullptr;
    if (n % 2) DAGGER_CUDA_CHECK("cudaMallocAsync", cudaMallocAsync(&scratch, 2 * sizeof(double), s.compute));
    const size_t size = dtype == DAGGER_CUDA_F64 ? sizeof(double) : sizeof(float);
    curandStatus_t status = CURAND_STATUS_SUCCESS;
    if (dtype == DAGGER_CUDA_F64) {
      if (even) status = lib->curandGenerateNormalDouble(g, static_cast<double*>(out), even, 0.0, 1.0);
      if (status == CURAND_STATUS_SUCCESS && scratch) status = lib->curandGenerateNormalDouble(g, static_cast<double*>(scratch), 2, 0.0, 1.0);
    } else {
      if (even) status = lib->curandGenerateNormal(g, static_cast<float*>(out), even, 0.0f, 1.0f);
      if (status == CURAND_STATUS_SUCCESS && scratch) status = lib->curandGenerateNormal(g, static_cast<float*>(scratch), 2, 0.0f, 1.0f);
    }
    if (scratch) {
      if (status == CURAND_STATUS_SUCCESS) {
        cudaMemcpyAsync(static_cast<char*>(out) + even * size, scratch, size, cudaMemcpyDeviceToDevice, s.compute);
      }
      cudaFreeAsync(scratch, s.compute);
    }
    DAGGER_CURAND("curandGenerateNormal", status);
    return finish(s, "curandGenerateNormal", error);
  }
  switch (dtype) {
    case DAGGER_CUDA_F64:
      DAGGER_CURAND("curandGenerateUniformDouble", lib->curandGenerateUniformDouble(g, static_cast<double*>(out), n));
      flip_unit_kernel<double><<<blocks_for(n, kThreads), kThreads, 0, s.compute>>>(static_cast<double*>(out), n);
      break;
    case DAGGER_CUDA_F32:
      DAGGER_CURAND("curandGenerateUniform", lib->curandGenerateUniform(g, static_cast<float*>(out), n));
      flip_unit_kernel<float><<<blocks_for(n, kThreads), kThreads, 0, s.compute>>>(static_cast<float*>(out), n);
      break;
    case DAGGER_CUDA_I64:  // 64 random bits each: two 32-bit draws
      DAGGER_CURAND("curandGenerate", lib->curandGenerate(g, static_cast<unsigned*>(out), 2 * n));
      break;
    case DAGGER_CUDA_B8: {
      void* bits = nullptr;
      DAGGER_CUDA_CHECK("cudaMallocAsync", cudaMallocAsync(&bits, n * sizeof(unsigned), s.compute));
      const curandStatus_t status = lib->curandGenerate(g, static_cast<unsigned*>(bits), n);
      if (status == CURAND_STATUS_SUCCESS) {
        top_bit_kernel<<<blocks_for(n, kThreads), kThreads, 0, s.compute>>>(static_cast<unsigned*>(bits),
                                                                            static_cast<bool*>(out), n);
      }
      cudaFreeAsync(bits, s.compute);
      DAGGER_CURAND("curandGenerate", status);
      break;
    }
    default: return fail_with(error, "fill", "unknown element type");
  }
  return finish(s, "curandGenerate", error);
}

}  // namespace

int fill(int device, int dtype, int kind, unsigned long long seed, long long n, void* device_out,
         dagger_cuda_error* error) {
  DeviceState* s = nullptr;
  if (int code = device_state(device, &s, error)) return code;
  if (n == 0) return 0;
  std::lock_guard lock(s->compute_lock);
  if (kind == DAGGER_CUDA_NORMAL && dtype != DAGGER_CUDA_F64 && dtype != DAGGER_CUDA_F32) {
    return fail_with(error, "fill", "normal values are double or float");
  }
  if (kind == DAGGER_CUDA_UNIFORM || kind == DAGGER_CUDA_NORMAL) {
    const Libraries* lib = nullptr;
    if (int code = libraries(&lib, error)) return code;
    return random(lib, *s, dtype, kind == DAGGER_CUDA_NORMAL, seed, n, device_out, error);
  }
  const bool one = kind == DAGGER_CUDA_ONES;
  switch (dtype) {
    case DAGGER_CUDA_F64: return constant<double>(*s, device_out, n, one ? 1.0 : 0.0, error);
    case DAGGER_CUDA_F32: return constant<float>(*s, device_out, n, one ? 1.0f : 0.0f, error);
    case DAGGER_CUDA_I64: return constant<long long>(*s, device_out, n, one ? 1 : 0, error);
    case DAGGER_CUDA_B8: return constant<bool>(*s, device_out, n, one, error);
  }
  return fail_with(error, "fill", "unknown element type");
}

}  // namespace dagger::cuda
