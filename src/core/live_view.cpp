#include "core/live_view.hpp"

#include <atomic>

namespace dagger::detail {
std::atomic<LiveView*> current_live_view{nullptr};

namespace {
std::atomic<std::uint64_t> computations{0};
}  // namespace

bool LiveView::takes_graph(std::size_t tasks) noexcept {
  if (!draws_graph_of(tasks)) return false;
  const std::uint64_t now = period();
  std::uint64_t taken = graph_taken_in_.load(std::memory_order_relaxed);
  // Several computations may start at once: one of them wins the period.
  while (taken != now) {
    if (graph_taken_in_.compare_exchange_weak(taken, now, std::memory_order_relaxed)) return true;
  }
  return false;
}

void set_live_view(LiveView* view) noexcept { current_live_view.store(view, std::memory_order_release); }
std::uint64_t next_computation_id() noexcept { return computations.fetch_add(1, std::memory_order_relaxed) + 1; }

}  // namespace dagger::detail
