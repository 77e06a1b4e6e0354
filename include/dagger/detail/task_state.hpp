// The state of an eager task (dagger::spawn): a ThunkNode that starts as
// soon as its inputs are done and keeps its result for its handles.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "dagger/detail/thunk_node.hpp"

namespace dagger::detail {

// waiting → queued → running → done | failed | cancelled. waiting and
// queued may also go straight to failed (an input failed) or cancelled.
enum class TaskStatus : std::uint32_t { waiting, queued, running, done, failed, cancelled };

inline bool is_final(TaskStatus s) { return s >= TaskStatus::done; }

struct TaskState {
  TaskState() = default;
  TaskState(const TaskState&) = delete;
  TaskState& operator=(const TaskState&) = delete;
  ~TaskState();  // a worker's handle to a driver's task tells the driver

  std::atomic<TaskStatus> status{TaskStatus::waiting};
  // Inputs not yet done, plus one held by spawn until it has registered
  // with every input.
  std::atomic<std::uint32_t> pending{1};
  std::atomic<bool> cancel_requested{false};
  // Guards `dependents`, the node's dependencies once it runs, and the move
  // to a final status (so that a dependent registers before it, or sees it).
  std::mutex mutex;
  std::vector<NodePtr> dependents;  // tasks waiting for this one
  ChunkPtr result;                  // set before status becomes done
  std::exception_ptr error;         // set before failed or cancelled
  std::exception_ptr input_error;   // the first input that failed or was cancelled
  bool reads_inputs = false;        // it read other tasks or chunks (set when it finished)
  std::weak_ptr<ThunkNode> self;    // to queue it again (run_again)
  std::vector<std::function<void()>> watchers;  // called once it is final (when_final)
  // In a worker process: the task runs where the driver places it, and this
  // is the worker's name for it there (0: an ordinary task of this process).
  std::uint64_t remote_id = 0;

  // The move to final status `to` with its outcome; false (and nothing
  // done) if the task is final already. `under_lock` runs with the lock
  // held, just before the status changes; then every waiter wakes and the
  // watchers are called, outside the lock.
  template <class UnderLock>
  bool settle(TaskStatus to, ChunkPtr outcome, std::exception_ptr failure, UnderLock&& under_lock) {
    std::vector<std::function<void()>> called;
    {
      std::lock_guard lock(mutex);
      if (is_final(status.load(std::memory_order_acquire))) return false;
      result = std::move(outcome);
      error = std::move(failure);
      called.swap(watchers);
      under_lock();
      status.store(to, std::memory_order_release);
    }
    status.notify_all();
    for (auto& watcher : called) watcher();
    return true;
  }
};

// In a worker process, the tasks that task bodies spawn are scheduled by the
// driver. The worker's server installs this before it runs anything; a
// proxy task here (remote_id set) reaches its status only through it.
class RemoteTasks {
 public:
  virtual ~RemoteTasks() = default;
  // Sends the task to the driver (throws UsageError for one that cannot go).
  virtual void start(const NodePtr& node) = 0;
  // Asks for the task's outcome if nobody did yet; it arrives later.
  virtual void request(ThunkNode& node) = 0;
  // Requests it and waits for it, running this worker's other work meanwhile.
  virtual void wait(ThunkNode& node) = 0;
  virtual void cancel(ThunkNode& node) = 0;
  // The last handle to the worker's task `remote_id` is gone.
  virtual void forget(std::uint64_t remote_id) noexcept = 0;
};
void set_remote_tasks(RemoteTasks* tasks) noexcept;
RemoteTasks* remote_tasks() noexcept;

// Calls `then` once the task is final: at once if it is, else on the thread
// that finishes it (which may be a transport thread: `then` must not block).
void when_final(ThunkNode& node, std::function<void()> then);

// A task node and its function in one allocation.
template <class C>
struct TaskNodeWith final : private CallableHolder<C>, public ThunkNode {
  TaskState state;
  TaskNodeWith(C callable, std::vector<Dep> deps, Options options)
      : CallableHolder<C>{std::move(callable)},
        ThunkNode(this->CallableHolder<C>::callable, std::move(deps), std::move(options)) {
    task = &state;
  }
};

// Registers a new task with its inputs; it is queued once they are done.
void start_task(const NodePtr& node);
// Blocks until the task is final. A driver thread runs other tasks
// meanwhile. A task waiting for itself or for a task downstream of itself
// is a UsageError.
void wait_task(ThunkNode& node);
bool task_ready(const ThunkNode& node) noexcept;
// The task's result (waits), or its error rethrown.
ChunkPtr task_result(ThunkNode& node);
// The same, brought into this process's host memory. A task whose result
// is lost with its worker runs again where it can (see run_again).
ChunkPtr task_result_here(ThunkNode& node);
void cancel_task(ThunkNode& node);
[[noreturn]] void throw_empty_task();
// Whether the eager task running on this thread was asked to cancel.
bool current_task_cancelled() noexcept;

}  // namespace dagger::detail
