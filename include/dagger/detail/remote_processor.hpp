// What the scheduler knows of processors in other processes (a worker's
// threads): it hands them a thunk and is called back with the outcome. The
// distributed layer implements them; the scheduler never names it.
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

// The memory of another process.
class RemoteMemory : public MemorySpace {
 public:
  using MemorySpace::MemorySpace;
};

// A processor of another process.
class RemoteProcessor : public Processor {
 public:
  // Starts `node`'s version `version` there; every input already lives in
  // that process's memory. `on_result` gets the outcome, on the transport
  // thread (or on this one when the process is already lost). Several
  // calls may be in flight at once.
  virtual void start(const ThunkNode& node, std::size_t version, const std::vector<const ChunkPtr*>& inputs,
                     RemoteResult on_result) const = 0;
};

inline bool in_worker(const Processor& p) { return dynamic_cast<const RemoteProcessor*>(&p) != nullptr; }
inline bool is_worker_memory(const MemorySpace& space) { return dynamic_cast<const RemoteMemory*>(&space) != nullptr; }

// Brings every chunk of `chunks` that lives in another process into this
// process's host memory, with all the fetches in flight at once: one round
// trip for many results instead of one each. Others are left as they are.
// Throws WorkerLost when a worker is lost. Without a fetcher (no workers
// ever joined) nothing lives elsewhere and it does nothing.
void fetch_from_workers(std::vector<ChunkPtr>& chunks);
using RemoteFetcher = void (*)(std::vector<ChunkPtr>& chunks);
// Set by the distributed layer when its first worker joins.
void set_remote_fetcher(RemoteFetcher fetcher);

}  // namespace dagger::detail
