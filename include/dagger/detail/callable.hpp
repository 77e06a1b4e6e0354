// The type-erased function of a thunk, as the scheduler sees it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <typeinfo>
#include <vector>

#include "dagger/chunk.hpp"
#include "dagger/proc_kind.hpp"

namespace dagger::detail {

class WireWriter;
class WireReader;

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
  explicit Callable(const void* name_key) noexcept : name_key_(name_key) {}
  virtual ~Callable() = default;
  // Readable name for errors, events and graphs.
  virtual std::string name() const = 0;
  // Equal keys give equal names (the function's address for a function
  // pointer, else its type), so a live view names a task without asking
  // name() every time. Null: the name must be asked each time. A member,
  // not a virtual call: a live view asks it of every task of a computation.
  const void* name_key() const noexcept { return name_key_; }
  // The kinds of processor that have a version of this function.
  virtual std::span<const ProcKind> kinds() const = 0;
  // Identifies the function for the learned runtime estimates.
  virtual const std::type_info& key() const = 0;
  virtual bool meta() const = 0;
  // Runs the version for kinds()[version].
  virtual Value invoke(std::size_t version, InvokeArgs& args) = 0;

  // --- running in another process of the same executable (see wire.hpp)
  // Whether that version may run elsewhere: its function, its constant
  // arguments and every value it reads and returns can travel.
  virtual bool remote_capable(std::size_t version) const = 0;
  // The key of this callable's invoker in the table every process shares.
  virtual std::uint64_t invoker_key() const = 0;
  // Writes what the invoker needs: the version's function and the constants.
  virtual void save_call(std::size_t version, WireWriter& out) const = 0;

 private:
  const void* name_key_;
};

// Rebuilds a call written by save_call and runs it on `args`.
using Invoker = Value (*)(std::size_t version, WireReader& call, InvokeArgs& args);
// Registered at static-init time, one per callable type; returns its key.
std::uint64_t register_invoker(const char* mangled_name, Invoker invoker);
// The invoker of a key; throws ProtocolError for a key not in the table.
Invoker invoker_of(std::uint64_t key);
// Whether a function pointer can be named to another process (an exported
// function of the executable or a library).
bool function_address_travels(const void* address);

}  // namespace dagger::detail
