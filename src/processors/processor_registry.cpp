// The processors of this process: one OSProc, one ThreadProc per core found
// by hwloc (DAGGER_NUM_THREADS overrides the count), and any added later.
#include <hwloc.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dagger/errors.hpp"
#include "dagger/options.hpp"
#include "dagger/processor.hpp"
#include "processors/processor_sources.hpp"

namespace dagger {

double MemorySpace::bandwidth_to(const MemorySpace& to) const {
  return &to == this ? 1e30 : 10e9;  // 10 GB/s: a guess the subclass should refine
}

MemorySpace& host_memory() {
  static MemorySpace* host = new MemorySpace("host", ProcKind::named("host"));
  return *host;
}

OSProc::OSProc(int pid) : pid_(pid) {}
ProcKind OSProc::kind() const { return ProcKind::named("os"); }
MemorySpace& OSProc::memory() const { return host_memory(); }
std::string OSProc::name() const { return "OSProc(" + std::to_string(pid_) + ")"; }

ThreadProc::ThreadProc(OSProc& owner, int index, const void* cpuset)
    : owner_(&owner), index_(index), cpuset_(cpuset) {}

std::string ThreadProc::name() const {
  return "ThreadProc(" + std::to_string(owner_->pid()) + ", " + std::to_string(index_) + ")";
}

namespace {

// Kinds by index, one bit each for the first 64: which have processors here,
// and which run host functions.
class KindBits {
 public:
  void set(ProcKind kind) {
    if (kind.index() < 64) {
      bits_.fetch_or(std::uint64_t{1} << kind.index(), std::memory_order_release);
    } else {
      std::lock_guard lock(mutex_);
      overflow_.push_back(kind);
    }
  }
  bool has(ProcKind kind) const {
    if (kind.index() < 64) return (bits_.load(std::memory_order_acquire) >> kind.index()) & 1u;
    std::lock_guard lock(mutex_);
    return std::find(overflow_.begin(), overflow_.end(), kind) != overflow_.end();
  }

 private:
  std::atomic<std::uint64_t> bits_{0};
  mutable std::mutex mutex_;
  std::vector<ProcKind> overflow_;
};

KindBits& kinds_with_processors() {
  static KindBits* bits = new KindBits();
  return *bits;
}
// The kinds marked by runs_host_functions, in the order they were marked.
struct HostFunctionKinds {
  static constexpr std::size_t capacity = 8;
  std::mutex mutex;
  std::atomic<std::size_t> count{0};
  std::array<std::optional<ProcKind>, capacity> kinds{};
};

HostFunctionKinds& kinds_running_host_functions() {
  static HostFunctionKinds* kinds = new HostFunctionKinds();
  return *kinds;
}

std::vector<detail::ProcessorSource>& sources() {
  static auto* s = new std::vector<detail::ProcessorSource>();
  return *s;
}
bool registry_built = false;  // under processors_mutex()

class Registry {
 public:
  Registry() {
    hwloc_topology_init(&topology_);
    hwloc_topology_load(topology_);
    os_ = std::make_unique<OSProc>(static_cast<int>(::getpid()));
    all_.push_back(os_.get());
    int cores = hwloc_get_nbobjs_by_type(topology_, HWLOC_OBJ_CORE);
    if (cores <= 0) cores = 1;
    int threads = cores;
    if (const char* env = std::getenv("DAGGER_NUM_THREADS")) {
      int wanted = std::atoi(env);
      if (wanted > 0) threads = wanted;
    }
    for (int i = 0; i < threads; ++i) {
      // Bind to a core only when there is one core per thread.
      const void* cpuset = nullptr;
      if (threads <= cores) {
        hwloc_obj_t core = hwloc_get_obj_by_type(topology_, HWLOC_OBJ_CORE, static_cast<unsigned>(i));
        if (core != nullptr) cpuset = core->cpuset;
      }
      owned_.push_back(std::make_unique<ThreadProc>(*os_, i, cpuset));
      all_.push_back(owned_.back().get());
    }
    kinds_with_processors().set(ProcKind::cpu());
    // The processors of the backends linked in (a CudaProc per device).
    for (detail::ProcessorSource source : sources()) {
      for (auto& p : source(*os_)) add(std::move(p));
    }
  }

