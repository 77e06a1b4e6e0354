// Reductions of element programs: each thread folds a strided range of the
// fused expression (no intermediate array), CUB combines a block's threads,
// and the host combines the blocks' partial results.
#include <cub/block/block_reduce.cuh>

#include <memory>

#include "dagger/kernels/folds.hpp"
#include "device_state.cuh"
#include "kernels.cuh"

namespace dagger::cuda {
namespace {

using kernels::ElementProgram;
using kernels::ProgramInputs;

constexpr int kThreads = 256;
constexpr unsigned kMaxBlocks = 1024;

template <class Acc, class F>
__global__ void fold_kernel(ElementProgram program, ProgramInputs inputs, long long n, Acc start, Acc* partials) {
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  const long long first = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
  const Acc mine = kernels::fold_range(program, inputs.pointers, first, stride, n, start, F{});
  using BlockReduce = cub::BlockReduce<Acc, kThreads>;
  __shared__ typename BlockReduce::TempStorage scratch;
  const Acc block = BlockReduce(scratch).Reduce(mine, F{});
  if (threadIdx.x == 0) partials[blockIdx.x] = block;
}

template <class Acc, class F>
int fold_as(DeviceState& s, const ElementProgram& program, const ProgramInputs& inputs, long long n,
            void* host_result, dagger_cuda_error* error) {
  const unsigned blocks = blocks_for(n, kThreads) < kMaxBlocks ? blocks_for(n, kThreads) : kMaxBlocks;
  Acc* partials = nullptr;
  DAGGER_CUDA_CHECK("cudaMallocAsync", cudaMallocAsync(&partials, blocks * sizeof(Acc), s.compute));
  fold_kernel<Acc, F><<<blocks, kThreads, 0, s.compute>>>(program, inputs, n, kernels::fold_start<Acc, F>(), partials);
  std::unique_ptr<Acc[]> host(new Acc[blocks]);  // not std::vector: vector<bool> has no data()
  const cudaError_t copied =
      cudaMemcpyAsync(host.get(), partials, blocks * sizeof(Acc), cudaMemcpyDeviceToHost, s.compute);
  cudaFreeAsync(partials, s.compute);
  DAGGER_CUDA_CHECK("cudaMemcpyAsync", copied);
  if (int code = finish(s, "fold_kernel", error)) return code;
  Acc acc = kernels::fold_start<Acc, F>();
  for (unsigned b = 0; b < blocks; ++b) acc = F{}(acc, host[b]);
  *static_cast<Acc*>(host_result) = acc;
  return 0;
}

template <class Acc>
int reduce_as(DeviceState& s, const ElementProgram& program, const ProgramInputs& inputs, long long n, int op,
              void* host_result, dagger_cuda_error* error) {
  // Bools never sum or multiply (the array library accumulates them as
  // int64); as bools a sum would be "any" and a product "all".
  switch (static_cast<kernels::Fold>(op)) {
    case kernels::Fold::sum:
      if constexpr (!std::is_same_v<Acc, bool>) return fold_as<Acc, kernels::FoldSum>(s, program, inputs, n, host_result, error);
      [[fallthrough]];
    case kernels::Fold::max: return fold_as<Acc, kernels::FoldMax>(s, program, inputs, n, host_result, error);
    case kernels::Fold::prod:
      if constexpr (!std::is_same_v<Acc, bool>) return fold_as<Acc, kernels::FoldProd>(s, program, inputs, n, host_result, error);
      [[fallthrough]];
    case kernels::Fold::min: return fold_as<Acc, kernels::FoldMin>(s, program, inputs, n, host_result, error);
  }
  return fail_with(error, "reduce", "unknown reduction");
}

}  // namespace

int reduce(int device, const void* program, const void* const* device_inputs, int input_count, long long n, int op,
           int accumulate, void* host_result, dagger_cuda_error* error) {
  DeviceState* s = nullptr;
  if (int code = device_state(device, &s, error)) return code;
  if (input_count < 0 || input_count > ElementProgram::kMaxSources) return fail_with(error, "reduce", "too many inputs");
  ProgramInputs inputs{};
  for (int k = 0; k < input_count; ++k) inputs.pointers[k] = device_inputs[k];
  const auto& p = *static_cast<const ElementProgram*>(program);
  std::lock_guard lock(s->compute_lock);
  switch (accumulate) {
    case DAGGER_CUDA_F64: return reduce_as<double>(*s, p, inputs, n, op, host_result, error);
    case DAGGER_CUDA_F32: return reduce_as<float>(*s, p, inputs, n, op, host_result, error);
    case DAGGER_CUDA_I64: return reduce_as<long long>(*s, p, inputs, n, op, host_result, error);
    case DAGGER_CUDA_B8: return reduce_as<bool>(*s, p, inputs, n, op, host_result, error);
  }
  return fail_with(error, "reduce", "unknown accumulator type");
}

}  // namespace dagger::cuda
