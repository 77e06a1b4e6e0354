// Eager tasks (dagger::spawn): each starts as soon as its inputs are done.
//
// A task that any CPU thread of this process may run goes into the queue of
// one such thread: the spawning driver's own (depth first, newest at the
// back, inputs hot) or, from a thread outside the runtime, one in turn;
// idle threads steal the oldest. A task with a scope, several versions or a
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
  void wait(const ThunkNode& node);
  void cancel(ThunkNode& node);

 private:
  class NodeQueue {
   public:
    void push_back(NodePtr node);
    bool pop_back(NodePtr& node);
    bool pop_front(NodePtr& node);
    bool empty() const { return size_.load(std::memory_order_acquire) == 0; }

   private:
    std::mutex mutex_;
    std::deque<NodePtr> nodes_;
    std::atomic<std::size_t> size_{0};
  };
  // What the runtime keeps per executing processor.
  struct Lane {
    Processor* processor = nullptr;
    bool steals = false;  // a CPU thread of this process: shares any-CPU tasks
    bool remote = false;  // a thread of a worker process
    NodeQueue any;        // any-CPU tasks: the owner takes the newest, thieves the oldest
    NodeQueue pinned;     // tasks placed on this processor, in order
    std::atomic<std::int64_t> load{0};  // placed tasks queued or running here
  };
  struct LaneTable {
    std::vector<Lane*> all;
    std::vector<Lane*> stealers;
  };

  const LaneTable& lanes() const { return *table_.load(std::memory_order_acquire); }
  void refresh_lanes();
  Lane* lane_of(const Processor* processor);
  void became_ready(const NodePtr& node);
  void place(const NodePtr& node);
  void execute(const NodePtr& node, Lane& lane);
  void send_to_worker(const NodePtr& node, Lane& lane);
  // Moves the task to a final status (from one of the non-final ones it may
  // be in), stores its outcome and tells its dependents.
  bool finish(ThunkNode& node, TaskStatus to, ChunkPtr result, std::exception_ptr error);
  void release_pending(const NodePtr& node);
  void check_may_wait(const ThunkNode& node) const;

  std::mutex lanes_mutex_;
  std::vector<std::unique_ptr<Lane>> owned_lanes_;
  std::vector<std::unique_ptr<LaneTable>> tables_;  // every table stays valid for readers
  std::atomic<LaneTable*> table_{nullptr};
  std::size_t processors_seen_ = 0;
  std::atomic<std::uint32_t> round_robin_{0};
};

EagerTasks& eager_tasks();

}  // namespace dagger::detail
