// Reductions of element programs, with no intermediate array: each thread
// folds a strided range of the fused expression. A whole block: CUB
// combines a thread block's values and the host combines the blocks'.
// Along a dimension: one thread block per column (dim 1, CUB again) or one
// thread per row (dim 2; consecutive threads read consecutive elements of
// the column-major block either way).
#include <cub/block/block_reduce.cuh>

#include <memory>

#include "dagger/kernels/folds.hpp"
#include "device_state.cuh"
#include "kernels.cuh"
#include "program_inputs.cuh"

namespace dagger::cuda {
namespace {

using kernels::ElementProgram;
using kernels::ProgramInputs;
using kernels::RuntimeFold;

constexpr int kThreads = 256;
constexpr unsigned kMaxBlocks = 1024;

template <class Acc>
__global__ void fold_kernel(ElementProgram program, ProgramInputs inputs, long long n, RuntimeFold fold, Acc start,
                            Acc* partials) {
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  const long long first = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
  const Acc mine = kernels::fold_range(program, inputs.pointers, first, stride, n, start, fold);
  using BlockReduce = cub::BlockReduce<Acc, kThreads>;
  __shared__ typename BlockReduce::TempStorage scratch;
  const Acc block = BlockReduce(scratch).Reduce(mine, fold);
  if (threadIdx.x == 0) partials[blockIdx.x] = block;
}

// out[c] = fold of column c (rows elements), one thread block per column.
template <class Acc>
__global__ void fold_columns_kernel(ElementProgram program, ProgramInputs inputs, long long rows, long long cols,
                                    RuntimeFold fold, Acc start, Acc* out) {
  using BlockReduce = cub::BlockReduce<Acc, kThreads>;
  __shared__ typename BlockReduce::TempStorage scratch;
  for (long long c = blockIdx.x; c < cols; c += gridDim.x) {
    const Acc mine = kernels::fold_range(program, inputs.pointers, c * rows + threadIdx.x, kThreads, (c + 1) * rows,
                                         start, fold);
    const Acc column = BlockReduce(scratch).Reduce(mine, fold);
    if (threadIdx.x == 0) out[c] = column;
    __syncthreads();  // the scratch is reused for the next column
  }
}

// out[r] = fold of row r (cols elements), one thread per row.
template <class Acc>
__global__ void fold_rows_kernel(ElementProgram program, ProgramInputs inputs, long long rows, long long cols,
                                 RuntimeFold fold, Acc start, Acc* out) {
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  for (long long r = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; r < rows; r += stride) {
    out[r] = kernels::fold_range(program, inputs.pointers, r, rows, rows * cols, start, fold);
  }
}

template <class Acc>
int fold_as(DeviceState& s, const ElementProgram& program, const ProgramInputs& inputs, long long n,
            kernels::Fold op, void* host_result, dagger_cuda_error* error) {
  const unsigned blocks = blocks_for(n, kThreads) < kMaxBlocks ? blocks_for(n, kThreads) : kMaxBlocks;
  Acc* partials = nullptr;
  DAGGER_CUDA_CHECK("cudaMallocAsync", cudaMallocAsync(&partials, blocks * sizeof(Acc), s.compute));
  const RuntimeFold fold{op};
  const Acc start = kernels::fold_start<Acc>(op);
  fold_kernel<Acc><<<blocks, kThreads, 0, s.compute>>>(program, inputs, n, fold, start, partials);
  std::unique_ptr<Acc[]> host(new Acc[blocks]);  // not std::vector: vector<bool> has no data()
  const cudaError_t copied =
      cudaMemcpyAsync(host.get(), partials, blocks * sizeof(Acc), cudaMemcpyDeviceToHost, s.compute);
  cudaFreeAsync(partials, s.compute);
  DAGGER_CUDA_CHECK("cudaMemcpyAsync", copied);
  if (int code = finish(s, "fold_kernel", error)) return code;
  Acc acc = start;
  for (unsigned b = 0; b < blocks; ++b) acc = fold(acc, host[b]);
  *static_cast<Acc*>(host_result) = acc;
  return 0;
}

template <class Acc>
int fold_lines_as(DeviceState& s, const ElementProgram& program, const ProgramInputs& inputs, long long rows,
                  long long cols, int dim, kernels::Fold op, void* device_out, dagger_cuda_error* error) {
  const RuntimeFold fold{op};
  const Acc start = kernels::fold_start<Acc>(op);
  if (dim == 1) {
    const unsigned blocks = static_cast<unsigned>(cols < 65535 * 4 ? (cols > 0 ? cols : 1) : 65535 * 4);
    fold_columns_kernel<Acc><<<blocks, kThreads, 0, s.compute>>>(program, inputs, rows, cols, fold, start,
                                                                 static_cast<Acc*>(device_out));
  } else {
    fold_rows_kernel<Acc><<<blocks_for(rows, kThreads), kThreads, 0, s.compute>>>(program, inputs, rows, cols, fold,
                                                                                 start, static_cast<Acc*>(device_out));
  }
  return finish(s, dim == 1 ? "fold_columns_kernel" : "fold_rows_kernel", error);
}

bool known_fold(int op) { return op >= 0 && op <= 3; }

}  // namespace

int reduce(int device, const void* program, const void* const* device_inputs, int input_count, long long n, int op,
           int accumulate, void* host_result, dagger_cuda_error* error) {
  DeviceState* s = nullptr;
  if (int code = device_state(device, &s, error)) return code;
  ProgramInputs inputs{};
  if (int code = gather_inputs("reduce", device_inputs, input_count, inputs, error)) return code;
  if (!known_fold(op)) return fail_with(error, "reduce", "unknown reduction");
  const auto& p = *static_cast<const ElementProgram*>(program);
  const auto fold = static_cast<kernels::Fold>(op);
  std::lock_guard lock(s->compute_lock);
  switch (accumulate) {
    case DAGGER_CUDA_F64: return fold_as<double>(*s, p, inputs, n, fold, host_result, error);
    case DAGGER_CUDA_F32: return fold_as<float>(*s, p, inputs, n, fold, host_result, error);
    case DAGGER_CUDA_I64: return fold_as<long long>(*s, p, inputs, n, fold, host_result, error);
    case DAGGER_CUDA_B8: return fold_as<bool>(*s, p, inputs, n, fold, host_result, error);
  }
  return fail_with(error, "reduce", "unknown accumulator type");
}

int reduce_lines(int device, const void* program, const void* const* device_inputs, int input_count, long long rows,
                 long long cols, int dim, int op, int accumulate, void* device_out, dagger_cuda_error* error) {
  DeviceState* s = nullptr;
  if (int code = device_state(device, &s, error)) return code;
  ProgramInputs inputs{};
  if (int code = gather_inputs("reduce", device_inputs, input_count, inputs, error)) return code;
  if (!known_fold(op) || (dim != 1 && dim != 2)) return fail_with(error, "reduce_lines", "unknown reduction");
  const auto& p = *static_cast<const ElementProgram*>(program);
  const auto fold = static_cast<kernels::Fold>(op);
  std::lock_guard lock(s->compute_lock);
  switch (accumulate) {
    case DAGGER_CUDA_F64: return fold_lines_as<double>(*s, p, inputs, rows, cols, dim, fold, device_out, error);
    case DAGGER_CUDA_F32: return fold_lines_as<float>(*s, p, inputs, rows, cols, dim, fold, device_out, error);
    case DAGGER_CUDA_I64: return fold_lines_as<long long>(*s, p, inputs, rows, cols, dim, fold, device_out, error);
    case DAGGER_CUDA_B8: return fold_lines_as<bool>(*s, p, inputs, rows, cols, dim, fold, device_out, error);
  }
  return fail_with(error, "reduce_lines", "unknown accumulator type");
}

}  // namespace dagger::cuda
