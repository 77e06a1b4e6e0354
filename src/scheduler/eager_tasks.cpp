#include "scheduler/eager_tasks.hpp"

#include <algorithm>
#include <string>
#include <thread>
#include <unordered_set>

#include "dagger/errors.hpp"
#include "dagger/spawn.hpp"
#include "core/exception_text.hpp"
#include "core/live_view.hpp"
#include "memory/chunk_moves.hpp"
#include "dagger/detail/remote_processor.hpp"
#include "scheduler/cpu_relax.hpp"
#include "scheduler/executor.hpp"
#include "scheduler/recomputations.hpp"
#include "scheduler/run.hpp"
#include "memory/chunk_store.hpp"

namespace dagger::detail {
namespace {

// The eager tasks this thread is running, innermost last (a task that
// waits runs others meanwhile).
thread_local std::vector<ThunkNode*> running_here;

struct RunningHere {
  explicit RunningHere(ThunkNode* node) { running_here.push_back(node); }
  ~RunningHere() { running_here.pop_back(); }
  RunningHere(const RunningHere&) = delete;
  RunningHere& operator=(const RunningHere&) = delete;
};

std::string task_text(const ThunkNode& node) {
  return "task " + std::to_string(node.id) + " (" + node.name() + ")";
}

// The error a dependent gets when its input ended in `input_error`.
std::exception_ptr dependent_error(const ThunkNode& dependent, const ThunkNode& input, std::exception_ptr input_error) {
  try {
    std::rethrow_exception(input_error);
  } catch (const ThunkError& e) {
    return std::make_exception_ptr(ThunkError(dependent.id, dependent.name(), e));
  } catch (const Cancelled&) {
    return std::make_exception_ptr(
        Cancelled(dependent.id, dependent.name(), ": its input " + task_text(input) + " was cancelled"));
  } catch (const std::exception& e) {
    return std::make_exception_ptr(ThunkError(dependent.id, dependent.name(), "",
                                              "its input " + task_text(input) + " failed: " + e.what(), input_error));
  } catch (...) {
    return std::make_exception_ptr(ThunkError(dependent.id, dependent.name(), "",
                                              "its input " + task_text(input) + " failed", input_error));
  }
}

// What fetch throws for a task whose function threw `error` on `where`.
std::exception_ptr failure(const ThunkNode& node, const std::string& where, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const WorkerLost&) {
    return error;  // not the function's fault: names the worker
  } catch (const std::exception& e) {
    return std::make_exception_ptr(ThunkError(node.id, node.name(), where, e.what(), error));
  } catch (...) {
    return std::make_exception_ptr(ThunkError(node.id, node.name(), where, "unknown exception", error));
  }
}

void note_input_error(TaskState& state, std::exception_ptr error) {
  std::lock_guard lock(state.mutex);
  if (!state.input_error) state.input_error = std::move(error);
}

std::size_t version_for(const ThunkNode& node, ProcKind kind) {
  if (node.any_cpu || node.fn->meta()) return 0;
  const auto kinds = node.fn->kinds();
  return static_cast<std::size_t>(std::find(kinds.begin(), kinds.end(), kind) - kinds.begin());
}

// The inputs of a task, each in the memory space of the processor that
// runs it. A task never takes an input's value: the input's handles may
// fetch it again.
class TaskArgs final : public InvokeArgs {
 public:
  TaskArgs(const ThunkNode& node, MemorySpace& here) {
    inputs_.reserve(node.deps.size());
    for (const Dep& dep : node.deps) {
      const ChunkPtr& chunk = dep.chunk ? dep.chunk : dep.thunk->task->result;
      if (!chunk) {  // a void task's: an order (datadeps), not a value
        inputs_.emplace_back();
        continue;
      }
      pinned_.add(*chunk);
      inputs_.push_back(chunk->space == &here ? chunk : move_chunk(chunk, here));
    }
  }
  Value& value(std::uint32_t dep) override { return inputs_[dep]->value; }
  const ChunkPtr& chunk(std::uint32_t dep) override { return inputs_[dep]; }
  bool may_take(std::uint32_t) override { return false; }
  std::vector<const ChunkPtr*> pointers() const {
    std::vector<const ChunkPtr*> out;
    for (const ChunkPtr& c : inputs_) out.push_back(&c);
    return out;
  }

