// What the scheduler needs to know of processors in worker processes: how
// to run a thunk there. The transport layer implements it.
#pragma once

#include <cstddef>
#include <vector>

#include "dagger/chunk.hpp"
#include "dagger/detail/thunk_node.hpp"
#include "dagger/processor.hpp"

namespace dagger::detail {

// True for a processor of a worker process, and for a worker's memory.
bool in_worker(const Processor& p);
bool is_worker_memory(const MemorySpace& space);
// Runs `node`'s version `version` on worker processor `p`; every input
// already lives in that worker's memory. The result stays there. Throws
// WorkerLost when the worker is lost, RemoteError when the function threw.
ChunkPtr run_in_worker(const Processor& p, const ThunkNode& node, std::size_t version,
                       const std::vector<const ChunkPtr*>& inputs);
// Registers the moves between this process's memory and workers' memories.
void register_worker_moves();

}  // namespace dagger::detail
