#include "dashboard/live_collector.hpp"

#include "core/clock.hpp"
#include "dagger/detail/thunk_node.hpp"
#include "scheduler/task_names.hpp"

namespace dagger::detail {

std::size_t ComputationNews::count_task(std::string_view function) {
  // Names are interned, so the same text is mostly the same pointer.
  if (last_total >= totals.size() || totals[last_total].first.data() != function.data()) {
    auto [it, added] = total_index.try_emplace(function, totals.size());
    if (added) totals.emplace_back(function, 0);
    last_total = it->second;
  }
  ++totals[last_total].second;
  return last_total;
}

LiveCollector& LiveCollector::instance() {
  static auto* collector = new LiveCollector();  // never freed: reports may be in flight at exit
  return *collector;
}

void LiveCollector::attach() {
  std::vector<LiveRecord> stale;  // reported while the last dashboard closed
  std::vector<ComputationNews> stale_news;
  std::vector<CountedTasks> stale_counts;
  drain(stale, stale_news, stale_counts);
  {
    std::lock_guard lock(mutex_);
    attached_ = true;
  }
  set_live_view(this);
}

void LiveCollector::detach() {
  set_live_view(nullptr);
  std::vector<LiveRecord> records;
  std::vector<ComputationNews> news;
  std::vector<CountedTasks> counted;
  drain(records, news, counted);
  std::lock_guard lock(mutex_);
  attached_ = false;
}

LiveCollector::ThreadBuffer& LiveCollector::buffer() {
  // The thread's buffer goes back to the pool when the thread ends.
  struct Owner {
    ThreadBuffer* buffer = nullptr;
    ~Owner() {
      if (buffer) {
        std::lock_guard lock(buffer->lock);
        buffer->in_use = false;
      }
    }
  };
  thread_local Owner owner;
  if (owner.buffer) return *owner.buffer;
  std::lock_guard lock(mutex_);
  for (auto& b : buffers_) {
    std::lock_guard buffer_lock(b->lock);
    if (!b->in_use) {
      b->in_use = true;
      owner.buffer = b.get();
      return *b;
    }
  }
  buffers_.push_back(std::make_unique<ThreadBuffer>());
  owner.buffer = buffers_.back().get();
  return *owner.buffer;
}

void LiveCollector::push(const LiveRecord& record) {
  ThreadBuffer& b = buffer();
  std::lock_guard lock(b.lock);
  b.records.push_back(record);
}

void LiveCollector::tasks_done(std::uint64_t computation, std::uint32_t function, std::uint64_t count) {
  ThreadBuffer& b = buffer();
  std::lock_guard lock(b.lock);
  if (b.counted.empty() || b.counted.back().computation != computation || b.counted.back().function != function) {
    b.counted.push_back(CountedTasks{computation, function, 0});
  }
  b.counted.back().count += count;
}

void LiveCollector::add_news(ComputationNews news) {
  std::lock_guard lock(mutex_);
  if (!attached_) return;
  // Only the latest graph is drawn: an older one not yet drained goes.
  if (!news.graph.empty()) {
    if (pending_graph_ < news_.size()) news_[pending_graph_].graph = {};
    pending_graph_ = news_.size();
  }
  news_.push_back(std::move(news));
}

void LiveCollector::drain(std::vector<LiveRecord>& records, std::vector<ComputationNews>& news,
                          std::vector<CountedTasks>& counted) {
  std::lock_guard lock(mutex_);
  for (auto& b : buffers_) {
    std::lock_guard buffer_lock(b->lock);
    records.insert(records.end(), b->records.begin(), b->records.end());
    b->records.clear();
    counted.insert(counted.end(), b->counted.begin(), b->counted.end());
    b->counted.clear();
  }
  start_new_period();
  news.insert(news.end(), std::make_move_iterator(news_.begin()), std::make_move_iterator(news_.end()));
  news_.clear();
  pending_graph_ = kNoGraph;
}

ComputationNews::Graph ComputationNews::Graph::of(std::span<const ThunkNode* const> tasks) {
  Graph g;
  g.ids.reserve(tasks.size());
  g.functions.reserve(tasks.size());
  g.input_ends.reserve(tasks.size());
  for (const ThunkNode* task : tasks) {
    // Captured as it is; the sampler drops inputs from outside the graph,
    // and only for the graph it draws.
    g.ids.push_back(task->id);
    g.functions.push_back(task_name(*task));
    for (const Dep& dep : task->deps) {
      if (dep.thunk) g.inputs.push_back(dep.thunk->id);
    }
    g.input_ends.push_back(static_cast<std::uint32_t>(g.inputs.size()));
  }
  return g;
}

void LiveCollector::computation_started(std::uint64_t computation, FunctionTotals totals,
                                        std::span<const ThunkNode* const> graph_tasks) {
  ComputationNews n;
  n.kind = ComputationNews::Kind::started;
  n.computation = computation;
  n.at_ns = now_ns();
  n.totals = std::move(totals);
  if (!graph_tasks.empty()) n.graph = ComputationNews::Graph::of(graph_tasks);
  add_news(std::move(n));
}

void LiveCollector::computation_graph(std::uint64_t computation, std::span<const ThunkNode* const> tasks) {
  ComputationNews n;
  n.kind = ComputationNews::Kind::graph;
  n.computation = computation;
  n.at_ns = now_ns();
  n.graph = ComputationNews::Graph::of(tasks);
  add_news(std::move(n));
}

void LiveCollector::computation_finished(std::uint64_t computation, std::string_view error) {
  ComputationNews n;
  n.kind = ComputationNews::Kind::finished;
  n.computation = computation;
  n.at_ns = now_ns();
  n.error = error;
  add_news(std::move(n));
}

void LiveCollector::task_failed(std::uint64_t computation, const ThunkNode& node, std::string_view message) {
  ComputationNews n;
  n.kind = ComputationNews::Kind::task_failed;
  n.computation = computation;
  n.at_ns = now_ns();
  n.task = node.id;
  n.function = task_name(node);
  n.error = message;
  add_news(std::move(n));
}

void LiveCollector::span(std::uint64_t computation, Category category, const ThunkNode* node, std::uint64_t id,
                         const Processor* processor, std::int64_t start_ns, std::int64_t finish_ns,
                         std::size_t bytes) {
  LiveRecord r;
  r.category = category;
  r.function = node ? task_name(*node) : std::string_view();
  r.computation = computation;
  r.id = id;
  r.processor = processor;
  r.start_ns = start_ns;
  r.finish_ns = finish_ns;
  r.bytes = bytes;
  push(r);
}

void LiveCollector::task_spawned(const ThunkNode& node) {
  LiveRecord r;
  r.kind = LiveRecord::Kind::spawned;
  r.function = task_name(node);
  r.id = node.id;
  push(r);
}

void LiveCollector::task_ended(const ThunkNode& node, TaskEnd end, std::string_view message) {
  LiveRecord r;
  r.kind = LiveRecord::Kind::ended;
  r.end = end;
  r.function = task_name(node);
  r.id = node.id;
  r.finish_ns = now_ns();
  push(r);
  if (end != TaskEnd::done) {
    ComputationNews n;
    n.kind = ComputationNews::Kind::task_failed;
    n.at_ns = r.finish_ns;
    n.task = node.id;
    n.function = r.function;
    n.error = end == TaskEnd::cancelled && message.empty() ? std::string("cancelled") : std::string(message);
    add_news(std::move(n));
  }
}

}  // namespace dagger::detail
