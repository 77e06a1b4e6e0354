// Moving a task's input into its processor's memory: one copy per memory
// space per chunk, shared by every task of the run that needs it there.
#include <mutex>

#include "memory/chunk_moves.hpp"
#include "dagger/detail/remote_processor.hpp"
#include "scheduler/run.hpp"

namespace dagger::detail {

ChunkPtr Run::replica(int slot, std::uint32_t task, std::uint32_t dep) {
  MemorySpace& to = *slots_[slot].memory;
  const RunRecord& record = plan_.records[task];
  const std::uint32_t d = plan_.producers[record.deps_begin + dep];
  const ChunkPtr& source = plan_.input(record, dep);
  const std::int64_t start = now_ns();
  ChunkPtr copy;
  if (d == kNone) {
    std::lock_guard lock(chunk_replicas_mutex_);
    for (const auto& [original, c] : chunk_replicas_) {
      if (original == source.get() && c->space == &to) return c;
    }
    copy = move_chunk(source, to);
    chunk_replicas_.emplace_back(source.get(), copy);
  } else {
    std::lock_guard lock(replica_locks_[d % replica_locks_.size()]);
    RunRecord& producer = plan_.records[d];
    for (const ChunkPtr& c : producer.replicas) {
      if (c->space == &to) return c;
    }
    copy = move_chunk(source, to);
    producer.replicas.push_back(copy);
  }
  // Between processes a move is communication.
  const bool between_processes = is_worker_memory(*source->space) || is_worker_memory(to);
  if (observer_ || live_) {
    observe_work(slot, between_processes ? Category::comm : Category::move, nullptr, source->producer, start,
                 copy->bytes);
  }
  return copy;
}

}  // namespace dagger::detail
