// A worker lost during a computation: its results are gone, so the
// computation starts again without it, from every result still held
// elsewhere. Only what is missing is computed again, from its lineage.
#include <atomic>
#include <iostream>

#include "dagger/detail/remote_processor.hpp"
#include "scheduler/executor.hpp"
#include "scheduler/recomputations.hpp"
#include "scheduler/run.hpp"

namespace dagger::detail {
namespace {
std::atomic<std::uint64_t> recomputed{0};
}

void count_recomputed(std::size_t tasks) noexcept { recomputed.fetch_add(tasks, std::memory_order_relaxed); }
std::uint64_t recomputed_tasks() noexcept { return recomputed.load(std::memory_order_relaxed); }

CarriedResults Run::surviving_results() const {
  CarriedResults out;
  std::size_t lost = 0;
  for (std::size_t i = 0; i < plan_.record_count; ++i) {
    const RunRecord& r = plan_.records[i];
    if (!r.result) continue;
    if (r.result->space->lost()) {
      ++lost;
    } else {
      out.emplace(r.node, r.result);
    }
  }
  count_recomputed(lost);
  return out;
}

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
