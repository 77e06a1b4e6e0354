// Eager tasks (dagger::spawn): each starts as soon as its inputs are done.
//
// A task that any CPU thread of this process may run goes into the queue of
// the thread that spawned it: a driver's own (depth first, newest at the
// back, inputs hot) or, for a thread outside the runtime, a queue of its
// own; idle drivers steal the oldest. A task with a scope, several versions or a
// meta function is placed on one allowed processor, the least loaded, and
// waits in that processor's queue; a worker's processor sends it to the
// worker and is free again at once (the reply finishes the task on the
// transport thread).
//
// A finished task lets its inputs go and keeps its result for its handles
// and dependents; it is freed with the last of them.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "dagger/detail/task_state.hpp"
#include "dagger/processor.hpp"
#include "scheduler/spin_lock.hpp"

namespace dagger::detail {

class EagerTasks {
 public:
  EagerTasks();
  EagerTasks(const EagerTasks&) = delete;
  EagerTasks& operator=(const EagerTasks&) = delete;

  void start(const NodePtr& node);
  // Runs (or sends to its worker) one queued task for `here`; false if none.
  bool run_one(Processor* here);
  // Whether run_one(here) may find a task: atomics only, for the hot path.
  bool has_work(const Processor* here) const;
  void wait(ThunkNode& node);
  void cancel(ThunkNode& node);
  // Queues again a done task whose result was lost with its worker; false
  // if it cannot run again (it read other tasks, which it let go).
  bool run_again(ThunkNode& node);

 private:
  class NodeQueue {
   public:
    void push_back(NodePtr node);
    bool pop_back(NodePtr& node) { return pop(node, true); }
    bool pop_front(NodePtr& node) { return pop(node, false); }
    void push_back_all(std::vector<NodePtr>::iterator first, std::vector<NodePtr>::iterator last);
    // Moves the older half of the entries (at most `most`) into `out`.
    std::size_t steal_half(std::size_t most, std::vector<NodePtr>& out);
    // Takes `node` out if it is among the oldest `look_ahead` entries.
    bool take(const ThunkNode* node, std::size_t look_ahead, NodePtr& out);
    bool empty() const { return size_.load(std::memory_order_seq_cst) == 0; }

   private:
    bool pop(NodePtr& node, bool back);
    SpinLock lock_;
    std::deque<NodePtr> nodes_;
    std::atomic<std::size_t> size_{0};
  };
  // What the runtime keeps per executing processor.
  struct Lane {
    Processor* processor = nullptr;  // null: a thread outside the runtime that spawns
    std::atomic<bool> in_use{false};  // an outside lane: its thread is alive
    bool steals = false;  // a CPU thread of this process: shares any-CPU tasks
    bool remote = false;  // a thread of a worker process
    NodeQueue any;        // any-CPU tasks: the owner takes the newest, thieves the oldest
    NodeQueue pinned;     // tasks placed on this processor, in order
    std::atomic<std::int64_t> load{0};  // placed tasks queued or running here
  };
  struct LaneTable {
    std::vector<Lane*> all;        // one per executing processor
    std::vector<Lane*> stealers;   // of those, the CPU threads of this process
    std::vector<Lane*> any_queues; // stealers, then the outside threads' lanes: where any-CPU tasks wait
  };

  const LaneTable& lanes() const { return *table_.load(std::memory_order_acquire); }
  void refresh_lanes();
  Lane* lane_of(const Processor* processor);
  // The lane of this thread outside the runtime: what it spawns waits in
  // its own queue (no contention with other spawners), and drivers steal.
  Lane* outside_lane();
  void became_ready(const NodePtr& node);
  void place(const NodePtr& node);
  // Runs a queued task on `processor` (null: the calling thread, outside
  // the runtime, in host memory).
  void execute(ThunkNode& node, const Processor* processor);
  void send_to_worker(const NodePtr& node, Lane& lane);
  bool retry_elsewhere(const NodePtr& node, const std::exception_ptr& error);
  // Moves the task to a final status (from one of the non-final ones it may
  // be in), stores its outcome and tells its dependents.
  bool finish(ThunkNode& node, TaskStatus to, ChunkPtr result, std::exception_ptr error);
  void release_pending(const NodePtr& node);
  void check_may_wait(const ThunkNode& node) const;
  // Takes a queued any-CPU task out of its queue, for a thread that waits
  // for it to run itself.
  bool take_queued(const ThunkNode& node, NodePtr& out);

  std::mutex lanes_mutex_;
  std::vector<std::unique_ptr<Lane>> owned_lanes_;
  std::vector<std::unique_ptr<LaneTable>> tables_;  // every table stays valid for readers
  std::atomic<LaneTable*> table_{nullptr};
  std::size_t processors_seen_ = 0;
};

EagerTasks& eager_tasks();

}  // namespace dagger::detail
