// The one clock of events, spills and progress: steady nanoseconds.
#pragma once

#include <cstdint>

namespace dagger::detail {

std::int64_t now_ns();

}  // namespace dagger::detail
