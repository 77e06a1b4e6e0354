// spawn_datadeps: the order of a region's tasks from their accesses.
#include "dagger/datadeps.hpp"

#include <algorithm>

#include "dagger/detail/task_state.hpp"

namespace dagger::detail {
namespace {

thread_local DatadepsRegion* innermost_region = nullptr;

void add_order(std::vector<Dep>& deps, std::size_t own_deps, const NodePtr& before) {
  if (!before) return;
  // One edge per earlier task is enough.
  for (std::size_t i = own_deps; i < deps.size(); ++i) {
    if (deps[i].thunk == before) return;
  }
  deps.push_back(Dep{before, nullptr});
}

}  // namespace

DatadepsRegion* current_datadeps_region() noexcept { return innermost_region; }

void DatadepsRegion::order(std::vector<Dep>& deps, const Access* accesses, std::size_t count) {
  const std::size_t own_deps = deps.size();
  for (std::size_t i = 0; i < count; ++i) {
    auto it = history_.find(accesses[i].object);
    if (it == history_.end()) continue;
    const History& h = it->second;
    add_order(deps, own_deps, h.writer);  // read after write, write after write
    if (accesses[i].writes) {
      for (const NodePtr& reader : h.readers) add_order(deps, own_deps, reader);  // write after read
    }
  }
}

void DatadepsRegion::record(const NodePtr& task, const Access* accesses, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    History& h = history_[accesses[i].object];
    if (accesses[i].writes) {
      h.writer = task;
      h.readers.clear();
    } else if (h.readers.empty() || h.readers.back() != task) {
      h.readers.push_back(task);
    }
  }
  tasks_.push_back(task);
}

std::exception_ptr DatadepsRegion::wait_all() {
  std::exception_ptr first;
  for (const NodePtr& task : tasks_) {
    wait_task(*task);
    if (!first && task->task->status.load(std::memory_order_acquire) != TaskStatus::done) first = task->task->error;
  }
  tasks_.clear();
  history_.clear();
  return first;
}

DatadepsScope::DatadepsScope() : outer_(innermost_region) { innermost_region = &region_; }

DatadepsScope::~DatadepsScope() {
  innermost_region = outer_;
  if (!finished_) region_.wait_all();  // the body threw: its tasks still use the caller's objects
}

void DatadepsScope::finish() {
  innermost_region = outer_;
  finished_ = true;
  if (std::exception_ptr error = region_.wait_all()) std::rethrow_exception(error);
}

}  // namespace dagger::detail
