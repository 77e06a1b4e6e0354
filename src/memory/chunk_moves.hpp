// Moving chunks between memory spaces.
#pragma once

#include "dagger/chunk.hpp"
#include "dagger/processor.hpp"

namespace dagger::detail {

// The chunk's value in `to`: the chunk itself when it is already there,
// otherwise a new chunk made by the registered move function.
ChunkPtr move_chunk(const ChunkPtr& chunk, MemorySpace& to);

}  // namespace dagger::detail
