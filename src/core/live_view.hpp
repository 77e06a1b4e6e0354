// What a live view (the dashboard) is told while the runtime works: lazy
// computations starting and ending, tasks spawned and ended, and spans of
// work (tasks run, data moved, spills). With no view set, each report point
// costs one relaxed load and a null test, and no clock is read.
//
// A view times only so many compute spans per thread between two of its
// drains (a stream can draw no more): past that budget a lazy task is only
// counted (task_done), an eager one only ends, and no clock is read for
// either, so a million tiny tasks cost little more than with no view.
//
// A view is set once and never freed while the process runs (it detaches
// by becoming idle), so a report in flight never meets a dead view.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "dagger/events.hpp"

namespace dagger {
class Processor;
}

namespace dagger::detail {

struct ThunkNode;

enum class TaskEnd { done, failed, cancelled };

// Tasks per function of one computation, in the order the functions first
// appear; names are interned (task_names.hpp).
using FunctionTotals = std::vector<std::pair<std::string_view, std::uint64_t>>;

class LiveView {
 public:
  // `graph_nodes`: a computation with more tasks has no graph drawn.
  LiveView(std::uint32_t spans_per_period, std::size_t graph_nodes)
      : spans_per_period_(spans_per_period), graph_nodes_(graph_nodes) {}
  virtual ~LiveView() = default;
  // Whether the calling thread's next compute span is to be timed and
  // reported (span), or only counted (task_done). Takes one of the
  // thread's spans for this period when it says yes.
  bool times_next_span() noexcept;
  // Whether a computation of `tasks` tasks is to hand its graph over now.
  // One graph is drawn per drain period, so only the first small
  // computation to ask in a period hears yes: a stream of small
  // computations is not copied thousands of times a second. One told no
  // offers its graph again (computation_graph) in a later period while it runs.
  bool takes_graph(std::size_t tasks) noexcept;
  // Whether a graph of `tasks` tasks is small enough to draw at all.
  bool draws_graph_of(std::size_t tasks) const noexcept { return tasks <= graph_nodes_; }
  // The period a refusal was given in: asking again is worth it once the
  // period has changed.
  std::uint64_t period() const noexcept { return period_.load(std::memory_order_relaxed); }
  // A lazy computation starts: `totals` has its tasks per function, and an
  // entry's index is the function's number in tasks_done. `graph_tasks`:
  // its tasks (each alive for the call) when takes_graph said yes, to be
  // drawn; else empty.
  virtual void computation_started(std::uint64_t computation, FunctionTotals totals,
                                   std::span<const ThunkNode* const> graph_tasks) = 0;
  // The graph of a running computation that started without it: a later
  // takes_graph said yes.
  virtual void computation_graph(std::uint64_t computation, std::span<const ThunkNode* const> tasks) = 0;
  // It ended: `error` empty when it succeeded.
  virtual void computation_finished(std::uint64_t computation, std::string_view error) = 0;
  // A span of work. `node`: the task a compute span ran (else null);
  // `computation`: its lazy computation, 0 for an eager task or a spill.
  virtual void span(std::uint64_t computation, Category category, const ThunkNode* node, std::uint64_t id,
                    const Processor* processor, std::int64_t start_ns, std::int64_t finish_ns,
                    std::size_t bytes) = 0;
  // `count` tasks of a lazy computation ran untimed (times_next_span said
  // no); `function`: their number from computation_started. A Run tells
  // this in batches, before it counts the tasks done, so every count is in
  // before the computation is reported finished.
  virtual void tasks_done(std::uint64_t computation, std::uint32_t function, std::uint64_t count) = 0;
  // A task of a lazy computation failed.
  virtual void task_failed(std::uint64_t computation, const ThunkNode& node, std::string_view message) = 0;
  // Eager tasks (spawn): one call when queued, one when final.
  virtual void task_spawned(const ThunkNode& node) = 0;
  virtual void task_ended(const ThunkNode& node, TaskEnd end, std::string_view message) = 0;

 protected:
  // Every thread's budget of timed spans starts again (the view drained).
  void start_new_period() noexcept { period_.fetch_add(1, std::memory_order_relaxed); }

 private:
  const std::uint32_t spans_per_period_;
  const std::size_t graph_nodes_;
  std::atomic<std::uint64_t> period_{0};
  std::atomic<std::uint64_t> graph_taken_in_{~std::uint64_t{0}};  // the last period a graph was taken in
};

// The calling thread's use of its budget. One view is set per process, so
// one budget per thread serves it.
struct SpanBudget {
  std::uint64_t period = 0;
  std::uint32_t used = 0;
};
inline thread_local SpanBudget this_thread_span_budget;

inline bool LiveView::times_next_span() noexcept {
  SpanBudget& budget = this_thread_span_budget;
  const std::uint64_t period = period_.load(std::memory_order_relaxed);
  if (budget.period != period) {
    budget.period = period;
    budget.used = 0;
  }
  if (budget.used >= spans_per_period_) return false;
  ++budget.used;
  return true;
}

// Inline: every task asks, and a call would cost more than the load.
extern std::atomic<LiveView*> current_live_view;
inline LiveView* live_view() noexcept { return current_live_view.load(std::memory_order_acquire); }
void set_live_view(LiveView* view) noexcept;
// A number for a new lazy computation, unique in the process.
std::uint64_t next_computation_id() noexcept;

}  // namespace dagger::detail
