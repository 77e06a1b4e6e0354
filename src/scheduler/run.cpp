#include "scheduler/run.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <span>
#include <string>
#include <thread>
#include <iostream>

#include "dagger/detail/task_state.hpp"
#include "dagger/errors.hpp"
#include "processors/moves.hpp"
#include "processors/remote.hpp"
#include "scheduler/cost_model.hpp"
#include "scheduler/executor.hpp"
#include "scheduler/progress.hpp"
#include "scheduler/result_cache.hpp"
#include "storage/chunk_store.hpp"

namespace dagger::detail {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {

ChunkPtr result_kept_by(ThunkNode& node) {
  if (!node.options().persist && !node.options().cache) return nullptr;
  std::lock_guard lock(retained_mutex_for(node.id));
  ChunkPtr kept = node.persisted ? node.persisted : node.cached.lock();
  if (kept && kept->space->lost()) {
    // Its worker died: compute it again from its lineage.
    node.persisted.reset();
    node.cached.reset();
    return nullptr;
  }
  return kept;
}

std::string kinds_text(std::span<const ProcKind> kinds) {
  std::string out;
  for (ProcKind k : kinds) out += (out.empty() ? "" : ", ") + k.name();
  return "[" + out + "]";
}

}  // namespace

// ---------------------------------------------------------------- building

Run::Run(const Context& context, std::vector<NodePtr> heads, bool record_events, CarriedResults carried)
    : context_(context), record_events_(record_events), started_ns_(now_ns()) {
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
  {
    // Building marks the nodes (run_epoch, run_index): one build at a time.
    // Runs build in microseconds per thousand thunks and then run at once.
    static std::mutex build_mutex;
    std::lock_guard lock(build_mutex);
    build(std::move(heads), std::move(carried));
  }
  await_tasks();
  record_event(-1, Category::scheduler_init, 0, started_ns_, 0, 0);
  if (record_events_) {
    chunk_store().take_events();  // left over from a run that failed early
    chunk_store().record_events(true);
  }
}

Run::~Run() = default;

void Run::build(std::vector<NodePtr> heads, CarriedResults carried) {
  static std::uint64_t epoch_counter = 0;  // builds are serial (the constructor's lock)
  const std::uint64_t epoch = ++epoch_counter;
  heads_ = std::move(heads);

  // Iterative post-order walk: dependencies get smaller indices than their
  // consumers. A node whose result is kept (persist/cache) is a leaf.
  std::vector<ThunkNode*> order;
  std::vector<std::pair<std::uint32_t, ChunkPtr>> known;  // results kept from earlier runs
  std::vector<std::uint32_t> carried_here;                 // those carried over from a failed run
  struct Frame {
    ThunkNode* node;
    std::size_t next_dep;
  };
  std::vector<Frame> stack;
  auto visit = [&](ThunkNode* node) {
    node->run_epoch = epoch;
    if (node->task) {
      // An eager task: its result is an input, there once it finished.
      node->run_index = static_cast<std::uint32_t>(order.size());
      task_records_.push_back(node->run_index);
      known.emplace_back(node->run_index, nullptr);
      order.push_back(node);
      return;
    }
    ChunkPtr kept = result_kept_by(*node);
    if (!kept) {
      if (auto it = carried.find(node); it != carried.end() && !it->second->space->lost()) {
        kept = std::move(it->second);
        carried_here.push_back(static_cast<std::uint32_t>(order.size()));
      }
    }
    if (kept) {
      node->run_index = static_cast<std::uint32_t>(order.size());
      known.emplace_back(node->run_index, std::move(kept));
      order.push_back(node);
    } else {
      stack.push_back({node, 0});
    }
  };
  for (const NodePtr& head : heads_) {
    if (head->run_epoch != epoch) visit(head.get());
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next_dep < top.node->deps.size()) {
        const Dep& dep = top.node->deps[top.next_dep++];
        if (dep.thunk && dep.thunk->run_epoch != epoch) visit(dep.thunk.get());
      } else {
        ThunkNode* done = top.node;
        stack.pop_back();
        if (order.size() >= kNone) throw UsageError("a computation may have at most 2^32-1 thunks");
        done->run_index = static_cast<std::uint32_t>(order.size());
        order.push_back(done);
      }
    }
  }

  record_count_ = order.size();
  records_ = std::make_unique<Record[]>(record_count_);
  for (auto& [index, chunk] : known) {
    records_[index].result = std::move(chunk);
    records_[index].known = true;
    records_[index].retained = true;
  }
  // Carried results are let go when their last consumer has run, like
  // results made in this run (unless they are heads).
  for (std::uint32_t index : carried_here) records_[index].retained = false;
  std::vector<std::uint32_t> consumer_count(record_count_, 0);
  for (std::size_t i = 0; i < record_count_; ++i) {
    Record& r = records_[i];
    r.node = order[i];
    r.deps_begin = static_cast<std::uint32_t>(dep_records_.size());
    if (r.known) continue;
    r.retained = r.node->options().persist || r.node->options().cache;
    std::uint32_t pending = 0;
    for (const Dep& dep : r.node->deps) {
      if (dep.chunk && dep.chunk->space->lost()) {
        throw WorkerLost(dep.chunk->space->name(), "a chunk thunk " + std::to_string(r.node->id) + " (" +
                                                       r.node->name() + ") reads was held there, and a chunk "
                                                       "made outside a computation cannot be computed again");
      }
      if (dep.thunk) {
        std::uint32_t d = dep.thunk->run_index;
        dep_records_.push_back(d);
        ++consumer_count[d];
        if (!records_[d].known) ++pending;
      } else {
        dep_records_.push_back(kNone);
      }
    }
    r.pending.store(pending, std::memory_order_relaxed);
    ++total_tasks_;
  }
  if (dep_records_.size() >= kNone) throw UsageError("a computation may have at most 2^32-1 edges");

  // Consumers as compressed rows: consumers_[begin, end) of each record.
  std::uint32_t offset = 0;
  for (std::size_t i = 0; i < record_count_; ++i) {
    records_[i].consumers_begin = records_[i].consumers_end = offset;
    records_[i].consumers_left.store(consumer_count[i], std::memory_order_relaxed);
    offset += consumer_count[i];
  }
  consumers_.resize(offset);
  for (std::size_t i = 0; i < record_count_; ++i) {
    const Record& r = records_[i];
    if (r.known) continue;
    for (std::size_t k = 0; k < r.node->deps.size(); ++k) {
      std::uint32_t d = dep_records_[r.deps_begin + k];
      if (d != kNone) consumers_[records_[d].consumers_end++] = static_cast<std::uint32_t>(i);
    }
  }

  for (const NodePtr& head : heads_) {
    head_records_.push_back(head->run_index);
    records_[head->run_index].retained = true;
  }
  for (std::size_t i = 0; i < record_count_; ++i) {
    Record& r = records_[i];
    if (r.known) continue;
    classify(r);
    if (r.pending.load(std::memory_order_relaxed) == 0) {
      initially_ready_.push_back(static_cast<std::uint32_t>(i));
    }
  }
}

