// Learned runtime of each (function, kind of processor), StarPU's idea: the
// scheduler weighs these with load and data movement to place a thunk.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <typeindex>
#include <utility>

#include "dagger/proc_kind.hpp"

namespace dagger::detail {

class CostModel {
 public:
  // Nanoseconds, or nothing if this function never ran on this kind.
  std::optional<double> estimate(const std::type_info& function, ProcKind kind);
  // Folds one measured run into the estimate (exponential moving average).
  void record(const std::type_info& function, ProcKind kind, double nanoseconds);
  void clear();

 private:
  std::mutex mutex_;
  std::map<std::pair<std::type_index, std::uint16_t>, double> estimates_;
};

CostModel& cost_model();

}  // namespace dagger::detail
