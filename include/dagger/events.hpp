// What a computation did, as Timespans (Dagger.jl's events), and ways to
// look at them: a text summary, a Chrome trace, the DAG as Graphviz DOT.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dagger/thunk.hpp"

namespace dagger {

class Processor;

enum class Category { scheduler_init, scheduler, compute, comm, move, spill };
std::string_view to_string(Category category);

// One action of the runtime. `bytes`/`allocations` count the chunks the
// action allocated (a compute's result, a move's copy).
struct Timespan {
  Category category;
  std::uint64_t id;             // the thunk concerned (0: the whole run)
  const Processor* processor;  // where it happened
  std::int64_t start_ns;        // steady clock
  std::int64_t finish_ns;
  std::size_t bytes = 0;
  std::size_t allocations = 0;
  // A compute span's task name (interned: valid until the process exits).
  std::string_view function = {};

  double seconds() const { return static_cast<double>(finish_ns - start_ns) * 1e-9; }
};

struct EventFilter {
  const Processor* processor = nullptr;  // null: all
  std::optional<Category> category = {}; // empty: all
};

// "0.01234 seconds (1.00 k allocations: 7.81 KiB)" followed by one such line
// per category.
std::string summarize_events(const std::vector<Timespan>& events, const EventFilter& filter = {});

// Chrome trace JSON (opens in Perfetto or chrome://tracing).
std::string to_chrome_trace(const std::vector<Timespan>& events);

namespace detail {
std::string dot_of(const std::vector<NodePtr>& heads);
}

// The DAG below `head` in Graphviz DOT.
template <class T>
std::string to_dot(const Thunk<T>& head) {
  return detail::dot_of({head.node()});
}

}  // namespace dagger
