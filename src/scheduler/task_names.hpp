// Task names for events and live views, interned: each distinct name is
// stored once for the life of the process, so a span can carry it as a
// string_view, and a thread names a task by a lookup in its own cache
// instead of demangling (Callable::name_key).
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>

#include "core/live_view.hpp"
#include "dagger/detail/thunk_node.hpp"

namespace dagger::detail {

// The name of `node` (its options' name, else its function's); valid until
// the process exits.
std::string_view task_name(const ThunkNode& node);
// The same for any text.
std::string_view interned_name(std::string_view name);

// Numbers the functions of one computation's tasks, in the order they
// first appear, and counts the tasks of each (the live view's progress).
// Tasks come in runs of one function, so most adds are one compare; a
// function is named only the first time its key is seen.
class FunctionTally {
 public:
  // Counts `node`; returns its function's number (its entry in totals).
  std::uint32_t add(const ThunkNode& node);
  FunctionTotals take_totals() { return std::move(totals_); }

 private:
  std::uint32_t number_of_key(const void* key, const ThunkNode& node);
  std::uint32_t number_of_name(std::string_view name);

  const void* last_key_ = nullptr;  // null: the last add had no key
  std::uint32_t last_ = 0;
  std::unordered_map<const void*, std::uint32_t> by_key_;
  std::unordered_map<std::string_view, std::uint32_t> by_name_;  // two keys may share a name
  FunctionTotals totals_;
};

}  // namespace dagger::detail
