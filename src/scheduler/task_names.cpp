#include "scheduler/task_names.hpp"

#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace dagger::detail {

std::string_view interned_name(std::string_view name) {
  // Never destroyed: spans may be named while the process exits.
  static auto* mutex = new std::mutex;
  static auto* names = new std::unordered_set<std::string>;
  std::lock_guard lock(*mutex);
  return *names->emplace(name).first;
}

std::string_view task_name(const ThunkNode& node) {
  if (!node.options().name.empty()) return interned_name(node.options().name);
  const void* key = node.fn->name_key();
  if (key == nullptr) return interned_name(node.fn->name());
  // Tasks come in runs of one function: the last one answers most asks.
  thread_local const void* last_key = nullptr;
  thread_local std::string_view last_name;
  if (key == last_key) return last_name;
  thread_local std::unordered_map<const void*, std::string_view> known;
  auto [it, added] = known.try_emplace(key);
  if (added) it->second = interned_name(node.fn->name());
  last_key = key;
  last_name = it->second;
  return last_name;
}

std::uint32_t FunctionTally::add(const ThunkNode& node) {
  const void* key = node.options().name.empty() ? node.fn->name_key() : nullptr;
  if (key == nullptr) {
    last_key_ = nullptr;
    last_ = number_of_name(task_name(node));
  } else if (key != last_key_) {
    last_key_ = key;
    last_ = number_of_key(key, node);
  }
  ++totals_[last_].second;
  return last_;
}

std::uint32_t FunctionTally::number_of_key(const void* key, const ThunkNode& node) {
  auto [it, added] = by_key_.try_emplace(key);
  if (added) it->second = number_of_name(task_name(node));
  return it->second;
}

std::uint32_t FunctionTally::number_of_name(std::string_view name) {
  auto [it, added] = by_name_.try_emplace(name, static_cast<std::uint32_t>(totals_.size()));
  if (added) totals_.emplace_back(name, 0);
  return it->second;
}

}  // namespace dagger::detail
