// Task names for events and live views, interned: each distinct name is
// stored once for the life of the process, so a span can carry it as a
// string_view, and a thread names a task by a lookup in its own cache
// instead of demangling (Callable::name_key).
#pragma once

#include <string_view>

#include "dagger/detail/thunk_node.hpp"

namespace dagger::detail {

// The name of `node` (its options' name, else its function's); valid until
// the process exits.
std::string_view task_name(const ThunkNode& node);
// The same for any text.
std::string_view interned_name(std::string_view name);

}  // namespace dagger::detail
