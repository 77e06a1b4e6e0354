#include "scheduler/run.hpp"

#include <chrono>
#include <string>

#include "dagger/detail/task_state.hpp"
#include "dagger/errors.hpp"
#include "core/exception_text.hpp"
#include "memory/chunk_moves.hpp"
#include "scheduler/cost_model.hpp"
#include "scheduler/executor.hpp"
#include "scheduler/progress.hpp"
#include "scheduler/result_cache.hpp"
#include "scheduler/run_inputs.hpp"
#include "scheduler/task_names.hpp"
#include "memory/chunk_store.hpp"

namespace dagger::detail {

Run::Run(const Context& context, std::vector<NodePtr> heads, bool record_events, CarriedResults carried)
    : context_(context), started_ns_(now_ns()), plan_(plan_alone(std::move(heads), std::move(carried))) {
  std::vector<Processor*> live;
  for (Processor* p : context.processors()) {
    if (p->lost()) {
      lost_processors_.push_back(p->name());
    } else {
      live.push_back(p);
    }
  }
  slot_count_ = live.size();
  slots_ = std::make_unique<Slot[]>(slot_count_);
  for (std::size_t i = 0; i < slot_count_; ++i) {
    Processor* p = live[i];
    Slot& slot = slots_[i];
    slot.processor = p;
    slot.memory = &p->memory();
    slot.steals = p->kind() == ProcKind::cpu() && slot.memory == &host_memory() &&
                  p->parent() == &this_process();
    slot.in_worker = in_worker(*p);
    if (slot.in_worker) slot.remote = std::make_unique<RemoteSlot>();
    if (slot.steals) stealing_slots_.push_back(static_cast<int>(i));
    if (slot.in_worker) worker_slots_.push_back(static_cast<int>(i));
  }
  // The live view's numbering of functions rides on this pass: a second
  // pass over a large graph would miss the cache on every node again.
  LiveView* view = live_view();
  FunctionTally tally;
  if (view) live_functions_.assign(plan_.record_count, 0);
  for (std::size_t i = 0; i < plan_.record_count; ++i) {
    RunRecord& record = plan_.records[i];
    if (record.known) continue;
    classify(record);
    if (view) live_functions_[i] = tally.add(*record.node);
  }
  await_tasks();
  if (record_events) {
    recorder_ = std::make_unique<EventRecorder>(slot_count_);
    observer_ = recorder_.get();
    chunk_store().take_events();  // left over from a run that failed early
    chunk_store().record_events(true);
  }
  observe(-1, Category::scheduler_init, 0, started_ns_, 0, 0);
  live_ = view;
  if (live_) report_started(tally.take_totals());
}

Run::~Run() {
  if (live_ && !live_finished_) report_finished("the computation was abandoned");
}

std::vector<const ThunkNode*> Run::live_tasks() const {
  std::vector<const ThunkNode*> tasks;
  tasks.reserve(plan_.total_tasks);
  for (std::size_t i = 0; i < plan_.record_count; ++i) {
    if (!plan_.records[i].known) tasks.push_back(plan_.records[i].node);
  }
  return tasks;
}

void Run::report_started(FunctionTotals totals) {
  computation_ = next_computation_id();
  std::vector<const ThunkNode*> graph_tasks;
  if (live_->takes_graph(plan_.total_tasks)) {
    graph_tasks = live_tasks();
  } else if (live_->draws_graph_of(plan_.total_tasks)) {
    graph_refused_in_.store(live_->period(), std::memory_order_relaxed);
  }
  live_->computation_started(computation_, std::move(totals), graph_tasks);
}

void Run::report_finished(std::string_view error) {
  live_finished_ = true;
  live_->computation_finished(computation_, error);
}

RunPlan Run::plan_alone(std::vector<NodePtr> heads, CarriedResults carried) {
  static std::mutex plan_mutex;
  std::lock_guard lock(plan_mutex);
  return RunPlan(std::move(heads), std::move(carried));
}

void Run::await_tasks() {
  for (std::uint32_t index : plan_.task_records) {
    RunRecord& record = plan_.records[index];
    record.result = task_result(*record.node);  // a failed task: its error, naming it
    record.retained = true;  // its handles may fetch it again
  }
}

int Run::slot_of(const Processor* processor) const {
  for (std::size_t s = 0; s < slot_count_; ++s) {
    if (slots_[s].processor == processor) return static_cast<int>(s);
  }
  return -1;
}

bool Run::has_work_for(int slot) const {
  if (finished()) return false;
  const Slot& me = slots_[slot];
  if (me.remote) {
    // Replies to take, or calls to send with room to send them.
    return me.remote->arrived_count.load(std::memory_order_seq_cst) > 0 ||
           (!failed_.load(std::memory_order_relaxed) && !me.inbox.empty() &&
            me.remote->in_flight_count.load(std::memory_order_relaxed) <
                me.remote->window.load(std::memory_order_relaxed));
  }
  if (!me.inbox.empty()) return true;
  if (!me.steals) return false;
  for (int s : stealing_slots_) {
    if (!slots_[s].local.empty()) return true;
  }
  return false;
}

// Runs tasks for the slot while there are any, and comes out early when
// newer work arrives (a newer computation, eager tasks): the executor
// serves the newest first.
bool Run::work(int slot) {
  if (slots_[slot].in_worker) return work_remote(slot);
  const Processor* here = slots_[slot].processor;
  bool ran = false;
  std::uint32_t task;
  while (!finished() && find_task(slot, task)) {
    ran = true;
    run_chain(slot, task);
    if (executor().newer_work(generation_, here)) break;
  }
  report_done(slot);
  return ran;
}

// Finished tasks are taken off the shared counter in batches: one contended
// atomic per batch instead of one per task.
void Run::report_done(int slot) {
  Slot& me = slots_[slot];
  if (me.live_untimed != 0) report_untimed(me);  // before finish() can tell the view the run ended
  if (me.unreported_done == 0) return;
  const std::size_t done = me.unreported_done;
  me.unreported_done = 0;
  if (remaining_.fetch_sub(done, std::memory_order_acq_rel) == done) finish();
}

void Run::offer_graph(std::uint64_t refused) {
  // Slots report in parallel: one of them offers it.
  if (!graph_refused_in_.compare_exchange_strong(refused, kGraphNotOwed, std::memory_order_relaxed)) return;
  const std::vector<const ThunkNode*> tasks = live_tasks();
  if (live_->takes_graph(tasks.size())) {
    live_->computation_graph(computation_, tasks);
  } else {
    graph_refused_in_.store(live_->period(), std::memory_order_relaxed);
  }
}

void Run::report_untimed(Slot& me) {
  live_->tasks_done(computation_, me.live_function, me.live_untimed);
  me.live_untimed = 0;
}

bool Run::no_slot_in_task() const {
  for (std::size_t s = 0; s < slot_count_; ++s) {
    if (slots_[s].in_task.load(std::memory_order_seq_cst)) return false;
  }
  return true;
}

void Run::run_chain(int slot, std::uint32_t task) {
  Slot& me = slots_[slot];
  me.in_task.store(true, std::memory_order_seq_cst);
  while (task != kNone && !failed_.load(std::memory_order_seq_cst)) {
    task = execute(slot, task);
    if (me.unreported_done >= 256) report_done(slot);
    if (task != kNone && executor().newer_work(generation_, me.processor)) {
      me.local.push(task);  // the chain goes on later, or on a thief
      break;
    }
  }
  me.in_task.store(false, std::memory_order_seq_cst);
  // After a failure the run ends once no slot is inside a task; whichever
  // slot sees that last calls finish (it is idempotent).
  if (failed_.load(std::memory_order_seq_cst) && no_slot_in_task()) finish();
}

std::uint32_t Run::execute(int slot, std::uint32_t task) {
  Slot& me = slots_[slot];
  RunRecord& record = plan_.records[task];
  ThunkNode& node = *record.node;
  const bool spanned = wants_span();
  const bool timed = spanned || record.placement == Placement::pinned;
  const std::int64_t start = timed ? now_ns() : 0;
  ChunkPtr result;
  try {
    Args args(*this, slot, task);
    result = std::make_shared<ChunkData>(node.fn->invoke(version_for(slot, node), args), *me.memory, node.id);
    if (node.options().get_result && me.memory != &host_memory()) {
      result = move_chunk(result, host_memory());
    }
  } catch (...) {
    fail(slot, task, std::current_exception());
    return kNone;
  }
  return complete(slot, task, std::move(result), start, timed ? now_ns() - start : 0, spanned);
}

// A task's result is in: learn its runtime, keep what persist/cache ask
// for, let inputs go and release the consumers it made ready (returning one
// for this slot to run next, or kNone).
std::uint32_t Run::complete(int slot, std::uint32_t task, ChunkPtr result, std::int64_t start, std::int64_t run_ns,
                            bool spanned) {
  Slot& me = slots_[slot];
  RunRecord& record = plan_.records[task];
  ThunkNode& node = *record.node;
  if (record.placement == Placement::pinned) {
    cost_model().record(node.fn->key(), me.processor->kind(), static_cast<double>(run_ns));
    me.load_ns.fetch_sub(record.estimate_ns, std::memory_order_relaxed);
  }
  if (spanned) {
    observe_work(slot, Category::compute, &node, node.id, start, result->bytes);
  } else if (live_) {
    const std::uint32_t function = live_functions_[task];
    if (me.live_untimed != 0 && me.live_function != function) report_untimed(me);
    me.live_function = function;
    ++me.live_untimed;
  }
  if (live_) offer_graph_if_due();
  if (node.options().persist) {
    std::lock_guard lock(retained_mutex_for(node.id));
    node.persisted = result;
  }
  if (node.options().cache) {
    {
      std::lock_guard lock(retained_mutex_for(node.id));
      node.cached = result;
    }
    result_cache().keep(node.id, result);
  }
  record.result = std::move(result);

  const std::int64_t scheduling = observer_ ? now_ns() : 0;
  release_inputs(task);
  const std::uint32_t next = release_consumers(slot, task);
  if (observer_) observe(slot, Category::scheduler, node.id, scheduling, 0, 0);
  ++me.unreported_done;
  return next;
}

void Run::fail(int slot, std::uint32_t task, std::exception_ptr error) {
  const ThunkNode& node = *plan_.records[task].node;
  std::string message = "unknown exception";
  bool worker_lost = false;  // not the thunk's fault: run_graph computes it again elsewhere
  try {
    std::rethrow_exception(error);
  } catch (const WorkerLost& e) {
    worker_lost = true;
    message = e.what();
  } catch (const std::exception& e) {
    message = e.what();
  } catch (...) {
  }
  {
    std::lock_guard lock(error_mutex_);
    if (!error_ || (worker_lost && !error_is_worker_lost_)) {
      error_ = worker_lost ? error
                           : std::make_exception_ptr(ThunkError(node.id, node.name(), slots_[slot].processor->name(),
                                                                message, error));
      error_is_worker_lost_ = worker_lost;
    }
  }
  if (live_ && !worker_lost) live_->task_failed(computation_, node, message);
  failed_.store(true, std::memory_order_seq_cst);
}

void Run::finish() {
  {
    std::lock_guard lock(done_mutex_);
    if (finished_.load(std::memory_order_relaxed)) return;
    finished_.store(true, std::memory_order_release);
  }
  done_cv_.notify_all();
}

void Run::wait_until_finished() {
  if (Executor::on_driver_thread()) {
    // A task computing a nested graph: its thread helps instead of blocking
    // its processor, which the nested graph may need.
    executor().help_until([&] { return finished(); });
    return;
  }
  std::unique_lock lock(done_mutex_);
  if (!context_.progress()) {
    done_cv_.wait(lock, [&] { return finished_.load(std::memory_order_acquire); });
    return;
  }
  ProgressBar bar(plan_.total_tasks);
  while (!done_cv_.wait_for(lock, std::chrono::milliseconds(200),
                            [&] { return finished_.load(std::memory_order_acquire); })) {
    bar.draw(plan_.total_tasks - remaining_.load(std::memory_order_relaxed));
  }
  bar.finish(plan_.total_tasks - remaining_.load(std::memory_order_relaxed));
}

void Run::observe(int slot, Category category, std::uint64_t id, std::int64_t start, std::size_t bytes,
                  std::size_t allocations, std::string_view function) {
  if (!observer_) return;
  const Processor* where = slot >= 0 ? slots_[slot].processor : &this_process();
  observer_->on_span(slot, Timespan{category, id, where, start, now_ns(), bytes, allocations, function});
}

void Run::observe_work(int slot, Category category, const ThunkNode* node, std::uint64_t id, std::int64_t start,
                       std::size_t bytes) {
  const std::int64_t finish = now_ns();
  const Processor* where = slots_[slot].processor;
  if (observer_) {
    observer_->on_span(slot, Timespan{category, id, where, start, finish, bytes, 1,
                                      node ? task_name(*node) : std::string_view()});
  }
  if (live_) live_->span(computation_, category, node, id, where, start, finish, bytes);
}

RunOutcome Run::take_outcome() {
  if (recorder_) {
    chunk_store().record_events(false);
    recorder_->add(chunk_store().take_events());
  }
  if (error_) {
    if (live_) report_finished(message_of(error_));
    std::rethrow_exception(error_);
  }
  if (live_) report_finished({});
  RunOutcome out;
  out.results.reserve(plan_.head_records.size());
  for (std::uint32_t h : plan_.head_records) out.results.push_back(plan_.records[h].result);
  if (recorder_) out.events = recorder_->take();
  return out;
}

}  // namespace dagger::detail
