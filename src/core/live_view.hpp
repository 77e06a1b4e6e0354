// What a live view (the dashboard) is told while the runtime works: lazy
// computations starting and ending, tasks spawned and ended, and spans of
// work (tasks run, data moved, spills). With no view set, each report point
// costs one relaxed load and a null test, and no clock is read.
//
// A view is set once and never freed while the process runs (it detaches
// by becoming idle), so a report in flight never meets a dead view.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "dagger/events.hpp"

namespace dagger {
class Processor;
}

namespace dagger::detail {

struct ThunkNode;

enum class TaskEnd { done, failed, cancelled };

class LiveView {
 public:
  virtual ~LiveView() = default;
  // A lazy computation starts with these tasks (each alive for the call).
  virtual void computation_started(std::uint64_t computation, std::span<const ThunkNode* const> tasks) = 0;
  // It ended: `error` empty when it succeeded.
  virtual void computation_finished(std::uint64_t computation, std::string_view error) = 0;
  // A span of work. `node`: the task a compute span ran (else null);
  // `computation`: its lazy computation, 0 for an eager task or a spill.
  virtual void span(std::uint64_t computation, Category category, const ThunkNode* node, std::uint64_t id,
                    const Processor* processor, std::int64_t start_ns, std::int64_t finish_ns,
                    std::size_t bytes) = 0;
  // A task of a lazy computation failed.
  virtual void task_failed(std::uint64_t computation, const ThunkNode& node, std::string_view message) = 0;
  // Eager tasks (spawn): one call when queued, one when final.
  virtual void task_spawned(const ThunkNode& node) = 0;
  virtual void task_ended(const ThunkNode& node, TaskEnd end, std::string_view message) = 0;
};

LiveView* live_view() noexcept;
void set_live_view(LiveView* view) noexcept;
// A number for a new lazy computation, unique in the process.
std::uint64_t next_computation_id() noexcept;

}  // namespace dagger::detail
