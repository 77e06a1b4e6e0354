// Dask's scheduling policy (dask/local.py), as this runtime applies it:
//
// - start at the leaves, spread over the CPU threads in contiguous blocks
//   (seed);
// - a thread takes the tasks placed on its processor first, then the
//   newest task of its own queue (depth first), then steals the oldest of
//   another thread's queue (find_task);
// - when a task finishes, its thread goes on with a consumer it just made
//   ready; the other ready consumers go to its queue, or to the processor
//   placement picks for them (release_consumers, dispatch);
// - a result is let go as soon as its last consumer has run, unless it is
//   a head or kept by persist/cache (release_inputs);
// - the memory rule: near the memory limit, before a task that only adds
//   to memory, a thread runs a queued one that lets inputs go
//   (frees_inputs, take_freeing_task).
#include "scheduler/executor.hpp"
#include "scheduler/run.hpp"
#include "memory/chunk_store.hpp"

namespace dagger::detail {

void Run::seed() {
  remaining_.store(plan_.total_tasks, std::memory_order_relaxed);
  if (plan_.total_tasks == 0) {
    finished_.store(true, std::memory_order_release);
    return;
  }
  // Spread the ready leaves over the CPU threads in contiguous blocks, each
  // queue filled backwards so that its owner starts with the first leaf.
  std::vector<std::uint32_t> any_cpu;
  for (std::uint32_t t : plan_.initially_ready) {
    if (plan_.records[t].placement == Placement::any_cpu) {
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
  const RunRecord& record = plan_.records[task];
  for (std::size_t k = 0; k < record.node->deps.size(); ++k) {
    const std::uint32_t d = plan_.producers[record.deps_begin + k];
    if (d == kNone) continue;
    const RunRecord& producer = plan_.records[d];
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

void Run::release_inputs(std::uint32_t task) {
  const RunRecord& record = plan_.records[task];
  const std::size_t n = record.node->deps.size();
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t d = plan_.producers[record.deps_begin + k];
    if (d == kNone) continue;
    RunRecord& producer = plan_.records[d];
    if (producer.consumers_left.fetch_sub(1, std::memory_order_acq_rel) == 1 && !producer.retained) {
      // No consumer of the producer is running any more, so none can be
      // adding a replica: no lock needed.
      producer.result.reset();
      producer.replicas.clear();
    }
  }
}

std::uint32_t Run::release_consumers(int slot, std::uint32_t task) {
  const RunRecord& record = plan_.records[task];
  const bool continue_here = slots_[slot].steals;
  std::uint32_t next = kNone;
  bool queued = false;
  for (std::uint32_t e = record.consumers_begin; e < record.consumers_end; ++e) {
    const std::uint32_t c = plan_.consumers[e];
    if (plan_.records[c].pending.fetch_sub(1, std::memory_order_acq_rel) != 1) continue;
    if (continue_here && next == kNone && plan_.records[c].placement == Placement::any_cpu) {
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
  RunRecord& record = plan_.records[task];
  if (record.placement == Placement::any_cpu) {
    int target = from_slot >= 0 && slots_[from_slot].steals
                     ? from_slot
                     : stealing_slots_[round_robin_.fetch_add(1, std::memory_order_relaxed) %
                                       stealing_slots_.size()];
    slots_[target].local.push(task);
    return;
  }
  const std::int64_t start = observer_ ? now_ns() : 0;
  const int target = choose_slot(record);
  slots_[target].inbox.push(task);
  observe(from_slot, Category::scheduler, record.node->id, start, 0, 0);
}

}  // namespace dagger::detail
