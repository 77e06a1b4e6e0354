#include "core/live_view.hpp"

#include <atomic>

namespace dagger::detail {
namespace {
std::atomic<LiveView*> current_view{nullptr};
std::atomic<std::uint64_t> computations{0};
}  // namespace

LiveView* live_view() noexcept { return current_view.load(std::memory_order_acquire); }
void set_live_view(LiveView* view) noexcept { current_view.store(view, std::memory_order_release); }
std::uint64_t next_computation_id() noexcept { return computations.fetch_add(1, std::memory_order_relaxed) + 1; }

}  // namespace dagger::detail
