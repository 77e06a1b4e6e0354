// What the dashboard shows, kept between samples: the recent task stream,
// progress per computation, failures, the latest small graph, and the last
// memory and worker samples; and the JSON messages the page reads
// (src/dashboard/web/dashboard.js documents their fields).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dashboard/live_collector.hpp"

namespace dagger::detail {

struct MemoryRow {
  std::string process;
  bool device = false;
  std::uint64_t resident = 0, spilled = 0, limit = 0, peak = 0, spills = 0, reloads = 0;
};

struct WorkerRow {
  std::string name, host;
  std::int64_t pid = 0;
  int threads = 0;
  bool lost = false;
  std::string reason;
  std::int64_t live_chunks = 0;
  std::uint64_t sent_bytes = 0, received_bytes = 0;
  double sent_rate = 0, received_rate = 0;  // bytes per second
};

struct Samples {
  std::vector<MemoryRow> memory;
  std::vector<WorkerRow> workers;
  std::uint64_t recomputed = 0;
};

class DashboardState {
 public:
  static constexpr std::size_t kKeptSpans = 50'000;     // the stream's history
  static constexpr std::size_t kSpansPerFrame = 20'000;  // at most, per message
  static constexpr std::size_t kKeptComputations = 20;
  static constexpr std::size_t kKeptFailures = 50;

  // A report keeps every span: limits of SIZE_MAX.
  explicit DashboardState(std::int64_t origin_ns, std::size_t kept_spans = kKeptSpans,
                          std::size_t spans_per_frame = kSpansPerFrame)
      : origin_ns_(origin_ns), kept_spans_(kept_spans), spans_per_frame_(spans_per_frame) {}

  // Takes in what the collector drained.
  void apply(const std::vector<LiveRecord>& records, const std::vector<ComputationNews>& news,
             const std::vector<CountedTasks>& counted = {});
  void set_samples(Samples samples) { samples_ = std::move(samples); }

  // Where one reader (a page) is: what it was sent already.
  struct Cursor {
    std::uint64_t spans_seen = 0;
    std::uint64_t graph_seen = 0;
    bool started = false;
  };
  // The next message for that reader (the first one is full), as JSON.
  std::string frame(Cursor& cursor, std::int64_t now_ns) const;

  std::uint64_t compute_spans() const noexcept { return compute_spans_; }

 private:
  struct SpanRow {
    std::uint32_t processor;
    std::int32_t function;
    std::uint8_t category;
    double start, end;
    std::uint64_t bytes, id, seq;
  };
  struct FunctionProgress {
    std::int32_t function;
    std::uint64_t done = 0, total = 0, failed = 0;
  };
  struct Computation {
    std::uint64_t id = 0;
    std::string kind, label;
    double started = 0;
    std::optional<double> finished;
    std::string status = "running", error;
    std::vector<FunctionProgress> functions;
    std::int64_t outstanding = 0;  // a spawn group: tasks not yet final
    FunctionProgress& row(std::int32_t function);
  };
  struct Failure {
    std::uint64_t computation, task;
    std::string function, error;
  };
  struct ProcessorRow {
    std::string name, process, kind;
  };

  double seconds(std::int64_t ns) const { return static_cast<double>(ns - origin_ns_) * 1e-9; }
  std::int32_t function_index(std::string_view name);
  std::uint32_t processor_index(const Processor* processor);
  Computation* find(std::uint64_t id);
  Computation& spawn_group(std::int64_t at_ns);
  void add_computation(Computation c);
  void add_span(const LiveRecord& r);
  void draw_graph(std::uint64_t computation, const ComputationNews::Graph& graph);
  void add_failure(Failure f);

  std::int64_t origin_ns_;
  std::size_t kept_spans_;
  std::size_t spans_per_frame_;
  std::vector<std::string> functions_;
  std::unordered_map<std::string_view, std::int32_t> function_of_;  // keys: interned names
  std::vector<ProcessorRow> processors_;
  std::unordered_map<const Processor*, std::uint32_t> processor_of_;
  std::deque<SpanRow> spans_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t compute_spans_ = 0;
  std::deque<Computation> computations_;
  std::uint64_t open_spawn_group_ = 0;  // 0: none
  std::uint64_t spawn_groups_ = 0;
  std::deque<Failure> failures_;
  std::string graph_json_ = "null";
  std::uint64_t graph_version_ = 0;
  Samples samples_;
};

}  // namespace dagger::detail
