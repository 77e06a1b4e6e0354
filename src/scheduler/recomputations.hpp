// How many results were lost with a worker and computed again, since the
// process started: lazy results a failed run had to give up, and eager
// tasks run again or sent elsewhere (the dashboard's "recomputed").
#pragma once

#include <cstddef>
#include <cstdint>

namespace dagger::detail {

void count_recomputed(std::size_t tasks) noexcept;
std::uint64_t recomputed_tasks() noexcept;

}  // namespace dagger::detail
