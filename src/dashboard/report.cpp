// write_report: the dashboard's page as one file, showing debug_compute's
// events instead of a live stream.
#include <algorithm>
#include <cstdint>
#include <fstream>

#include "core/clock.hpp"
#include "dagger/dashboard.hpp"
#include "dagger/errors.hpp"
#include "dashboard/dashboard_state.hpp"
#include "dashboard/sampler.hpp"
#include "dashboard/web_page.hpp"
#include "scheduler/task_names.hpp"

namespace dagger {

void write_report(const std::vector<Timespan>& events, const std::filesystem::path& file) {
  std::int64_t origin = events.empty() ? detail::now_ns() : events.front().start_ns;
  std::int64_t end = origin;
  for (const Timespan& e : events) {
    origin = std::min(origin, e.start_ns);
    end = std::max(end, e.finish_ns);
  }
  // The events as one finished computation.
  constexpr std::uint64_t kComputation = 1;
  detail::ComputationNews started;
  started.computation = kComputation;
  started.at_ns = origin;
  std::vector<detail::LiveRecord> records;
  for (const Timespan& e : events) {
    if (e.category == Category::scheduler || e.category == Category::scheduler_init) continue;
    const std::string_view function = e.category == Category::compute
                                          ? detail::interned_name(e.function.empty() ? "task" : e.function)
                                          : std::string_view();
    if (e.category == Category::compute) started.count_task(function);
    detail::LiveRecord r;
    r.category = e.category;
    r.function = function;
    r.computation = kComputation;
    r.id = e.id;
    r.processor = e.processor;
    r.start_ns = e.start_ns;
    r.finish_ns = e.finish_ns;
    r.bytes = e.bytes;
    records.push_back(r);
  }
  detail::ComputationNews finished;
  finished.kind = detail::ComputationNews::Kind::finished;
  finished.computation = kComputation;
  finished.at_ns = end;

  detail::DashboardState state(origin, SIZE_MAX, SIZE_MAX);
  state.apply(records, {started, finished});
  detail::Sampler sampler;
  state.set_samples(sampler.sample(detail::now_ns()));
  detail::DashboardState::Cursor cursor;
  const std::string page = detail::report_page(state.frame(cursor, end));

  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(page.data(), static_cast<std::streamsize>(page.size()));
  out.close();
  if (!out) throw StorageError(file.string(), "cannot write the report");
}

}  // namespace dagger
