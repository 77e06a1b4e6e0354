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

}  // namespace dagger::detail
