// TaskGroup: waiting for every task spawned into it.
#include "dagger/spawn.hpp"

namespace dagger {

std::exception_ptr TaskGroup::wait_for_all() noexcept {
  std::exception_ptr first;
  for (const detail::NodePtr& node : tasks_) {
    try {
      detail::wait_task(*node);
    } catch (...) {
      // Waiting itself failed (a task waiting for itself): report that.
      if (!first) first = std::current_exception();
      continue;
    }
    if (!first && node->task->status.load(std::memory_order_acquire) != detail::TaskStatus::done) {
      first = node->task->error;
    }
  }
  tasks_.clear();
  return first;
}

}  // namespace dagger