void Run::await_tasks() {
  for (std::uint32_t index : task_records_) {
    Record& record = records_[index];
    record.result = task_result(*record.node);  // a failed task: its error, naming it
    record.retained = true;  // its handles may fetch it again
  }
}

void Run::classify(Record& record) {
  const ThunkNode& node = *record.node;
  const Callable& fn = *node.fn;
  const Scope& scope = node.options().scope;
  // Thunks that can run in a worker are placed by the cost model when the
  // context has workers; others stay with this process's CPU threads.
  const bool to_workers = !worker_slots_.empty() && !fn.meta() && fn.remote_capable(0);
  if (node.any_cpu && !to_workers) {
    record.placement = Placement::any_cpu;
    if (stealing_slots_.empty()) {
      throw_no_processor(record, worker_slots_.empty() || fn.meta()
                                     ? "the context has no CPU thread of this process"
                                     : "the context has no CPU thread of this process, and its function, "
                                       "arguments or result cannot be sent to a worker (see README: what can "
                                       "run in a worker)");
    }
    return;
  }
  record.placement = Placement::pinned;
  std::vector<std::uint16_t> candidates;
  for (std::size_t s = 0; s < slot_count_; ++s) {
    const Processor& p = *slots_[s].processor;
    if (!scope.allows(p)) continue;
    if (fn.meta()) {
      if (slots_[s].steals) candidates.push_back(static_cast<std::uint16_t>(s));
      continue;
    }
    const auto version = std::find(fn.kinds().begin(), fn.kinds().end(), p.kind());
    if (version == fn.kinds().end()) continue;
    if (slots_[s].in_worker && !fn.remote_capable(static_cast<std::size_t>(version - fn.kinds().begin()))) continue;
    candidates.push_back(static_cast<std::uint16_t>(s));
  }
  if (candidates.empty()) {
    throw_no_processor(record, "no processor of the context is both allowed by its scope and "
                               "of a kind it has a version for");
  }
  record.candidates = static_cast<std::uint32_t>(candidates_.size());
  candidates_.push_back(std::move(candidates));
}

