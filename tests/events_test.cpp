// Events, their summary, the Chrome trace and the DOT graph.
#include <gtest/gtest.h>

#include <dagger/dagger.hpp>
#include <nlohmann/json.hpp>
#include <regex>

#include "scheduler/progress.hpp"

namespace {
int add1(int v) { return v + 1; }
int combine(int a, int b, int c) { return a + b + c; }
}  // namespace

TEST(Events, DebugComputeRecordsEveryCategory) {
  auto p = dagger::delayed(add1)(4);
  auto q = dagger::delayed(add1)(p);
  auto s = dagger::delayed(combine)(p, q, dagger::delayed(add1)(3));
  auto debug = dagger::debug_compute(s);
  EXPECT_EQ(dagger::collect(debug.chunk), 15);
  int compute = 0, init = 0, scheduler = 0;
  for (const auto& e : debug.events) {
    EXPECT_LE(e.start_ns, e.finish_ns);
    EXPECT_NE(e.processor, nullptr);
    compute += e.category == dagger::Category::compute;
    init += e.category == dagger::Category::scheduler_init;
    scheduler += e.category == dagger::Category::scheduler;
    if (e.category == dagger::Category::compute) {
      EXPECT_EQ(e.bytes, sizeof(int));
      EXPECT_EQ(e.allocations, 1u);
    }
  }
  EXPECT_EQ(compute, 4);
  EXPECT_EQ(init, 1);
  EXPECT_EQ(scheduler, 4);
  // Plain compute records nothing.
  EXPECT_EQ(dagger::collect(s), 15);
}

TEST(Events, SummaryLooksLikeTheSeedAndFilters) {
  auto s = dagger::delayed(add1)(dagger::delayed(add1)(1));
  auto debug = dagger::debug_compute(s);
  std::string all = dagger::summarize_events(debug.events);
  EXPECT_TRUE(std::regex_search(all, std::regex(R"(^\d+\.\d+ seconds \(\d+ allocations: \d+ bytes\))")))
      << all;
  EXPECT_NE(all.find("compute"), std::string::npos);
  EXPECT_NE(all.find("scheduler_init"), std::string::npos);
  std::string only_compute =
      dagger::summarize_events(debug.events, {.category = dagger::Category::compute});
  EXPECT_NE(only_compute.find("(2 allocations: 8 bytes)"), std::string::npos) << only_compute;
  EXPECT_EQ(only_compute.find("scheduler_init"), std::string::npos);
  const dagger::Processor* somewhere = nullptr;
  for (const auto& e : debug.events) {
    if (e.category == dagger::Category::compute) somewhere = e.processor;
  }
  std::string one_proc = dagger::summarize_events(debug.events, {.processor = somewhere});
  EXPECT_NE(one_proc.find("compute"), std::string::npos);
  EXPECT_EQ(one_proc.find("scheduler_init"), std::string::npos);
}

TEST(Events, ChromeTraceIsValidJson) {
  auto s = dagger::delayed(add1)(dagger::delayed(add1)(1));
  auto debug = dagger::debug_compute(s);
  auto trace = nlohmann::json::parse(dagger::to_chrome_trace(debug.events));
  ASSERT_TRUE(trace.contains("traceEvents"));
  int complete = 0;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == "X") {
      ++complete;
      EXPECT_GE(e["dur"].get<double>(), 0.0);
      EXPECT_TRUE(e["args"].contains("thunk"));
    }
  }
  EXPECT_EQ(complete, static_cast<int>(debug.events.size()));
}

TEST(Events, DotShowsNodesAndEdges) {
  auto p = dagger::delayed(add1, {.name = "p"})(4);
  auto c = dagger::compute(dagger::delayed(add1)(1));
  auto s = dagger::delayed(combine, {.name = "s"})(p, p, c);
  std::string dot = dagger::to_dot(s);
  EXPECT_NE(dot.find("digraph"), std::string::npos);
  EXPECT_NE(dot.find("t" + std::to_string(p.id()) + " -> t" + std::to_string(s.id())), std::string::npos)
      << dot;
  EXPECT_NE(dot.find("label=\"" + std::to_string(s.id()) + ": s\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("shape=box"), std::string::npos) << dot;
}

TEST(Events, ProgressLine) {
  EXPECT_EQ(dagger::detail::format_progress(5, 10, 1.0, 10), "[#####-----] 5/10 tasks  5.0 tasks/s");
  EXPECT_EQ(dagger::detail::format_progress(3000, 3000, 1.5, 4), "[####] 3000/3000 tasks  2.00 k tasks/s");
  // A computation with the progress bar switched on still computes.
  dagger::Context ctx;
  ctx.show_progress();
  EXPECT_EQ(dagger::collect(ctx, dagger::delayed(add1)(1)), 2);
}
