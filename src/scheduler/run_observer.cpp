#include "scheduler/run_observer.hpp"

#include <algorithm>

namespace dagger::detail {

std::vector<Timespan> EventRecorder::take() {
  std::vector<Timespan> out = std::move(caller_);
  for (const std::vector<Timespan>& spans : per_slot_) out.insert(out.end(), spans.begin(), spans.end());
  std::sort(out.begin(), out.end(), [](const Timespan& a, const Timespan& b) { return a.start_ns < b.start_ns; });
  return out;
}

}  // namespace dagger::detail
