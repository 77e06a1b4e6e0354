// What the scheduler needs to know of processors in worker processes: how
// to run a thunk there. The transport layer implements it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <vector>

#include "dagger/chunk.hpp"
#include "dagger/detail/thunk_node.hpp"
#include "dagger/processor.hpp"

namespace dagger::detail {

// True for a processor of a worker process, and for a worker's memory.
bool in_worker(const Processor& p);
bool is_worker_memory(const MemorySpace& space);
// What a call to a worker ended in: its result, which stays in the worker,
// and how long it ran there; or the exception: WorkerLost when the worker
// is lost, RemoteError when the function threw, ProtocolError for a reply
// that makes no sense.
struct RemoteOutcome {
  ChunkPtr result;
  std::int64_t run_ns = 0;
  std::exception_ptr error;
};
using RemoteResult = std::function<void(RemoteOutcome)>;
// Starts `node`'s version `version` on worker processor `p`; every input
// already lives in that worker's memory. `on_result` gets the outcome, on
// the transport thread (or on this one when the worker is already lost).
// Several calls may be in flight at once.
void start_in_worker(const Processor& p, const ThunkNode& node, std::size_t version,
                     const std::vector<const ChunkPtr*>& inputs, RemoteResult on_result);
// Brings every chunk of `chunks` that lives in a worker into this
// process's host memory, with all the fetches in flight at once: one round
// trip for many results instead of one each. Others are left as they are.
// Throws WorkerLost when a worker is lost.
void fetch_from_workers(std::vector<ChunkPtr>& chunks);
// Registers the moves between this process's memory and workers' memories.
void register_worker_moves();

}  // namespace dagger::detail
