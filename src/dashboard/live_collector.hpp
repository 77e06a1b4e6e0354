// The live view the dashboard installs: what the runtime reports goes into
// a buffer per reporting thread (a few stores under that thread's own lock,
// so reporting threads never contend), and the dashboard's sampler drains
// them all a few times a second. Rare structural news (a computation that
// starts or ends, a failure) goes into one locked list.
//
// Installed once and never freed (core/live_view.hpp): attach() and
// detach() switch it on and off.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/live_view.hpp"
#include "scheduler/spin_lock.hpp"

namespace dagger::detail {

// One span of work, or an eager task spawned or ended.
struct LiveRecord {
  enum class Kind : std::uint8_t { span, spawned, ended };
  Kind kind = Kind::span;
  Category category = Category::compute;
  TaskEnd end = TaskEnd::done;      // kind ended
  std::string_view function;        // interned (task_names.hpp); empty: none
  std::uint64_t computation = 0;
  std::uint64_t id = 0;
  const Processor* processor = nullptr;
  std::int64_t start_ns = 0;
  std::int64_t finish_ns = 0;
  std::uint64_t bytes = 0;
};

// A lazy computation's news.
struct ComputationNews {
  // graph: the graph of a computation that started without one.
  enum class Kind : std::uint8_t { started, graph, finished, task_failed };
  Kind kind = Kind::started;
  std::uint64_t computation = 0;
  std::int64_t at_ns = 0;
  // started: tasks per function, and the graph if takes_graph said so
  FunctionTotals totals;
  // One more task of `function` in totals; returns its entry's index.
  std::size_t count_task(std::string_view function);
  // The graph, flat (a few allocations however many nodes): node i has
  // ids[i] and functions[i], and its inputs are inputs[input_ends[i-1]..
  // input_ends[i]), which may name tasks outside the graph (results
  // already known): whoever draws it leaves those out.
  struct Graph {
    std::vector<std::uint64_t> ids;
    std::vector<std::string_view> functions;
    std::vector<std::uint32_t> input_ends;
    std::vector<std::uint64_t> inputs;
    bool empty() const { return ids.empty(); }
    static Graph of(std::span<const ThunkNode* const> tasks);
  };
  Graph graph;
  std::unordered_map<std::string_view, std::size_t> total_index;  // function -> its entry in totals
  std::size_t last_total = 0;  // the entry count_task touched last: tasks come in runs of one function
  // finished (empty: it succeeded) and task_failed
  std::string error;
  std::uint64_t task = 0;
  std::string_view function;
};

// Tasks of lazy computations a thread ran untimed (past its budget of
// spans): counted per computation and function, for progress.
struct CountedTasks {
  std::uint64_t computation = 0;
  std::uint32_t function = 0;  // the index of its entry in the computation's totals
  std::uint64_t count = 0;
};

class LiveCollector final : public LiveView {
 public:
  // A graph larger than this is counted, not drawn.
  static constexpr std::size_t kMaxGraphNodes = 3000;
  // Compute spans each thread times between two drains: past that (tiny
  // tasks by the million) tasks are only counted, which bounds what the
  // sampler does each tick and what the stream draws, and spares the
  // clock reads (LiveView::times_next_span).
  static constexpr std::uint32_t kKeptSpansPerDrain = 2000;

  static LiveCollector& instance();

  void attach();  // from now on, reports are kept
  void detach();  // reports stop; what was kept is dropped
  // Everything reported since the last drain.
  void drain(std::vector<LiveRecord>& records, std::vector<ComputationNews>& news, std::vector<CountedTasks>& counted);

  void computation_started(std::uint64_t computation, FunctionTotals totals,
                           std::span<const ThunkNode* const> graph_tasks) override;
  void computation_graph(std::uint64_t computation, std::span<const ThunkNode* const> tasks) override;
  void computation_finished(std::uint64_t computation, std::string_view error) override;
  void span(std::uint64_t computation, Category category, const ThunkNode* node, std::uint64_t id,
            const Processor* processor, std::int64_t start_ns, std::int64_t finish_ns, std::size_t bytes) override;
  void tasks_done(std::uint64_t computation, std::uint32_t function, std::uint64_t count) override;
  void task_failed(std::uint64_t computation, const ThunkNode& node, std::string_view message) override;
  void task_spawned(const ThunkNode& node) override;
  void task_ended(const ThunkNode& node, TaskEnd end, std::string_view message) override;

 private:
  // A cache line each: two threads reporting never share one.
  struct alignas(64) ThreadBuffer {
    SpinLock lock;
    std::vector<LiveRecord> records;
    std::vector<CountedTasks> counted;
    bool in_use = true;  // its thread is alive; a free one is handed to the next new thread
  };
  LiveCollector() : LiveView(kKeptSpansPerDrain, kMaxGraphNodes) {}
  ThreadBuffer& buffer();
  void push(const LiveRecord& record);
  void add_news(ComputationNews news);

  std::mutex mutex_;  // the buffer list and the news
  std::vector<std::unique_ptr<ThreadBuffer>> buffers_;
  std::vector<ComputationNews> news_;
  static constexpr std::size_t kNoGraph = ~std::size_t{0};
  std::size_t pending_graph_ = kNoGraph;  // the entry of news_ holding a graph
  bool attached_ = false;
};

}  // namespace dagger::detail