void Run::throw_no_processor(const Record& record, const char* why) const {
  std::string processors;
  for (std::size_t s = 0; s < slot_count_; ++s) {
    processors += (s ? ", " : "") + slots_[s].processor->name();
  }
  if (!lost_processors_.empty()) {
    std::string lost;
    for (const std::string& name : lost_processors_) lost += (lost.empty() ? "" : ", ") + name;
    throw WorkerLost(lost, "no processor that is left can run thunk " + std::to_string(record.node->id) + " (" +
                               record.node->name() + "): " + why + "; left: [" + processors + "]");
  }
  throw NoProcessorError("no processor can run thunk " + std::to_string(record.node->id) + " (" +
                         record.node->name() + "): " + why + "; versions for " +
                         kinds_text(record.node->fn->kinds()) + ", context [" + processors + "]");
}

// ---------------------------------------------------------------- seeding

void Run::seed() {
  remaining_.store(total_tasks_, std::memory_order_relaxed);
  if (total_tasks_ == 0) {
    finished_.store(true, std::memory_order_release);
    return;
  }
  // Spread the ready leaves over the CPU threads in contiguous blocks, each
  // queue filled backwards so that its owner starts with the first leaf.
  std::vector<std::uint32_t> any_cpu;
  for (std::uint32_t t : initially_ready_) {
    if (records_[t].placement == Placement::any_cpu) {
      any_cpu.push_back(t);
    } else {
      dispatch(t, -1);
    }
  }
  const std::size_t workers = stealing_slots_.size();
  for (std::size_t j = any_cpu.size(); j-- > 0;) {
    slots_[stealing_slots_[j * workers / any_cpu.size()]].local.push(any_cpu[j]);
  }
}

// ---------------------------------------------------------------- running

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
            me.remote->in_flight_count.load(std::memory_order_relaxed) < RemoteSlot::kMaxInFlight);
  }
  if (!me.inbox.empty()) return true;
  if (!me.steals) return false;
  for (int s : stealing_slots_) {
    if (!slots_[s].local.empty()) return true;
  }
  return false;
}

bool Run::find_task(int slot, std::uint32_t& task) {
  Slot& me = slots_[slot];
  const bool from_inbox = me.inbox.pop_front(task);
  if (!from_inbox && !me.steals) return false;
  if (from_inbox || me.local.pop_back(task)) {
    if (me.steals && chunk_store().under_pressure() && !frees_inputs(task)) {
      // Near the memory limit: before a task that only adds to memory, run
      // a queued one that lets inputs go.
      std::uint32_t freeing;
      if (take_freeing_task(freeing)) {
        if (from_inbox) {
          me.inbox.push_front(task);
        } else {
          me.local.push(task);
        }
        task = freeing;
      }
    }
    return true;
  }
  const std::size_t n = stealing_slots_.size();
  for (std::size_t i = 1; i <= n; ++i) {
    int victim = stealing_slots_[(static_cast<std::size_t>(slot) + i) % n];
    if (victim != slot && slots_[victim].local.pop_front(task)) return true;
  }
  return false;
}

// Whether running `task` releases an input: it is the last consumer of a
// result that nothing retains.
bool Run::frees_inputs(std::uint32_t task) const {
  const Record& record = records_[task];
  for (std::size_t k = 0; k < record.node->deps.size(); ++k) {
    const std::uint32_t d = dep_records_[record.deps_begin + k];
    if (d == kNone) continue;
    const Record& producer = records_[d];
    if (!producer.retained && producer.consumers_left.load(std::memory_order_acquire) == 1) return true;
  }
  return false;
}

