#include "core/live_view.hpp"

#include <atomic>

namespace dagger::detail {
std::atomic<LiveView*> current_live_view{nullptr};

namespace {
std::atomic<std::uint64_t> computations{0};
}  // namespace

void set_live_view(LiveView* view) noexcept { current_live_view.store(view, std::memory_order_release); }
std::uint64_t next_computation_id() noexcept { return computations.fetch_add(1, std::memory_order_relaxed) + 1; }

}  // namespace dagger::detail
