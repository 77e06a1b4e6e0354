// The fused element-wise kernel: one thread per element (grid stride) runs
// the chain's element program.
#include "dagger/kernels/element_program.hpp"
#include "device_state.cuh"
#include "kernels.cuh"
#include "program_inputs.cuh"

namespace dagger::cuda {
namespace {

using kernels::ElementProgram;
using kernels::ProgramInputs;

__global__ void evaluate_kernel(ElementProgram program, ProgramInputs inputs, void* out, long long n) {
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  const kernels::ElementType type = kernels::result_type(program);
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n; i += stride) {
    kernels::store_element(out, type, i, kernels::evaluate(program, inputs.pointers, i));
  }
}

}  // namespace

int elementwise(int device, const void* program, const void* const* device_inputs, int input_count,
                void* device_out, long long n, dagger_cuda_error* error) {
  DeviceState* s = nullptr;
  if (int code = device_state(device, &s, error)) return code;
  ProgramInputs inputs{};
  if (int code = gather_inputs("elementwise", device_inputs, input_count, inputs, error)) return code;
  if (n == 0) return 0;
  std::lock_guard lock(s->compute_lock);
  constexpr unsigned kThreads = 256;
  evaluate_kernel<<<blocks_for(n, kThreads), kThreads, 0, s->compute>>>(
      *static_cast<const ElementProgram*>(program), inputs, device_out, n);
  return finish(*s, "evaluate_kernel", error);
}

}  // namespace dagger::cuda
