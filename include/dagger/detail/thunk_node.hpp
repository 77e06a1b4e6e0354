// A node of the DAG: a function, its dependencies and options. Nodes are
// immutable once built, except for the results they retain (persist/cache),
// the bookkeeping of the run that is computing them, and an eager task's
// dependencies, which it lets go once it has run.
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
struct TaskState;
using NodePtr = std::shared_ptr<ThunkNode>;

// A dependency: the result of another thunk, or an existing chunk.
struct Dep {
  NodePtr thunk;
  ChunkPtr chunk;
};

struct ThunkNode {
  // `function` lives in the same allocation (see ThunkNodeWith).
  ThunkNode(Callable& function, std::vector<Dep> deps, Options options);
  // Destroys long chains of nodes iteratively (no stack overflow).
  ~ThunkNode();

  std::string name() const;
  const Options& options() const noexcept { return *options_; }

 private:
  // Most thunks have default options: they share one Options object, which
  // keeps nodes small (100,000-thunk graphs touch every node when built).
  std::unique_ptr<const Options> own_options_;
  const Options* options_;

 public:
  const std::uint64_t id;
  Callable* const fn;
  std::vector<Dep> deps;
  // Any CPU thread of this process may run it (one CPU version, no scope).
  const bool any_cpu;

  // A result kept beyond the run: persist keeps it here, cache keeps it in
  // the process cache and a weak reference here. Guarded by
  // retained_mutex_for(id).
  ChunkPtr persisted;
  std::weak_ptr<ChunkData> cached;

  // Set for an eager task (spawn): its state and result. A lazy graph that
  // reads a task takes its result as an input.
  TaskState* task = nullptr;

  // Bookkeeping of the run whose graph is being built (builds are serial).
  std::uint64_t run_epoch = 0;
  std::uint32_t run_index = 0;
};

// A node and its function in one allocation.
template <class C>
struct CallableHolder {
  C callable;
};
template <class C>
struct ThunkNodeWith final : private CallableHolder<C>, public ThunkNode {
  ThunkNodeWith(C callable, std::vector<Dep> deps, Options options)
      : CallableHolder<C>{std::move(callable)},
        ThunkNode(this->CallableHolder<C>::callable, std::move(deps), std::move(options)) {}
};

std::uint64_t next_thunk_id();
std::mutex& retained_mutex_for(std::uint64_t thunk_id);

}  // namespace dagger::detail
