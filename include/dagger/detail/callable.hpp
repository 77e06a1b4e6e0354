// The type-erased function of a thunk, as the scheduler sees it.
#pragma once

#include <cstdint>
#include <string>
#include <typeinfo>
#include <vector>

#include "dagger/chunk.hpp"
#include "dagger/proc_kind.hpp"

namespace dagger::detail {

// What a running thunk is given: its dependencies' chunks, in the order of
// ThunkNode::deps, already in the memory space of the processor running it.
class InvokeArgs {
 public:
  virtual ~InvokeArgs() = default;
  virtual Value& value(std::uint32_t dep) = 0;
  virtual const ChunkPtr& chunk(std::uint32_t dep) = 0;
  // True when this thunk is the last user of that value, so it may take the
  // value instead of copying it.
  virtual bool may_take(std::uint32_t dep) = 0;
};

class Callable {
 public:
  virtual ~Callable() = default;
  // Readable name for errors, events and graphs.
  virtual std::string name() const = 0;
  // The kinds of processor that have a version of this function.
  virtual const std::vector<ProcKind>& kinds() const = 0;
  // Identifies the function for the learned runtime estimates.
  virtual const std::type_info& key() const = 0;
  virtual bool meta() const = 0;
  // Runs the version for kinds()[version].
  virtual Value invoke(std::size_t version, InvokeArgs& args) = 0;
};

}  // namespace dagger::detail