bool Run::take_freeing_task(std::uint32_t& task) {
  constexpr std::size_t kLookAhead = 32;  // ready tasks examined per queue
  for (int s : stealing_slots_) {
    if (slots_[s].local.take_newest_matching([&](std::uint32_t t) { return frees_inputs(t); }, kLookAhead, task)) {
      return true;
    }
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
  if (me.unreported_done == 0) return;
  const std::size_t done = me.unreported_done;
  me.unreported_done = 0;
  if (remaining_.fetch_sub(done, std::memory_order_acq_rel) == done) finish();
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

const ChunkPtr& Run::input_chunk(const Record& record, std::uint32_t dep) const {
  std::uint32_t d = dep_records_[record.deps_begin + dep];
  return d == kNone ? record.node->deps[dep].chunk : records_[d].result;
}

// The inputs of one task, each in the memory space of its processor.
class Run::Args final : public InvokeArgs {
  static constexpr std::size_t kInline = 8;

 public:
  Args(Run& run, int slot, std::uint32_t task) : run_(run), record_(run.records_[task]) {
    const std::size_t n = record_.node->deps.size();
    if (n > kInline) heap_.resize(n);
    inputs_ = n > kInline ? heap_.data() : inline_;
    MemorySpace* here = run.slots_[slot].memory;
    for (std::uint32_t k = 0; k < n; ++k) {
      const ChunkPtr& chunk = run.input_chunk(record_, k);
      pinned_.add(*chunk);  // in memory (reloaded if spilled) until the task is done
      if (chunk->space == here) {
        inputs_[k] = &chunk;
      } else {
        if (moved_.capacity() == 0) moved_.reserve(n);  // pointers into it stay valid
        moved_.push_back(run.replica(slot, task, k));
        inputs_[k] = &moved_.back();
      }
    }
  }

  Value& value(std::uint32_t dep) override { return (*inputs_[dep])->value; }
  std::vector<const ChunkPtr*> inputs() const {
    return std::vector<const ChunkPtr*>(inputs_, inputs_ + record_.node->deps.size());
  }
  const ChunkPtr& chunk(std::uint32_t dep) override { return *inputs_[dep]; }
  bool may_take(std::uint32_t dep) override {
    std::uint32_t d = run_.dep_records_[record_.deps_begin + dep];
    if (d == kNone) return false;  // a user's Chunk: never taken
    const Record& producer = run_.records_[d];
    return !producer.retained && producer.consumers_left.load(std::memory_order_acquire) == 1;
  }

 private:
  Run& run_;
  Record& record_;
  const ChunkPtr* inline_[kInline];
  std::vector<const ChunkPtr*> heap_;
  const ChunkPtr** inputs_;
  PinnedInputs pinned_;
  std::vector<ChunkPtr> moved_;
};

ChunkPtr Run::replica(int slot, std::uint32_t task, std::uint32_t dep) {
  MemorySpace& to = *slots_[slot].memory;
  const Record& record = records_[task];
  const std::uint32_t d = dep_records_[record.deps_begin + dep];
  const ChunkPtr& source = input_chunk(record, dep);
  const std::int64_t start = now_ns();
  ChunkPtr copy;
  if (d == kNone) {
    std::lock_guard lock(chunk_replicas_mutex_);
    for (const auto& [original, c] : chunk_replicas_) {
      if (original == source.get() && c->space == &to) return c;
    }
    copy = move_chunk(source, to);
    chunk_replicas_.emplace_back(source.get(), copy);
  } else {
    std::lock_guard lock(replica_locks_[d % replica_locks_.size()]);
    Record& producer = records_[d];
    for (const ChunkPtr& c : producer.replicas) {
      if (c->space == &to) return c;
    }
    copy = move_chunk(source, to);
    producer.replicas.push_back(copy);
  }
  // Between processes a move is communication.
  const bool between_processes = is_worker_memory(*source->space) || is_worker_memory(to);
  record_event(slot, between_processes ? Category::comm : Category::move, source->producer, start, copy->bytes, 1);
  return copy;
}

// Plain CPU functions and meta functions have one version; others run the
// version of the slot's processor kind (placement made sure it exists).
std::size_t Run::version_for(int slot, const ThunkNode& node) const {
  if (node.any_cpu || node.fn->meta()) return 0;
  const auto kinds = node.fn->kinds();
  return static_cast<std::size_t>(std::find(kinds.begin(), kinds.end(), slots_[slot].processor->kind()) -
                                  kinds.begin());
}

std::uint32_t Run::execute(int slot, std::uint32_t task) {
  Slot& me = slots_[slot];
  Record& record = records_[task];
  ThunkNode& node = *record.node;
  const bool timed = record_events_ || record.placement == Placement::pinned;
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
  return complete(slot, task, std::move(result), start, timed ? now_ns() - start : 0);
}

// A task's result is in: learn its runtime, keep what persist/cache ask
// for, let inputs go and release the consumers it made ready (returning one
// for this slot to run next, or kNone).
std::uint32_t Run::complete(int slot, std::uint32_t task, ChunkPtr result, std::int64_t start, std::int64_t run_ns) {
  Slot& me = slots_[slot];
  Record& record = records_[task];
  ThunkNode& node = *record.node;
  if (record.placement == Placement::pinned) {
    cost_model().record(node.fn->key(), me.processor->kind(), static_cast<double>(run_ns));
    me.load_ns.fetch_sub(record.estimate_ns, std::memory_order_relaxed);
  }
  if (record_events_) record_event(slot, Category::compute, node.id, start, result->bytes, 1);
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

  const std::int64_t scheduling = record_events_ ? now_ns() : 0;
  release_inputs(task);
  const std::uint32_t next = release_consumers(slot, task);
  if (record_events_) record_event(slot, Category::scheduler, node.id, scheduling, 0, 0);
  ++me.unreported_done;
  return next;
}

// ---------------------------------------------------------------- worker slots

// A worker slot keeps several calls in flight, so that the round trips to
// the worker overlap and the transport sends them (and the worker its
// replies) in batches. No driver thread waits on a slot: the executor's
// dispatchers serve every worker slot of every computation, a round at a
// time, and a reply wakes them.

void Run::RemoteSlot::deliver(std::uint32_t task, RemoteOutcome outcome) {
  {
    std::lock_guard lock(arrived_mutex);
    arrived.push_back({task, std::move(outcome)});
    arrived_count.fetch_add(1, std::memory_order_seq_cst);
  }
  executor().notify_work();
}

void Run::launch_remote(int slot, std::uint32_t task) {
  Slot& me = slots_[slot];
  RemoteSlot& remote = *me.remote;
  ThunkNode& node = *records_[task].node;
  std::unique_ptr<Args> args;
  try {
    args = std::make_unique<Args>(*this, slot, task);
  } catch (...) {
    fail(slot, task, std::current_exception());
    return;
  }
  // In flight before it is sent: the reply may come back at once.
  remote.in_flight.push_back({task, now_ns(), std::move(args)});
  remote.in_flight_count.fetch_add(1, std::memory_order_relaxed);
  try {
    start_in_worker(*me.processor, node, version_for(slot, node), remote.in_flight.back().args->inputs(),
                    [&remote, task](RemoteOutcome outcome) { remote.deliver(task, std::move(outcome)); });
  } catch (...) {
    remote.in_flight.pop_back();  // not sent: nothing will reply
    remote.in_flight_count.fetch_sub(1, std::memory_order_relaxed);
    fail(slot, task, std::current_exception());
  }
}

void Run::take_reply(int slot, RemoteSlot::Arrived& reply) {
  RemoteSlot& remote = *slots_[slot].remote;
  auto it = std::find_if(remote.in_flight.begin(), remote.in_flight.end(),
                         [&](const InFlight& f) { return f.task == reply.task; });
  const std::int64_t start = it->start;
  remote.in_flight.erase(it);  // lets the inputs go
  remote.in_flight_count.fetch_sub(1, std::memory_order_relaxed);
  RemoteOutcome& outcome = reply.outcome;
  if (!outcome.error && records_[reply.task].node->options().get_result) {
    try {
      outcome.result = move_chunk(outcome.result, host_memory());
    } catch (...) {
      outcome.error = std::current_exception();
    }
  }
  if (outcome.error) {
    fail(slot, reply.task, outcome.error);
  } else if (!failed_.load(std::memory_order_seq_cst)) {
    complete(slot, reply.task, std::move(outcome.result), start, outcome.run_ns);
  }
}

// One round, without waiting: takes the replies that came back, then sends
// what the inbox holds while fewer than kMaxInFlight calls are out.
bool Run::work_remote(int slot) {
  Slot& me = slots_[slot];
  RemoteSlot& remote = *me.remote;
  std::unique_lock serving(remote.serving, std::try_to_lock);
  if (!serving.owns_lock()) return false;  // another dispatcher is on it
  // Inside a task from before the first send to after the last reply: a
  // failed run ends only once nothing it sent is still out.
  if (remote.in_flight.empty()) me.in_task.store(true, std::memory_order_seq_cst);
  bool ran = false;
  std::deque<RemoteSlot::Arrived> arrived;
  {
    std::lock_guard lock(remote.arrived_mutex);
    arrived.swap(remote.arrived);
    remote.arrived_count.fetch_sub(arrived.size(), std::memory_order_seq_cst);
  }
  for (RemoteSlot::Arrived& reply : arrived) take_reply(slot, reply);
  ran = !arrived.empty();
  std::uint32_t task;
  while (remote.in_flight.size() < RemoteSlot::kMaxInFlight && !failed_.load(std::memory_order_seq_cst) &&
         me.inbox.pop_front(task)) {
    launch_remote(slot, task);
    ran = true;
  }
  if (remote.in_flight.empty()) {
    me.in_task.store(false, std::memory_order_seq_cst);
    if (failed_.load(std::memory_order_seq_cst) && no_slot_in_task()) finish();
  }
  report_done(slot);
  return ran;
}

void Run::release_inputs(std::uint32_t task) {
  const Record& record = records_[task];
  const std::size_t n = record.node->deps.size();
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t d = dep_records_[record.deps_begin + k];
    if (d == kNone) continue;
    Record& producer = records_[d];
    if (producer.consumers_left.fetch_sub(1, std::memory_order_acq_rel) == 1 && !producer.retained) {
      // No consumer of the producer is running any more, so none can be
      // adding a replica: no lock needed.
      producer.result.reset();
      producer.replicas.clear();
    }
  }
}

std::uint32_t Run::release_consumers(int slot, std::uint32_t task) {
  const Record& record = records_[task];
  const bool continue_here = slots_[slot].steals;
  std::uint32_t next = kNone;
  bool queued = false;
  for (std::uint32_t e = record.consumers_begin; e < record.consumers_end; ++e) {
    const std::uint32_t c = consumers_[e];
    if (records_[c].pending.fetch_sub(1, std::memory_order_acq_rel) != 1) continue;
    if (continue_here && next == kNone && records_[c].placement == Placement::any_cpu) {
      next = c;  // depth first: this processor runs what it just made ready
    } else {
      dispatch(c, slot);
      queued = true;
    }
  }
  if (queued) executor().notify_work();
  return next;
}

void Run::dispatch(std::uint32_t task, int from_slot) {
  Record& record = records_[task];
  if (record.placement == Placement::any_cpu) {
    int target = from_slot >= 0 && slots_[from_slot].steals
                     ? from_slot
                     : stealing_slots_[round_robin_.fetch_add(1, std::memory_order_relaxed) %
                                       stealing_slots_.size()];
    slots_[target].local.push(task);
    return;
  }
  const std::int64_t start = record_events_ ? now_ns() : 0;
  const int target = choose_slot(record);
  slots_[target].inbox.push(task);
  record_event(from_slot, Category::scheduler, record.node->id, start, 0, 0);
}

// A call to a worker costs a round trip on top of its run time: about
// 50 us over UCX's tcp transport (bench_distributed). DAGGER_WORKER_ROUND_TRIP_NS
// overrides it (0: place by load alone).
namespace {
double worker_round_trip_ns() {
  static const double ns = [] {
    const char* env = std::getenv("DAGGER_WORKER_ROUND_TRIP_NS");
    return env && *env ? std::strtod(env, nullptr) : 50'000.0;
  }();
  return ns;
}
}  // namespace

// Estimated finish time on each candidate: work already queued there, plus
// moving the inputs it lacks, plus the learned runtime of this function on
// that kind of processor. A kind never tried is estimated at zero, so every
// kind gets measured.
int Run::choose_slot(Record& record) {
  const auto& candidates = candidates_[record.candidates];
  const Callable& fn = *record.node->fn;
  int best = candidates.front();
  double best_cost = std::numeric_limits<double>::infinity();
  double best_transfer = best_cost;
  double best_estimate = 0;
  for (std::uint16_t s : candidates) {
    const Slot& slot = slots_[s];
    double transfer = 0;
    for (std::uint32_t k = 0; k < record.node->deps.size(); ++k) {
      const ChunkPtr& chunk = input_chunk(record, k);
      if (chunk->space != slot.memory) {
        transfer += static_cast<double>(chunk->bytes) / chunk->space->bandwidth_to(*slot.memory) * 1e9;
      }
    }
    const double estimate = fn.meta() ? 0 : cost_model().estimate(fn.key(), slot.processor->kind()).value_or(0);
    const double cost = static_cast<double>(slot.load_ns.load(std::memory_order_relaxed)) + transfer + estimate +
                        (slot.in_worker ? worker_round_trip_ns() : 0);
    if (cost < best_cost || (cost == best_cost && transfer < best_transfer)) {
      best = s;
      best_cost = cost;
      best_transfer = transfer;
      best_estimate = estimate;
    }
  }
  const auto charge = static_cast<std::int64_t>(std::max(best_estimate, 1.0));
  record.estimate_ns = charge;
  slots_[best].load_ns.fetch_add(charge, std::memory_order_relaxed);
  return best;
}

void Run::fail(int slot, std::uint32_t task, std::exception_ptr error) {
  const ThunkNode& node = *records_[task].node;
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
  ProgressBar bar(total_tasks_);
  while (!done_cv_.wait_for(lock, std::chrono::milliseconds(200),
                            [&] { return finished_.load(std::memory_order_acquire); })) {
    bar.draw(total_tasks_ - remaining_.load(std::memory_order_relaxed));
  }
  bar.finish(total_tasks_ - remaining_.load(std::memory_order_relaxed));
}

void Run::record_event(int slot, Category category, std::uint64_t id, std::int64_t start,
                       std::size_t bytes, std::size_t allocations) {
  if (!record_events_) return;
  const Processor* where = slot >= 0 ? slots_[slot].processor : &this_process();
  Timespan event{category, id, where, start, now_ns(), bytes, allocations};
  (slot >= 0 ? slots_[slot].events : caller_events_).push_back(event);
}

CarriedResults Run::surviving_results() const {
  CarriedResults out;
  for (std::size_t i = 0; i < record_count_; ++i) {
    const Record& r = records_[i];
    if (r.result && !r.result->space->lost()) out.emplace(r.node, r.result);
  }
  return out;
}

RunOutcome Run::take_outcome() {
  if (record_events_) {
    chunk_store().record_events(false);
    std::vector<Timespan> spills = chunk_store().take_events();
    caller_events_.insert(caller_events_.end(), spills.begin(), spills.end());
  }
  if (error_) std::rethrow_exception(error_);
  RunOutcome out;
  out.results.reserve(head_records_.size());
  for (std::uint32_t h : head_records_) out.results.push_back(records_[h].result);
  if (record_events_) {
    out.events = std::move(caller_events_);
    for (std::size_t s = 0; s < slot_count_; ++s) {
      out.events.insert(out.events.end(), slots_[s].events.begin(), slots_[s].events.end());
    }
    std::sort(out.events.begin(), out.events.end(),
              [](const Timespan& a, const Timespan& b) { return a.start_ns < b.start_ns; });
  }
  return out;
}

// ---------------------------------------------------------------- entry

RunOutcome run_graph(const Context& context, std::vector<NodePtr> heads, bool record_events, bool results_here) {
  for (const NodePtr& head : heads) {
    if (!head) throw UsageError("compute/collect of an empty Thunk (default-constructed)");
  }
  // A worker lost during the run: its results are gone, so the run starts
  // again without it, from every result still held elsewhere (made by the
  // failed run, or kept by persist and cache). Only what is missing is
  // computed again, from the thunks that made it: its lineage.
  constexpr int kMaxAttempts = 8;
  CarriedResults carried;
  for (int attempt = 1;; ++attempt) {
    Run run(context, heads, record_events, std::move(carried));  // no processor left for a thunk: WorkerLost, not retried
    carried = {};
    run.seed();
    if (!run.finished()) executor().execute(run);
    try {
      RunOutcome outcome = run.take_outcome();
      if (results_here) {
        fetch_from_workers(outcome.results);  // all at once
        for (ChunkPtr& result : outcome.results) result = chunk_in_host_memory(result);
      }
      return outcome;
    } catch (const WorkerLost& e) {
      if (attempt == kMaxAttempts) throw;
      bool any_left = false;
      for (Processor* p : context.processors()) any_left = any_left || !p->lost();
      if (!any_left) throw;
      carried = run.surviving_results();
      std::cerr << "dagger: " << e.what() << "; computing again without it, from the " << carried.size()
                << " results still held\n";
    }
  }
}

}  // namespace dagger::detail