 private:
  PinnedInputs pinned_;
  std::vector<ChunkPtr> inputs_;
};

}  // namespace

// ---------------------------------------------------------------- queues

void EagerTasks::NodeQueue::push_back(NodePtr node) {
  std::lock_guard lock(lock_);
  nodes_.push_back(std::move(node));
  size_.store(nodes_.size(), std::memory_order_seq_cst);  // before notify_work's look at the sleepers
}

bool EagerTasks::NodeQueue::pop(NodePtr& node, bool back) {
  if (empty()) return false;
  std::lock_guard lock(lock_);
  if (nodes_.empty()) return false;
  if (back) {
    node = std::move(nodes_.back());
    nodes_.pop_back();
  } else {
    node = std::move(nodes_.front());
    nodes_.pop_front();
  }
  size_.store(nodes_.size(), std::memory_order_release);
  return true;
}

void EagerTasks::NodeQueue::push_back_all(std::vector<NodePtr>::iterator first, std::vector<NodePtr>::iterator last) {
  if (first == last) return;
  std::lock_guard lock(lock_);
  for (; first != last; ++first) nodes_.push_back(std::move(*first));
  size_.store(nodes_.size(), std::memory_order_seq_cst);
}

std::size_t EagerTasks::NodeQueue::steal_half(std::size_t most, std::vector<NodePtr>& out) {
  if (empty()) return 0;
  std::lock_guard lock(lock_);
  const std::size_t n = std::min(most, (nodes_.size() + 1) / 2);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(std::move(nodes_.front()));
    nodes_.pop_front();
  }
  size_.store(nodes_.size(), std::memory_order_release);
  return n;
}