  hwloc_topology_t topology() const { return topology_; }
  OSProc& os() { return *os_; }
  const std::vector<Processor*>& all() const { return all_; }

  Processor& add(std::unique_ptr<Processor> p) {
    const ProcKind kind = p->kind();
    owned_.push_back(std::move(p));
    all_.push_back(owned_.back().get());
    kinds_with_processors().set(kind);
    return *owned_.back();
  }

 private:
  hwloc_topology_t topology_;
  std::unique_ptr<OSProc> os_;
  std::vector<std::unique_ptr<Processor>> owned_;
  std::vector<Processor*> all_;
};

}  // namespace

namespace detail {
std::mutex& processors_mutex() {
  static std::mutex m;
  return m;
}
}  // namespace detail

namespace {

Registry& registry() {
  // Processors are referenced from events and thunks that may outlive main;
  // they live as long as the process.
  // Built under the lock, so a backend's source added meanwhile is either
  // among the sources it runs or sees the registry built.
  static Registry* r = [] {
    std::lock_guard lock(detail::processors_mutex());
    auto* made = new Registry();
    registry_built = true;
    return made;
  }();
  return *r;
}

}  // namespace

namespace detail {
void add_processor_source(ProcessorSource source) {
  std::unique_lock lock(processors_mutex());
  if (!registry_built) {
    sources().push_back(source);
    return;
  }
  lock.unlock();
  Registry& r = registry();
  for (auto& p : source(r.os())) {
    std::lock_guard again(processors_mutex());
    r.add(std::move(p));
  }
}
}  // namespace detail

void ThreadProc::on_driver_start() {
  if (cpuset_ == nullptr) return;
  // Binding may be refused inside some containers; the thread then floats.
  hwloc_set_cpubind(registry().topology(), static_cast<hwloc_const_cpuset_t>(cpuset_),
                    HWLOC_CPUBIND_THREAD);
}

const std::vector<Processor*>& all_processors() { return registry().all(); }
OSProc& this_process() { return registry().os(); }

Processor& add_processor(std::unique_ptr<Processor> processor) {
  if (!processor) throw UsageError("add_processor: null processor");
  Registry& r = registry();  // built first: building takes the lock too
  std::lock_guard lock(detail::processors_mutex());
  return r.add(std::move(processor));
}

bool has_processors(ProcKind kind) {
  registry();  // found at first use, the CUDA devices too
  return kinds_with_processors().has(kind);
}

void runs_host_functions(ProcKind kind) {
  if (kind == ProcKind::cpu()) return;
  HostFunctionKinds& marked = kinds_running_host_functions();
  std::lock_guard lock(marked.mutex);
  const std::size_t n = marked.count.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < n; ++i) {
    if (*marked.kinds[i] == kind) return;
  }
  if (n == HostFunctionKinds::capacity) {
    throw UsageError("runs_host_functions: more than " + std::to_string(HostFunctionKinds::capacity) +
                     " kinds of processor marked");
  }
  marked.kinds[n] = kind;
  marked.count.store(n + 1, std::memory_order_release);
}

namespace detail {
std::size_t host_function_kinds(ProcKind* out, std::size_t max) {
  const HostFunctionKinds& marked = kinds_running_host_functions();
  const std::size_t n = marked.count.load(std::memory_order_acquire);
  std::size_t written = 0;
  for (std::size_t i = 0; i < n && written < max; ++i) {
    if (has_processors(*marked.kinds[i])) out[written++] = *marked.kinds[i];
  }
  return written;
}
}  // namespace detail

bool Scope::allows(const Processor& p) const {
  if (!only.empty()) {
    bool listed = false;
    for (const Processor* q : only) listed = listed || q == &p || p.parent() == q;
    if (!listed) return false;
  }
  if (!kinds.empty()) {
    bool listed = false;
    for (ProcKind k : kinds) listed = listed || k == p.kind();
    if (!listed) return false;
  }
  for (ProcKind k : excluded_kinds) {
    if (k == p.kind()) return false;
  }
  return true;
}

}  // namespace dagger
