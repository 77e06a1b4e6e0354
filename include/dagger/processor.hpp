// Where thunks run and where their values live.
//
// A Processor runs thunks; each has a MemorySpace where the values it reads
// and writes must be. The scheduler moves an input chunk into the space of
// the processor that runs its consumer, using the move function registered
// for the pair of space kinds. Adding a kind of processor (a GPU, a remote
// process) is one Processor class, one MemorySpace, its move functions and
// its kernel versions: the scheduler does not change.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dagger/detail/value.hpp"
#include "dagger/proc_kind.hpp"

namespace dagger {

class MemorySpace {
 public:
  MemorySpace(std::string name, ProcKind kind) : name_(std::move(name)), kind_(kind) {}
  virtual ~MemorySpace() = default;
  MemorySpace(const MemorySpace&) = delete;
  MemorySpace& operator=(const MemorySpace&) = delete;

  const std::string& name() const noexcept { return name_; }
  // Spaces of the same kind share move functions ("host", "simdev", ...).
  ProcKind kind() const noexcept { return kind_; }
  // Bytes per second a move from this space to `to` is expected to reach;
  // the scheduler's cost model uses it to weigh data location.
  virtual double bandwidth_to(const MemorySpace& to) const;
  // True for the memory of a worker process that died: what it held is gone.
  virtual bool lost() const { return false; }

 private:
  std::string name_;
  ProcKind kind_;
};

// The host memory of this process.
MemorySpace& host_memory();

class Processor {
 public:
  virtual ~Processor() = default;
  Processor(const Processor&) = delete;
  Processor& operator=(const Processor&) = delete;

  // Which kernel versions this processor runs.
  virtual ProcKind kind() const = 0;
  virtual MemorySpace& memory() const = 0;
  virtual std::string name() const = 0;
  // The processor that contains this one (a ThreadProc's OSProc), or null.
  virtual Processor* parent() const { return nullptr; }
  // False for containers (an OSProc) that only group processors.
  virtual bool executes() const { return true; }
  // Called once on the thread that will drive this processor, before it
  // runs anything (bind to a core, select a device, ...).
  virtual void on_driver_start() {}
  // True for the processors of a worker process that died.
  virtual bool lost() const { return false; }

 protected:
  Processor() = default;
};

// A process. Containers of the processors of that process.
class OSProc final : public Processor {
 public:
  explicit OSProc(int pid);
  ProcKind kind() const override;
  MemorySpace& memory() const override;
  std::string name() const override;
  bool executes() const override { return false; }
  int pid() const noexcept { return pid_; }

 private:
  int pid_;
};

// One CPU core of a process, driven by one thread bound to that core.
class ThreadProc final : public Processor {
 public:
  // `cpuset` is an hwloc bitmap owned by the topology (null: do not bind).
  ThreadProc(OSProc& owner, int index, const void* cpuset);
  ProcKind kind() const override { return ProcKind::cpu(); }
  MemorySpace& memory() const override { return host_memory(); }
  std::string name() const override;
  Processor* parent() const override { return owner_; }
  void on_driver_start() override;
  int index() const noexcept { return index_; }

 private:
  OSProc* owner_;
  int index_;
  const void* cpuset_;
};

// Moves a value from one memory space into another, returning the copy that
// lives in `to`.
using MoveFunction =
    std::function<detail::Value(const detail::Value& value, const MemorySpace& from,
                                const MemorySpace& to)>;

// Registers how values go from spaces of kind `from` to spaces of kind `to`.
void register_move(ProcKind from, ProcKind to, MoveFunction move);

// All processors of this process: its OSProc, one ThreadProc per core (or
// DAGGER_NUM_THREADS of them) and any added with add_processor.
const std::vector<Processor*>& all_processors();
OSProc& this_process();

// Adds a processor (e.g. an accelerator). Not while a computation runs.
Processor& add_processor(std::unique_ptr<Processor> processor);

// Whether this process has a processor of this kind. One atomic load for
// the first 64 kinds: array operations ask it for every block they build.
bool has_processors(ProcKind kind);

// Marks a kind whose processors are host threads that may also run plain
// host functions on host values (the thread that drives a GPU), so that
// cheap host steps between its kernels (combining two partial sums) need
// not wait for a CPU thread. See dagger/operation.hpp.
void runs_host_functions(ProcKind kind);

namespace detail {
// The kinds marked so that have processors here, besides the CPU: writes up
// to `max` of them into `out` and returns how many it wrote.
std::size_t host_function_kinds(ProcKind* out, std::size_t max);
}  // namespace detail

}  // namespace dagger