bool EagerTasks::NodeQueue::take(const ThunkNode* node, std::size_t look_ahead, NodePtr& out) {
  if (empty()) return false;
  std::lock_guard lock(lock_);
  const std::size_t n = std::min(look_ahead, nodes_.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (nodes_[i].get() == node) {
      out = std::move(nodes_[i]);
      nodes_.erase(nodes_.begin() + static_cast<std::ptrdiff_t>(i));
      size_.store(nodes_.size(), std::memory_order_release);
      return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------- lanes

EagerTasks::EagerTasks() {
  tables_.push_back(std::make_unique<LaneTable>());
  table_.store(tables_.back().get(), std::memory_order_release);
}

void EagerTasks::refresh_lanes() {
  std::lock_guard lock(lanes_mutex_);
  const auto& processors = all_processors();
  if (processors.size() == processors_seen_) return;
  processors_seen_ = processors.size();
  auto table = std::make_unique<LaneTable>(lanes());
  for (Processor* p : processors) {
    if (!p->executes()) continue;
    if (std::any_of(table->all.begin(), table->all.end(), [&](const Lane* l) { return l->processor == p; })) continue;
    auto lane = std::make_unique<Lane>();
    lane->processor = p;
    lane->remote = in_worker(*p);
    lane->steals = !lane->remote && p->kind() == ProcKind::cpu() && &p->memory() == &host_memory() &&
                   p->parent() == &this_process();
    table->all.push_back(lane.get());
    if (lane->steals) {
      table->stealers.push_back(lane.get());
      table->any_queues.insert(table->any_queues.begin() + static_cast<std::ptrdiff_t>(table->stealers.size() - 1),
                               lane.get());
    }
    owned_lanes_.push_back(std::move(lane));
  }
  tables_.push_back(std::move(table));
  table_.store(tables_.back().get(), std::memory_order_release);
  executor().start_missing_drivers();
}

EagerTasks::Lane* EagerTasks::outside_lane() {
  // Given back when the thread ends, for the next outside thread; tasks
  // still in it are stolen as before.
  struct Held {
    Lane* lane = nullptr;
    ~Held() {
      if (lane) lane->in_use.store(false, std::memory_order_release);
    }
  };
  thread_local Held held;
  if (held.lane) return held.lane;
  std::lock_guard lock(lanes_mutex_);
  for (Lane* lane : lanes().any_queues) {
    bool free = false;
    if (!lane->processor && lane->in_use.compare_exchange_strong(free, true, std::memory_order_acq_rel)) {
      held.lane = lane;
      return lane;
    }
  }
  auto lane = std::make_unique<Lane>();
  lane->in_use.store(true, std::memory_order_relaxed);
  auto table = std::make_unique<LaneTable>(lanes());
  table->any_queues.push_back(lane.get());
  held.lane = lane.get();
  owned_lanes_.push_back(std::move(lane));
  tables_.push_back(std::move(table));
  table_.store(tables_.back().get(), std::memory_order_release);
  return held.lane;
}

EagerTasks::Lane* EagerTasks::lane_of(const Processor* processor) {
  thread_local const Processor* cached_for = nullptr;
  thread_local Lane* cached = nullptr;
  if (processor == cached_for && cached) return cached;
  for (int attempt = 0; attempt < 2; ++attempt) {
    for (Lane* lane : lanes().all) {
      if (lane->processor == processor) {
        cached_for = processor;
        cached = lane;
        return lane;
      }
    }
    refresh_lanes();
  }
  return nullptr;
}

bool EagerTasks::has_work(const Processor* here) const {
  // Called per task by drivers inside a computation: their lane is cached.
  thread_local const Processor* cached_for = nullptr;
  thread_local const Lane* cached = nullptr;
  const LaneTable& table = lanes();
  const Lane* mine = here == cached_for ? cached : nullptr;
  if (mine == nullptr) {
    for (const Lane* lane : table.all) {
      if (lane->processor == here) {
        mine = lane;
        cached_for = here;
        cached = lane;
        break;
      }
    }
  }
  if (mine == nullptr) return false;
  if (!mine->pinned.empty()) return true;
  if (!mine->steals) return false;
  return std::any_of(table.any_queues.begin(), table.any_queues.end(), [](const Lane* l) { return !l->any.empty(); });
}

// ---------------------------------------------------------------- starting

void EagerTasks::start(const NodePtr& node) {
  TaskState& state = *node->task;
  state.self = node;
  if (RemoteTasks* remote = remote_tasks()) {
    remote->start(node);
    return;
  }
  if (LiveView* view = live_view()) view->task_spawned(*node);
  for (const Dep& dep : node->deps) {
    if (!dep.thunk) continue;  // a chunk: there already
    TaskState& input = *dep.thunk->task;
    std::unique_lock lock(input.mutex);
    const TaskStatus s = input.status.load(std::memory_order_acquire);
    if (!is_final(s)) {
      state.pending.fetch_add(1, std::memory_order_relaxed);
      input.dependents.push_back(node);
      continue;
    }
    lock.unlock();
    if (s != TaskStatus::done) note_input_error(state, dependent_error(*node, *dep.thunk, input.error));
  }
  release_pending(node);
}

void EagerTasks::release_pending(const NodePtr& node) {
  if (node->task->pending.fetch_sub(1, std::memory_order_acq_rel) == 1) became_ready(node);
}

void EagerTasks::became_ready(const NodePtr& node) {
  TaskState& state = *node->task;
  std::exception_ptr input_error;
  {
    std::lock_guard lock(state.mutex);
    input_error = state.input_error;
  }
  if (input_error) {
    const bool cancelled = [&] {
      try {
        std::rethrow_exception(input_error);
      } catch (const Cancelled&) {
        return true;
      } catch (...) {
        return false;
      }
    }();
    finish(*node, cancelled ? TaskStatus::cancelled : TaskStatus::failed, nullptr, input_error);
    return;
  }
  TaskStatus expected = TaskStatus::waiting;
  if (!state.status.compare_exchange_strong(expected, TaskStatus::queued, std::memory_order_acq_rel)) return;
  if (state.cancel_requested.load(std::memory_order_acquire)) {
    finish(*node, TaskStatus::cancelled, nullptr,
           std::make_exception_ptr(Cancelled(node->id, node->name(), " before it started")));
    return;
  }
  place(node);
}

void EagerTasks::place(const NodePtr& node) {
  if (lanes().stealers.empty()) refresh_lanes();
  if (node->any_cpu && !lanes().stealers.empty()) {
    // The spawning thread keeps it (a driver: depth first, newest at the
    // back); idle drivers steal the oldest.
    Lane* target = nullptr;
    if (Processor* here = Executor::driver_processor()) {
      Lane* mine = lane_of(here);
      if (mine && mine->steals) target = mine;
    }
    if (!target) target = outside_lane();
    target->any.push_back(node);
    executor().notify_work();
    return;
  }
  refresh_lanes();  // a processor added since (a worker, a device) may take it
  const LaneTable& table = lanes();
  // Placed on one processor: the least loaded of those its scope allows and
  // that have a version of its function.
  const Callable& fn = *node->fn;
  const Scope& scope = node->options().scope;
  Lane* best = nullptr;
  std::string allowed;
  for (Lane* lane : table.all) {
    const Processor& p = *lane->processor;
    if (p.lost() || !scope.allows(p)) continue;
    if (fn.meta()) {
      if (!lane->steals) continue;
    } else {
      const auto kinds = fn.kinds();
      const auto version = std::find(kinds.begin(), kinds.end(), p.kind());
      if (version == kinds.end()) continue;
      if (lane->remote && !fn.remote_capable(static_cast<std::size_t>(version - kinds.begin()))) continue;
    }
    if (!best || lane->load.load(std::memory_order_relaxed) < best->load.load(std::memory_order_relaxed)) best = lane;
  }
  if (!best) {
    std::string processors;
    for (const Lane* lane : table.all) processors += (processors.empty() ? "" : ", ") + lane->processor->name();
    finish(*node, TaskStatus::failed, nullptr,
           std::make_exception_ptr(NoProcessorError(
               "no processor can run " + task_text(*node) +
               ": none is both allowed by its scope and of a kind it has a version for (try widening the scope); "
               "processors [" + processors + "]")));
    return;
  }
  best->load.fetch_add(1, std::memory_order_relaxed);
  best->pinned.push_back(node);
  executor().notify_work();
}

// ---------------------------------------------------------------- running

bool EagerTasks::run_one(Processor* here) {
  Lane* lane = lane_of(here);
  if (!lane) return false;
  NodePtr node;
  if (lane->pinned.pop_front(node)) {
    if (lane->remote) {
      send_to_worker(node, *lane);
    } else {
      execute(*node, lane->processor);
      lane->load.fetch_sub(1, std::memory_order_relaxed);
    }
    return true;
  }
  if (!lane->steals) return false;
  if (!lane->any.pop_back(node)) {
    // Steal the older half of another queue (up to kStealBatch tasks): one
    // lock per batch, not per task, when one thread spawns for many.
    constexpr std::size_t kStealBatch = 32;
    thread_local std::vector<NodePtr> stolen;
    const auto& queues = lanes().any_queues;
    const std::size_t n = queues.size();
    const auto start = static_cast<std::size_t>(std::find(queues.begin(), queues.end(), lane) - queues.begin());
    for (std::size_t i = 1; i < n && stolen.empty(); ++i) queues[(start + i) % n]->any.steal_half(kStealBatch, stolen);
    if (stolen.empty()) return false;
    node = std::move(stolen.front());  // the oldest runs now, the rest next, oldest first
    std::reverse(stolen.begin() + 1, stolen.end());
    lane->any.push_back_all(stolen.begin() + 1, stolen.end());
    stolen.clear();
  }
  execute(*node, lane->processor);
  return true;
}

void EagerTasks::execute(ThunkNode& node, const Processor* processor) {
  TaskState& state = *node.task;
  TaskStatus expected = TaskStatus::queued;
  // Cancelled while it waited in the queue, or taken by a thread that waits
  // for it: nothing to do.
  if (!state.status.compare_exchange_strong(expected, TaskStatus::running, std::memory_order_acq_rel)) return;
  ChunkPtr result;
  std::exception_ptr error;
  // Timed for the live view within its budget; past it the task's end is all it is told.
  LiveView* view = live_view();
  if (view && !view->times_next_span()) view = nullptr;
  const std::int64_t start = view ? now_ns() : 0;
  {
    RunningHere running(&node);
    try {
      MemorySpace& memory = processor ? processor->memory() : host_memory();
      TaskArgs args(node, memory);
      Value value = node.fn->invoke(version_for(node, processor ? processor->kind() : ProcKind::cpu()), args);
      // A void task keeps no chunk (nothing can read it); Task::chunk makes one if asked.
      if (value.type() != typeid(Void)) {
        result = std::make_shared<ChunkData>(std::move(value), memory, node.id);
        if (node.options().get_result && &memory != &host_memory()) result = move_chunk(result, host_memory());
      }
    } catch (...) {
      error = failure(node, processor ? processor->name() : "the thread that waited for it", std::current_exception());
    }
  }
  if (view) {
    view->span(0, Category::compute, &node, node.id, processor ? processor : &this_process(), start, now_ns(),
               result ? result->bytes : 0);
  }
  finish(node, error ? TaskStatus::failed : TaskStatus::done, std::move(result), error);
}

void EagerTasks::send_to_worker(const NodePtr& node, Lane& lane) {
  TaskState& state = *node->task;
  TaskStatus expected = TaskStatus::queued;
  if (!state.status.compare_exchange_strong(expected, TaskStatus::running, std::memory_order_acq_rel)) {
    lane.load.fetch_sub(1, std::memory_order_relaxed);
    return;
  }
  const Processor& processor = *lane.processor;
  try {
    // The inputs stay alive (and pinned) until the reply.
    auto args = std::make_shared<TaskArgs>(*node, processor.memory());
    const auto& remote = static_cast<const RemoteProcessor&>(processor);
    LiveView* live = live_view();
    const std::int64_t sent = live && live->times_next_span() ? now_ns() : 0;
    remote.start(*node, version_for(*node, processor.kind()), args->pointers(),
                 [this, node, args, &lane, sent](RemoteOutcome outcome) mutable {
                   lane.load.fetch_sub(1, std::memory_order_relaxed);
                   args.reset();
                   if (LiveView* view = live_view(); view && sent != 0) {
                     view->span(0, Category::compute, node.get(), node->id, lane.processor, sent, now_ns(),
                                outcome.result ? outcome.result->bytes : 0);
                   }
                   if (outcome.error && retry_elsewhere(node, outcome.error)) return;
                   if (outcome.error) {
                     finish(*node, TaskStatus::failed, nullptr, failure(*node, lane.processor->name(), outcome.error));
                   } else {
                     finish(*node, TaskStatus::done, std::move(outcome.result), nullptr);
                   }
                 });
  } catch (...) {
    lane.load.fetch_sub(1, std::memory_order_relaxed);
    if (retry_elsewhere(node, std::current_exception())) return;
    finish(*node, TaskStatus::failed, nullptr, failure(*node, processor.name(), std::current_exception()));
  }
}

// A failure runs down every dependent, and their dependents: the finishes
// it causes wait in a list on this thread instead of recursing, so a chain
// of 100,000 tasks does not overflow the stack.
// The worker running a task was lost: the task runs again on another
// processor its scope allows, if its inputs still exist (an input that only
// the lost worker held is gone: then the task fails with WorkerLost).
bool EagerTasks::retry_elsewhere(const NodePtr& node, const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const WorkerLost&) {
  } catch (...) {
    return false;
  }
  for (const Dep& dep : node->deps) {
    const ChunkPtr& chunk = dep.chunk ? dep.chunk : dep.thunk->task->result;
    if (chunk && chunk->space->lost()) return false;
  }
  TaskStatus expected = TaskStatus::running;
  if (!node->task->status.compare_exchange_strong(expected, TaskStatus::queued, std::memory_order_acq_rel)) {
    return false;
  }
  count_recomputed(1);
  place(node);
  return true;
}

bool EagerTasks::finish(ThunkNode& node, TaskStatus to, ChunkPtr result, std::exception_ptr error) {
  TaskState& state = *node.task;
  if (to == TaskStatus::done && state.cancel_requested.load(std::memory_order_acquire)) {
    to = TaskStatus::cancelled;
    result.reset();
    error = std::make_exception_ptr(Cancelled(node.id, node.name(), " while it ran"));
  }
  std::vector<NodePtr> dependents;
  std::vector<Dep> inputs;
  const bool settled = state.settle(to, std::move(result), error, [&] {
    state.reads_inputs = !node.deps.empty();
    dependents.swap(state.dependents);
    inputs.swap(node.deps);
  });
  if (!settled) return false;
  if (LiveView* view = live_view()) {
    view->task_ended(node, to == TaskStatus::done ? TaskEnd::done
                           : to == TaskStatus::cancelled ? TaskEnd::cancelled : TaskEnd::failed,
                     error ? message_of(error) : std::string());
  }
  thread_local bool releasing = false;
  thread_local std::vector<NodePtr> to_release;
  for (NodePtr& dependent : dependents) {
    if (to != TaskStatus::done) note_input_error(*dependent->task, dependent_error(*dependent, node, error));
    to_release.push_back(std::move(dependent));
  }
  if (!releasing) {
    releasing = true;
    while (!to_release.empty()) {
      NodePtr next = std::move(to_release.back());
      to_release.pop_back();
      release_pending(next);
    }
    releasing = false;
  }
  return true;  // `inputs` go here, outside the lock: an input nobody else holds is freed
}

// ---------------------------------------------------------------- waiting

// Waiting for a task that cannot finish before this thread returns (itself,
// or one downstream of a task this thread is running) would never end.
void EagerTasks::check_may_wait(const ThunkNode& target) const {
  if (running_here.empty()) return;
  for (const ThunkNode* mine : running_here) {
    if (mine == &target) {
      throw UsageError(task_text(target) + " waits for its own result: it would wait forever");
    }
  }
  std::vector<NodePtr> stack;
  std::unordered_set<const ThunkNode*> seen;
  auto push_inputs = [&](const ThunkNode& node) {
    std::lock_guard lock(node.task->mutex);
    for (const Dep& dep : node.deps) {
      if (dep.thunk && dep.thunk->task && seen.insert(dep.thunk.get()).second) stack.push_back(dep.thunk);
    }
  };
  push_inputs(target);
  while (!stack.empty()) {
    NodePtr node = std::move(stack.back());
    stack.pop_back();
    if (std::find(running_here.begin(), running_here.end(), node.get()) != running_here.end()) {
      throw UsageError("a running task waits for " + task_text(target) + ", which depends on " + task_text(*node) +
                       " running on the same thread: it would wait forever");
    }
    if (!is_final(node->task->status.load(std::memory_order_acquire))) push_inputs(*node);
  }
}

void EagerTasks::wait(ThunkNode& node) {
  TaskState& state = *node.task;
  auto final_now = [&] { return is_final(state.status.load(std::memory_order_acquire)); };
  if (final_now()) return;
  if (state.remote_id != 0) {
    remote_tasks()->wait(node);
    return;
  }
  check_may_wait(node);
  if (Executor::on_driver_thread()) {
    executor().help_until(final_now);
    return;
  }
  // Outside the runtime: a task any CPU thread may run that no thread took
  // yet is taken from its queue and run here (as oneTBB's wait does). Else a short task is done in microseconds, so look for a while
  // before sleeping on the status.
  NodePtr mine;
  if (node.any_cpu && take_queued(node, mine)) execute(*mine, nullptr);
  const std::int64_t spin_until = now_ns() + 20'000;
  for (int i = 0; !final_now(); ++i) {
    if ((i & 63) == 63 && now_ns() > spin_until) break;
    cpu_relax();
  }
  for (TaskStatus s = state.status.load(std::memory_order_acquire); !is_final(s);
       s = state.status.load(std::memory_order_acquire)) {
    state.status.wait(s, std::memory_order_acquire);
  }
}

bool EagerTasks::take_queued(const ThunkNode& node, NodePtr& out) {
  constexpr std::size_t kLookAhead = 64;  // tasks are usually waited for in the order they were spawned
  if (node.task->status.load(std::memory_order_acquire) != TaskStatus::queued) return false;
  for (Lane* lane : lanes().any_queues) {
    if (lane->any.take(&node, kLookAhead, out)) return true;
  }
  return false;
}

// A task whose result was in a worker that was lost runs again, if it read
// no other task (its arguments are in the node). Any number of threads may
// find the result lost at once: one queues the task, the others wait.
bool EagerTasks::run_again(ThunkNode& node) {
  TaskState& state = *node.task;
  {
    std::lock_guard lock(state.mutex);
    if (state.reads_inputs) return false;
    if (state.status.load(std::memory_order_acquire) != TaskStatus::done) return true;  // another thread did it
    if (!state.result || !state.result->space->lost()) return true;
    state.result.reset();
    state.status.store(TaskStatus::queued, std::memory_order_release);
  }
  count_recomputed(1);
  if (LiveView* view = live_view()) view->task_spawned(node);  // it will end a second time
  if (NodePtr self = state.self.lock()) place(self);  // the caller holds it: it exists
  return true;
}

void EagerTasks::cancel(ThunkNode& node) {
  TaskState& state = *node.task;
  if (state.remote_id != 0) {
    remote_tasks()->cancel(node);
    return;
  }
  state.cancel_requested.store(true, std::memory_order_seq_cst);
  // Not started: claim it, as a processor would to run it, and finish it as
  // cancelled. Running: finish sees the request.
  TaskStatus s = state.status.load(std::memory_order_acquire);
  while (s == TaskStatus::waiting || s == TaskStatus::queued) {
    if (state.status.compare_exchange_weak(s, TaskStatus::running, std::memory_order_acq_rel)) {
      finish(node, TaskStatus::cancelled, nullptr,
             std::make_exception_ptr(Cancelled(node.id, node.name(), " before it started")));
      return;
    }
  }
}

EagerTasks& eager_tasks() {
  static EagerTasks* instance = new EagerTasks();  // lives as long as any driver thread
  return *instance;
}

// ---------------------------------------------------------------- task_state.hpp

void start_task(const NodePtr& node) { eager_tasks().start(node); }
void wait_task(ThunkNode& node) { eager_tasks().wait(node); }
bool task_ready(const ThunkNode& node) noexcept {
  if (is_final(node.task->status.load(std::memory_order_acquire))) return true;
  if (node.task->remote_id != 0) {
    try {
      remote_tasks()->request(const_cast<ThunkNode&>(node));  // starts bringing the outcome here
    } catch (...) {
      // The driver is gone: the worker process ends soon; not ready.
    }
  }
  return false;
}

namespace {
std::atomic<RemoteTasks*> installed_remote_tasks{nullptr};
}  // namespace

void set_remote_tasks(RemoteTasks* tasks) noexcept { installed_remote_tasks.store(tasks, std::memory_order_release); }
RemoteTasks* remote_tasks() noexcept { return installed_remote_tasks.load(std::memory_order_acquire); }

TaskState::~TaskState() {
  if (remote_id != 0) remote_tasks()->forget(remote_id);
}

void when_final(ThunkNode& node, std::function<void()> then) {
  TaskState& state = *node.task;
  {
    std::lock_guard lock(state.mutex);
    if (!is_final(state.status.load(std::memory_order_acquire))) {
      state.watchers.push_back(std::move(then));
      return;
    }
  }
  then();
}

ChunkPtr task_result(ThunkNode& node) {
  for (;;) {
    eager_tasks().wait(node);
    TaskState& state = *node.task;
    ChunkPtr result;
    {
      std::lock_guard lock(state.mutex);
      if (state.status.load(std::memory_order_acquire) != TaskStatus::done) std::rethrow_exception(state.error);
      result = state.result;
    }
    if (!result) return std::make_shared<ChunkData>(Value::make<Void>(), host_memory(), node.id);  // void
    if (!result->space->lost()) return result;
    if (!eager_tasks().run_again(node)) {
      throw WorkerLost(result->space->name(), "the result of " + task_text(node) +
                                                  " was held there, and the task cannot run again: it read the "
                                                  "results of other tasks, which it let go once it ran");
    }
  }
}

ChunkPtr task_result_here(ThunkNode& node) {
  for (;;) {
    ChunkPtr result = task_result(node);
    try {
      return chunk_in_host_memory(result);
    } catch (const WorkerLost&) {
      // Lost while we fetched it: run it again if it can, like a loss seen before.
      if (!result->space->lost() || !eager_tasks().run_again(node)) throw;
    }
  }
}

void cancel_task(ThunkNode& node) { eager_tasks().cancel(node); }

bool current_task_cancelled() noexcept {
  return !running_here.empty() && running_here.back()->task->cancel_requested.load(std::memory_order_acquire);
}

void wait_until(const std::function<bool()>& done) {
  if (Executor::on_driver_thread()) {
    executor().help_until(done);
    return;
  }
  for (unsigned idle = 0; !done();) Executor::pause(idle++);
}

void throw_empty_task() { throw UsageError("an empty Task (default-constructed) has no result"); }

}  // namespace dagger::detail
