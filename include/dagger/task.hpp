// The user's handle to an eager task (dagger::spawn), as Dagger.jl's
// DTask and Dask's Future: it runs already; fetch waits for its value.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

#include "dagger/compute.hpp"
#include "dagger/detail/task_state.hpp"

namespace dagger {

template <class T>
class Task {
 public:
  using value_type = T;
  Task() = default;
  explicit Task(detail::NodePtr node) : node_(std::move(node)) {}

  bool valid() const noexcept { return node_ != nullptr; }
  std::uint64_t id() const { return node_->id; }
  std::string name() const { return node_->name(); }

  // Blocks until the task finished; its value (a copy: fetch may be called
  // again). A failure throws ThunkError, a cancelled task Cancelled.
  T fetch() const {
    detail::ChunkPtr result = detail::task_result_here(checked());
    if constexpr (!std::is_void_v<T>) return detail::value_of<T>(std::move(result));
  }
  // The result where it lives, without bringing it here.
  Chunk<detail::chunk_value_t<T>> chunk() const {
    return Chunk<detail::chunk_value_t<T>>(detail::task_result(checked()));
  }
  // Blocks until the task finished (done, failed or cancelled); never throws
  // the task's error.
  void wait() const { detail::wait_task(checked()); }
  bool ready() const noexcept { return node_ && detail::task_ready(*node_); }
  // A task that has not started never runs; a running one sees
  // dagger::cancelled() become true. Either way fetch throws Cancelled, and
  // so do its dependents.
  void cancel() const { detail::cancel_task(checked()); }

  const detail::NodePtr& node() const noexcept { return node_; }

 private:
  detail::ThunkNode& checked() const {
    if (!node_) detail::throw_empty_task();
    return *node_;
  }
  detail::NodePtr node_;
};

// Inside an eager task: whether it was asked to cancel (a long body polls
// it and returns early). False outside a task.
inline bool cancelled() noexcept { return detail::current_task_cancelled(); }

}  // namespace dagger
