#include "memory/chunk_moves.hpp"

#include "dagger/errors.hpp"
#include "processors/moves.hpp"

namespace dagger::detail {

ChunkPtr move_chunk(const ChunkPtr& chunk, MemorySpace& to) {
  if (chunk->space == &to) return chunk;
  const MemorySpace& from = *chunk->space;
  MoveFunction move = find_move(from.kind(), to.kind());
  const ProcKind host = host_memory().kind();
  if (!move && !(from.kind() == host) && !(to.kind() == host) && find_move(from.kind(), host) &&
      find_move(host, to.kind())) {
    // No direct way (a GPU's memory and a worker's): through this process's
    // host memory.
    return move_chunk(move_chunk(chunk, host_memory()), to);
  }
  if (!move) {
    if (from.kind() == to.kind() && chunk->value.copyable()) {
      // Two spaces of one kind without a registered move: a plain copy.
      return std::make_shared<ChunkData>(chunk->value.copy(), to, chunk->producer);
    }
    throw Error("no move registered from memory space " + from.name() + " (kind " +
                from.kind().name() + ") to " + to.name() + " (kind " + to.kind().name() + ")");
  }
  return std::make_shared<ChunkData>(move(chunk->value, from, to), to, chunk->producer);
}

ChunkPtr chunk_in_host_memory(const ChunkPtr& chunk) { return move_chunk(chunk, host_memory()); }

}  // namespace dagger::detail
