// The CUDA backend joins the runtime from its own folder: its processors
// (one CudaProc per device the module sees, made with the limit in force)
// and later changes of its device memory limit.
// Its array kernels are registered when the first CudaProc is made
// (cuda_kernels.cpp). The build links this library whole, so this runs in
// every program, whether or not it names anything of the backend.
#include "backends/cuda/cuda_proc.hpp"
#include "memory/config_listeners.hpp"
#include "processors/processor_sources.hpp"

namespace dagger::detail {
namespace {

void apply_limits(const Config& config) { apply_device_memory_limit(config.device_memory_limit); }

[[maybe_unused]] const bool joined = [] {
  add_processor_source(&make_cuda_processors);
  add_config_listener(&apply_limits);
  return true;
}();

}  // namespace
}  // namespace dagger::detail
