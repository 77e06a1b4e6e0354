// A worker slot keeps several calls in flight, so that the round trips to
// the worker overlap and the transport sends them (and the worker its
// replies) in batches. No driver thread waits on a slot: the executor's
// dispatchers serve every worker slot of every computation, a round at a
// time, and a reply wakes them.
#include <algorithm>

#include "memory/chunk_moves.hpp"
#include "scheduler/executor.hpp"
#include "scheduler/run.hpp"
#include "scheduler/run_inputs.hpp"

namespace dagger::detail {

void Run::RemoteSlot::deliver(std::uint32_t task, RemoteOutcome outcome) {
  {
    std::lock_guard lock(arrived_mutex);
    arrived.push_back({task, std::move(outcome)});
    arrived_count.fetch_add(1, std::memory_order_seq_cst);
  }
  executor().notify_work();
}

void Run::RemoteSlot::learn_run_time(std::int64_t run_ns) {
  const double run = static_cast<double>(std::max<std::int64_t>(run_ns, 0));
  mean_run_ns = mean_run_ns < 0 ? run : mean_run_ns + (run - mean_run_ns) / 8;
  const double wanted = kWorkInFlightNs / std::max(mean_run_ns, 1.0);
  window.store(static_cast<std::size_t>(std::clamp(wanted, double(kMinWindow), double(kMaxWindow))),
               std::memory_order_relaxed);
}

void Run::launch_remote(int slot, std::uint32_t task) {
  Slot& me = slots_[slot];
  RemoteSlot& remote = *me.remote;
  ThunkNode& node = *plan_.records[task].node;
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
    static_cast<const RemoteProcessor&>(*me.processor)
        .start(node, version_for(slot, node), remote.in_flight.back().args->inputs(),
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
  if (!outcome.error) remote.learn_run_time(outcome.run_ns);
  if (!outcome.error && plan_.records[reply.task].node->options().get_result) {
    try {
      outcome.result = move_chunk(outcome.result, host_memory());
    } catch (...) {
      outcome.error = std::current_exception();
    }
  }
  if (outcome.error) {
    fail(slot, reply.task, outcome.error);
  } else if (!failed_.load(std::memory_order_seq_cst)) {
    complete(slot, reply.task, std::move(outcome.result), start, outcome.run_ns, wants_span());
  }
}

bool Run::work_worker_slots() {
  bool ran = false;
  for (int slot : worker_slots_) {
    if (has_work_for(slot)) ran = work_remote(slot) || ran;
  }
  return ran;
}

bool Run::worker_slots_have_work() const {
  for (int slot : worker_slots_) {
    if (has_work_for(slot)) return true;
  }
  return false;
}

// One round, without waiting: takes the replies that came back, then sends
// what the inbox holds while fewer calls than the slot's window are out.
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
  while (remote.in_flight.size() < remote.window.load(std::memory_order_relaxed) &&
         !failed_.load(std::memory_order_seq_cst) && me.inbox.pop_front(task)) {
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

}  // namespace dagger::detail
