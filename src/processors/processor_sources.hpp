// Backends above this layer (CUDA) bring processors of their own: a source
// makes them when the registry is first built, or at once if it already is.
#pragma once

#include <memory>
#include <vector>

#include "dagger/processor.hpp"

namespace dagger::detail {

using ProcessorSource = std::vector<std::unique_ptr<Processor>> (*)(OSProc& owner);
void add_processor_source(ProcessorSource source);

}  // namespace dagger::detail
