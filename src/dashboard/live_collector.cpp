#include "dashboard/live_collector.hpp"

#include <unordered_map>
#include <unordered_set>

#include "core/clock.hpp"
#include "dagger/detail/thunk_node.hpp"
#include "scheduler/task_names.hpp"

namespace dagger::detail {

void ComputationNews::count_task(std::string_view function) {
  auto [it, added] = total_index.try_emplace(function, totals.size());
  if (added) totals.emplace_back(function, 0);
  ++totals[it->second].second;
}

LiveCollector& LiveCollector::instance() {
  static auto* collector = new LiveCollector();  // never freed: reports may be in flight at exit
  return *collector;
}

void LiveCollector::attach() {
  std::vector<LiveRecord> stale;  // reported while the last dashboard closed
  std::vector<ComputationNews> stale_news;
  std::vector<UnkeptSpans> stale_counts;
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
  std::vector<UnkeptSpans> unkept;
  drain(records, news, unkept);
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
  if (record.kind == LiveRecord::Kind::span && record.category == Category::compute &&
      ++b.compute_spans > kKeptSpansPerDrain) {
    if (record.computation == 0) return;  // an eager task's progress comes with its end
    if (b.unkept.empty() || b.unkept.back().computation != record.computation ||
        b.unkept.back().function.data() != record.function.data()) {
      b.unkept.push_back(UnkeptSpans{record.computation, record.function, 0});
    }
    ++b.unkept.back().count;
    return;
  }
  b.records.push_back(record);
}

void LiveCollector::add_news(ComputationNews news) {
  std::lock_guard lock(mutex_);
  if (attached_) news_.push_back(std::move(news));
}

void LiveCollector::drain(std::vector<LiveRecord>& records, std::vector<ComputationNews>& news,
                          std::vector<UnkeptSpans>& unkept) {
  std::lock_guard lock(mutex_);
  for (auto& b : buffers_) {
    std::lock_guard buffer_lock(b->lock);
    records.insert(records.end(), b->records.begin(), b->records.end());
    b->records.clear();
    unkept.insert(unkept.end(), b->unkept.begin(), b->unkept.end());
    b->unkept.clear();
    b->compute_spans = 0;
  }
  news.insert(news.end(), std::make_move_iterator(news_.begin()), std::make_move_iterator(news_.end()));
  news_.clear();
}

void LiveCollector::computation_started(std::uint64_t computation, std::span<const ThunkNode* const> tasks) {
  ComputationNews n;
  n.kind = ComputationNews::Kind::started;
  n.computation = computation;
  n.at_ns = now_ns();
  std::vector<std::string_view> names;
  names.reserve(tasks.size());
  for (const ThunkNode* task : tasks) {
    names.push_back(task_name(*task));
    n.count_task(names.back());
  }
  if (tasks.size() <= kMaxGraphNodes) {
    std::unordered_set<std::uint64_t> in_graph;
    for (const ThunkNode* task : tasks) in_graph.insert(task->id);
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      ComputationNews::Node node{tasks[i]->id, names[i], {}};
      for (const Dep& dep : tasks[i]->deps) {
        if (dep.thunk && in_graph.count(dep.thunk->id)) node.inputs.push_back(dep.thunk->id);
      }
      n.graph.push_back(std::move(node));
    }
  }
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
