// The device pointers of an element program's sources, copied into the
// fixed-size struct its kernels take by value.
#pragma once

#include "dagger/kernels/element_program.hpp"
#include "device_state.cuh"

namespace dagger::cuda {

inline int gather_inputs(const char* call, const void* const* device_inputs, int count,
                         kernels::ProgramInputs& inputs, dagger_cuda_error* error) {
  if (count < 0 || count > kernels::ElementProgram::kMaxSources) return fail_with(error, call, "too many inputs");
  for (int k = 0; k < count; ++k) inputs.pointers[k] = device_inputs[k];
  return 0;
}

}  // namespace dagger::cuda
