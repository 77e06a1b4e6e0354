// A node of the DAG: a function, its dependencies and options. Nodes are
// immutable once built, except for the results they retain (persist/cache)
// and the bookkeeping of the run that is computing them.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "dagger/chunk.hpp"
#include "dagger/detail/callable.hpp"
#include "dagger/options.hpp"

namespace dagger::detail {

struct ThunkNode;
using NodePtr = std::shared_ptr<ThunkNode>;

// A dependency: the result of another thunk, or an existing chunk.
struct Dep {
  NodePtr thunk;
  ChunkPtr chunk;
};

struct ThunkNode {
  ThunkNode(std::unique_ptr<Callable> fn, std::vector<Dep> deps, Options options);
  // Destroys long chains of nodes iteratively (no stack overflow).
  ~ThunkNode();

  std::string name() const;

  const std::uint64_t id;
  const std::unique_ptr<Callable> fn;
  std::vector<Dep> deps;
  const Options options;
  // Any CPU thread of this process may run it (one CPU version, no scope).
  const bool any_cpu;

  // A result kept beyond the run: persist keeps it here, cache keeps it in
  // the process cache and a weak reference here.
  std::mutex retained_mutex;
  ChunkPtr persisted;
  std::weak_ptr<ChunkData> cached;

  // Bookkeeping of the run that is computing this node (runs are serial).
  std::uint64_t run_epoch = 0;
  std::uint32_t run_index = 0;
};

std::uint64_t next_thunk_id();

}  // namespace dagger::detail
