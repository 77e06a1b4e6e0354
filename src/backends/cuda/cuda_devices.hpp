// Loading the CUDA module and describing its devices.
#pragma once

#include "dagger/cuda.hpp"
#include "backends/cuda/module/cuda_module_abi.h"

namespace dagger::detail {

// A device as the runtime sees it, from what the module reports.
CudaDevice device_from_info(const dagger_cuda_device_info& info);

// The loaded module's table, or null when there is none (cuda_status()
// says why).
const dagger_cuda_module* cuda_module();

}  // namespace dagger::detail
