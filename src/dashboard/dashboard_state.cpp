#include "dashboard/dashboard_state.hpp"

#include <algorithm>
#include <unordered_set>
#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "dagger/processor.hpp"

namespace dagger::detail {
namespace {

// The page's numbering of span categories.
std::uint8_t category_code(Category c) {
  switch (c) {
    case Category::compute: return 0;
    case Category::move: return 1;
    case Category::comm: return 2;
    case Category::spill: return 3;
    case Category::scheduler:
    case Category::scheduler_init: return 4;
  }
  return 4;
}

std::string process_of(const Processor& p) {
  const Processor* container = p.parent() ? p.parent() : &p;
  return container == &this_process() ? "driver" : container->name();
}

// "f(int, double)" -> "f": a function's symbol names it well enough on a
// page; a lambda's or a type's name is kept whole.
std::string shown_name(std::string_view name) {
  if (name.empty() || name.back() != ')') return std::string(name);
  int depth = 0;
  for (std::size_t i = name.size(); i-- > 0;) {
    if (name[i] == ')') ++depth;
    if (name[i] == '(' && --depth == 0) return i == 0 ? std::string(name) : std::string(name.substr(0, i));
  }
  return std::string(name);
}

}  // namespace

DashboardState::FunctionProgress& DashboardState::Computation::row(std::int32_t function) {
  for (FunctionProgress& f : functions) {
    if (f.function == function) return f;
  }
  functions.push_back(FunctionProgress{function});
  return functions.back();
}

std::int32_t DashboardState::function_index(std::string_view name) {
  if (name.empty()) return -1;
  auto [it, added] = function_of_.try_emplace(name, static_cast<std::int32_t>(functions_.size()));
  if (added) functions_.push_back(shown_name(name));
  return it->second;
}

std::uint32_t DashboardState::processor_index(const Processor* processor) {
  if (processor == nullptr) processor = &this_process();
  auto [it, added] = processor_of_.try_emplace(processor, static_cast<std::uint32_t>(processors_.size()));
  if (added) processors_.push_back(ProcessorRow{processor->name(), process_of(*processor), processor->kind().name()});
  return it->second;
}

DashboardState::Computation* DashboardState::find(std::uint64_t id) {
  for (Computation& c : computations_) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

void DashboardState::add_computation(Computation c) {
  computations_.push_back(std::move(c));
  // Keep the most recent; a running one is never dropped.
  while (computations_.size() > kKeptComputations) {
    auto old = std::find_if(computations_.begin(), computations_.end(), [](const Computation& x) { return x.finished.has_value(); });
    if (old == computations_.end()) break;
    computations_.erase(old);
  }
}

// Eager tasks are shown in groups: a group opens with the first task
// spawned while none is outstanding and ends when all of its tasks are final.
DashboardState::Computation& DashboardState::spawn_group(std::int64_t at_ns) {
  if (Computation* open = find(open_spawn_group_); open && !open->finished) return *open;
  Computation c;
  c.id = next_computation_id();
  c.kind = "spawn";
  c.label = "spawned tasks " + std::to_string(++spawn_groups_);
  c.started = seconds(at_ns);
  open_spawn_group_ = c.id;
  add_computation(std::move(c));
  return computations_.back();
}

void DashboardState::add_failure(Failure f) {
  failures_.push_back(std::move(f));
  while (failures_.size() > kKeptFailures) failures_.pop_front();
}

void DashboardState::add_span(const LiveRecord& r) {
  SpanRow row{processor_index(r.processor), function_index(r.function), category_code(r.category),
              seconds(r.start_ns), seconds(r.finish_ns), r.bytes, r.id, next_seq_++};
  spans_.push_back(row);
  if (spans_.size() > kept_spans_) spans_.pop_front();
  if (r.category != Category::compute) return;
  ++compute_spans_;
  if (r.computation == 0) {  // an eager task: counted when it ends
    if (Computation* group = find(open_spawn_group_)) group->started = std::min(group->started, row.start);
    return;
  }
  if (Computation* c = find(r.computation)) ++c->row(row.function).done;
}

void DashboardState::draw_graph(std::uint64_t computation, const ComputationNews::Graph& graph) {
  std::unordered_set<std::uint64_t> in_graph(graph.ids.begin(), graph.ids.end());
  nlohmann::json nodes = nlohmann::json::array();
  std::uint32_t input = 0;
  for (std::size_t i = 0; i < graph.ids.size(); ++i) {
    nlohmann::json inputs = nlohmann::json::array();
    for (; input < graph.input_ends[i]; ++input) {
      if (in_graph.count(graph.inputs[input])) inputs.push_back(graph.inputs[input]);
    }
    nodes.push_back(nlohmann::json::array({graph.ids[i], function_index(graph.functions[i]), std::move(inputs)}));
  }
  graph_json_ = nlohmann::json{{"computation", computation}, {"nodes", std::move(nodes)}}.dump();
  ++graph_version_;
}

void DashboardState::apply(const std::vector<LiveRecord>& records, const std::vector<ComputationNews>& news,
                           const std::vector<CountedTasks>& counted) {
  using NewsKind = ComputationNews::Kind;
  // Starts first, ends last: a drain may hold both a computation's start
  // and its tasks. Of the graphs, the latest is drawn.
  const ComputationNews* drawn = nullptr;
  for (const ComputationNews& n : news) {
    if (n.kind == NewsKind::graph) drawn = &n;
    if (n.kind != NewsKind::started) continue;
    Computation c;
    c.id = n.computation;
    c.kind = "compute";
    c.label = "compute " + std::to_string(n.computation);
    c.started = seconds(n.at_ns);
    // One row per entry of totals, in its order: counted tasks name their row by that index.
    for (const auto& [name, total] : n.totals) c.functions.push_back(FunctionProgress{function_index(name), 0, total, 0});
    add_computation(std::move(c));
    if (!n.graph.empty()) drawn = &n;
  }
  if (drawn) draw_graph(drawn->computation, drawn->graph);
  for (const LiveRecord& r : records) {
    if (r.kind != LiveRecord::Kind::spawned) continue;
    Computation& group = spawn_group(now_ns());
    ++group.row(function_index(r.function)).total;
    ++group.outstanding;
  }
  for (const LiveRecord& r : records) {
    if (r.kind == LiveRecord::Kind::span) {
      add_span(r);
    } else if (r.kind == LiveRecord::Kind::ended) {
      Computation& group = spawn_group(r.finish_ns);
      group.started = std::min(group.started, seconds(r.finish_ns));
      FunctionProgress& f = group.row(function_index(r.function));
      if (r.end == TaskEnd::done) {
        ++f.done;
      } else {
        ++f.failed;
      }
      if (--group.outstanding <= 0) {
        group.finished = seconds(r.finish_ns);
        const bool any_failed = std::any_of(group.functions.begin(), group.functions.end(),
                                            [](const FunctionProgress& p) { return p.failed > 0; });
        group.status = any_failed ? "failed" : "done";
      }
    }
  }
  for (const CountedTasks& u : counted) {
    compute_spans_ += u.count;
    // A computation's rows are its totals, in order (above).
    Computation* c = find(u.computation);
    if (c && u.function < c->functions.size()) c->functions[u.function].done += u.count;
  }
  for (const ComputationNews& n : news) {
    if (n.kind == NewsKind::task_failed) {
      std::uint64_t computation = n.computation;
      if (computation == 0) {
        computation = open_spawn_group_;
      } else if (Computation* c = find(computation)) {
        ++c->row(function_index(n.function)).failed;
      }
      add_failure(Failure{computation, n.task, shown_name(n.function), n.error});
    } else if (n.kind == NewsKind::finished) {
      if (Computation* c = find(n.computation)) {
        c->finished = seconds(n.at_ns);
        c->status = n.error.empty() ? "done" : "failed";
        c->error = n.error;
      }
    }
  }
}

std::string DashboardState::frame(Cursor& cursor, std::int64_t now) const {
  using nlohmann::json;
  const bool full = !cursor.started;
  cursor.started = true;
  json out;
  out["t"] = seconds(now);
  out["full"] = full;
  json processors = json::array();
  for (std::size_t i = 0; i < processors_.size(); ++i) {
    const ProcessorRow& p = processors_[i];
    processors.push_back({{"id", i}, {"name", p.name}, {"process", p.process}, {"kind", p.kind}});
  }
  out["processors"] = std::move(processors);
  out["functions"] = functions_;

  // The spans this reader has not seen, the newest spans_per_frame_ of them.
  auto first = std::partition_point(spans_.begin(), spans_.end(),
                                    [&](const SpanRow& s) { return s.seq <= cursor.spans_seen; });
  if (static_cast<std::size_t>(spans_.end() - first) > spans_per_frame_) {
    first = spans_.end() - static_cast<std::ptrdiff_t>(spans_per_frame_);
  }
  json spans = json::array();
  for (auto it = first; it != spans_.end(); ++it) {
    spans.push_back(json::array({it->processor, it->function, it->category, it->start, it->end, it->bytes, it->id}));
  }
  if (!spans_.empty()) cursor.spans_seen = std::max(cursor.spans_seen, spans_.back().seq);
  out["spans"] = std::move(spans);
  out["tasks_total"] = compute_spans_;

  json computations = json::array();
  for (const Computation& c : computations_) {
    json functions = json::array();
    for (const FunctionProgress& f : c.functions) {
      functions.push_back({{"fn", f.function}, {"done", f.done}, {"total", f.total}, {"failed", f.failed}});
    }
    computations.push_back({{"id", c.id},
                            {"kind", c.kind},
                            {"label", c.label},
                            {"started", c.started},
                            {"finished", c.finished ? json(*c.finished) : json(nullptr)},
                            {"status", c.status},
                            {"error", c.error},
                            {"functions", std::move(functions)}});
  }
  out["computations"] = std::move(computations);
  json failures = json::array();
  for (const Failure& f : failures_) {
    failures.push_back({{"computation", f.computation}, {"task", f.task}, {"function", f.function}, {"error", f.error}});
  }
  out["failures"] = std::move(failures);

  json memory = json::array();
  for (const MemoryRow& m : samples_.memory) {
    memory.push_back({{"process", m.process}, {"device", m.device}, {"resident", m.resident}, {"spilled", m.spilled},
                      {"limit", m.limit}, {"peak", m.peak}, {"spills", m.spills}, {"reloads", m.reloads}});
  }
  out["memory"] = std::move(memory);
  json workers = json::array();
  for (const WorkerRow& w : samples_.workers) {
    workers.push_back({{"name", w.name}, {"host", w.host}, {"pid", w.pid}, {"threads", w.threads},
                       {"state", w.lost ? "lost" : "joined"}, {"reason", w.reason}, {"live_chunks", w.live_chunks},
                       {"sent_bytes", w.sent_bytes}, {"received_bytes", w.received_bytes},
                       {"sent_rate", w.sent_rate}, {"received_rate", w.received_rate}});
  }
  out["workers"] = std::move(workers);
  out["recomputed"] = samples_.recomputed;
  if (full || cursor.graph_seen != graph_version_) {
    out["graph"] = json::parse(graph_json_);
    cursor.graph_seen = graph_version_;
  } else {
    out["graph"] = nullptr;
  }
  return out.dump();
}

}  // namespace dagger::detail
