#include "scheduler/cost_model.hpp"

namespace dagger::detail {

std::optional<double> CostModel::estimate(const std::type_info& function, ProcKind kind) {
  std::lock_guard lock(mutex_);
  auto it = estimates_.find({std::type_index(function), kind.index()});
  if (it == estimates_.end()) return std::nullopt;
  return it->second;
}

void CostModel::record(const std::type_info& function, ProcKind kind, double nanoseconds) {
  constexpr double kWeightOfNew = 0.25;
  std::lock_guard lock(mutex_);
  auto [it, inserted] = estimates_.try_emplace({std::type_index(function), kind.index()}, nanoseconds);
  if (!inserted) it->second += kWeightOfNew * (nanoseconds - it->second);
}

void CostModel::clear() {
  std::lock_guard lock(mutex_);
  estimates_.clear();
}

CostModel& cost_model() {
  static CostModel* model = new CostModel();
  return *model;
}

}  // namespace dagger::detail
