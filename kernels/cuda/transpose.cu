// Block transpose through shared-memory tiles, so that both the reads and
// the writes are coalesced. A byte copy of any element type.
#include "device_state.cuh"
#include "kernels.cuh"

namespace dagger::cuda {
namespace {

constexpr int kTile = 32;
constexpr int kRowsPerPass = 8;

// in is rows x cols, out cols x rows, both column-major. Each block of
// kTile x kRowsPerPass threads walks tiles with a grid stride.
template <class T>
__global__ void transpose_kernel(const T* in, T* out, long long rows, long long cols) {
  __shared__ T tile[kTile][kTile + 1];  // +1: no bank conflicts on the column reads
  const long long tile_rows = (rows + kTile - 1) / kTile;
  const long long tiles = tile_rows * ((cols + kTile - 1) / kTile);
  for (long long t = blockIdx.x; t < tiles; t += gridDim.x) {
    const long long r0 = (t % tile_rows) * kTile, c0 = (t / tile_rows) * kTile;
    for (int j = threadIdx.y; j < kTile; j += kRowsPerPass) {
      const long long r = r0 + threadIdx.x, c = c0 + j;
      if (r < rows && c < cols) tile[j][threadIdx.x] = in[r + c * rows];
    }
    __syncthreads();
    for (int j = threadIdx.y; j < kTile; j += kRowsPerPass) {
      const long long c = c0 + threadIdx.x, r = r0 + j;  // out(c, r) = in(r, c)
      if (r < rows && c < cols) out[c + r * cols] = tile[threadIdx.x][j];
    }
    __syncthreads();
  }
}

template <class T>
void launch(DeviceState& s, const void* in, void* out, long long rows, long long cols) {
  const long long tiles = ((rows + kTile - 1) / kTile) * ((cols + kTile - 1) / kTile);
  const unsigned blocks = static_cast<unsigned>(tiles < 65535 * 4 ? (tiles > 0 ? tiles : 1) : 65535 * 4);
  transpose_kernel<T><<<blocks, dim3(kTile, kRowsPerPass), 0, s.compute>>>(static_cast<const T*>(in),
                                                                          static_cast<T*>(out), rows, cols);
}

}  // namespace

int transpose(int device, int dtype, long long rows, long long cols, const void* device_in, void* device_out,
              dagger_cuda_error* error) {
  DeviceState* s = nullptr;
  if (int code = device_state(device, &s, error)) return code;
  std::lock_guard lock(s->compute_lock);
  switch (dtype) {
    // Moved as bits of the element's width.
    case DAGGER_CUDA_F64:
    case DAGGER_CUDA_I64:
    case DAGGER_CUDA_U64: launch<unsigned long long>(*s, device_in, device_out, rows, cols); break;
    case DAGGER_CUDA_F32:
    case DAGGER_CUDA_I32:
    case DAGGER_CUDA_U32: launch<unsigned>(*s, device_in, device_out, rows, cols); break;
    case DAGGER_CUDA_I16:
    case DAGGER_CUDA_U16: launch<unsigned short>(*s, device_in, device_out, rows, cols); break;
    case DAGGER_CUDA_B8:
    case DAGGER_CUDA_I8:
    case DAGGER_CUDA_U8: launch<unsigned char>(*s, device_in, device_out, rows, cols); break;
    default: return fail_with(error, "transpose", "unknown element type");
  }
  return finish(*s, "transpose_kernel", error);
}

}  // namespace dagger::cuda
