// Per-thunk options, as Dagger.jl's `delayed(f; options...)`.
#pragma once

#include <string>
#include <vector>

#include "dagger/proc_kind.hpp"

namespace dagger {

class Processor;

// Which processors may run a thunk. The default allows every processor of
// the context that has a version of the thunk's function.
struct Scope {
  std::vector<const Processor*> only;    // non-empty: just these
  std::vector<ProcKind> kinds;           // non-empty: just processors of these kinds
  std::vector<ProcKind> excluded_kinds;  // never processors of these kinds

  static Scope any() { return {}; }
  static Scope processors(std::vector<const Processor*> processors) {
    return Scope{std::move(processors), {}, {}};
  }
  static Scope processor(const Processor& p) { return processors({&p}); }
  static Scope kind(ProcKind k) { return Scope{{}, {k}, {}}; }
  static Scope excluding(ProcKind k) { return Scope{{}, {}, {k}}; }

  bool is_any() const noexcept { return only.empty() && kinds.empty() && excluded_kinds.empty(); }
  bool allows(const Processor& p) const;
};

struct Options {
  // Bring the result into the caller's host memory as soon as it exists.
  bool get_result = false;
  // The function receives the Chunk handles of thunk arguments instead of
  // their values, and runs on a processor of the calling process.
  bool meta = false;
  // Keep the result for as long as the thunk exists, even when no consumer
  // needs it.
  bool persist = false;
  // Keep the result in the process's cache: computing the thunk again reuses
  // it; if the cache evicted it, the thunk is computed again.
  bool cache = false;
  // Placement: which processors may run it.
  Scope scope = {};
  // A label for errors, events and graphs (default: the function's name).
  std::string name = {};
};

}  // namespace dagger
