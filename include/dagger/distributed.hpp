// Worker processes, on this host and on others: Dagger.jl's addprocs and
// Dask's distributed workers. Every process runs the same executable; the
// driver is the one that runs main, the workers run thunks it sends them.
//
//   int main(int argc, char** argv) {
//     dagger::init(argc, argv);          // in a worker this never returns
//     dagger::add_local_workers(2);      // two more processes on this host
//     double s = dagger::collect(dagger::sum(x));   // runs on all of them
//   }
//
// Other hosts: start `./app --dagger-worker HOST:PORT` there (with the
// driver's cookie in DAGGER_COOKIE or a file named by DAGGER_COOKIE_FILE),
// after the driver called listen("0.0.0.0", PORT); or start everything with
// `mpirun -n N ./app` (rank 0 is the driver, the others its workers).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "dagger/config.hpp"
#include "dagger/detail/remote_processor.hpp"
#include "dagger/processor.hpp"

namespace dagger {

class WorkerLink;

// The memory of a worker process, as the driver sees it.
class WorkerMemory final : public detail::RemoteMemory {
 public:
  WorkerMemory(std::string name, WorkerLink& link);
  double bandwidth_to(const MemorySpace& to) const override;
  bool lost() const override;
  WorkerLink& link() const noexcept { return *link_; }

 private:
  WorkerLink* link_;
};

// A worker process: the container of its ThreadProcs.
class WorkerProc final : public Processor {
 public:
  WorkerProc(WorkerLink& link, std::uint32_t index, std::int64_t pid, std::string host, int threads);
  ProcKind kind() const override;
  MemorySpace& memory() const override;
  std::string name() const override;
  bool executes() const override { return false; }
  bool lost() const override;

  std::uint32_t index() const noexcept { return index_; }
  std::int64_t pid() const noexcept { return pid_; }
  const std::string& host() const noexcept { return host_; }
  int threads() const noexcept { return threads_; }
  WorkerLink& link() const noexcept { return *link_; }

 private:
  WorkerLink* link_;
  std::uint32_t index_;
  std::int64_t pid_;
  std::string host_;
  int threads_;
  std::unique_ptr<WorkerMemory> memory_;
};

// One thread of a worker process: runs CPU versions of thunks there.
class WorkerThreadProc final : public detail::RemoteProcessor {
 public:
  WorkerThreadProc(WorkerProc& owner, int index) : owner_(&owner), index_(index) {}
  void start(const detail::ThunkNode& node, std::size_t version, const std::vector<const detail::ChunkPtr*>& inputs,
             detail::RemoteResult on_result) const override;
  ProcKind kind() const override { return ProcKind::cpu(); }
  MemorySpace& memory() const override { return owner_->memory(); }
  std::string name() const override;
  Processor* parent() const override { return owner_; }
  bool lost() const override { return owner_->lost(); }
  WorkerProc& worker() const noexcept { return *owner_; }

 private:
  WorkerProc* owner_;
  int index_;
};

// Call first in main. In a worker process (started by add_local_workers,
// by mpirun, or with --dagger-worker HOST:PORT) it connects to the driver
// and serves it until the driver ends, then exits the process: it never
// returns there. In the driver it returns at once (under mpirun, after the
// other ranks joined).
void init(int argc, char** argv);
// Whether this process is the driver (always, until init made it a worker).
bool is_driver();

// Starts n worker processes of this executable on this host and waits until
// they joined; returns them. Their processors join the default Context.
std::vector<WorkerProc*> add_local_workers(int n);
// Listens for workers started by hand on other hosts (host "0.0.0.0": every
// interface); returns the port. add_local_workers listens on 127.0.0.1 when
// nothing listens yet. Environment: DAGGER_LISTEN=HOST:PORT does the same
// at init.
int listen(const std::string& host, int port = 0);
// Waits until at least n workers have joined in all; throws Error after
// `timeout`.
std::vector<WorkerProc*> wait_for_workers(int n, std::chrono::seconds timeout = std::chrono::seconds(60));
// The workers that joined and are not lost.
std::vector<WorkerProc*> workers();
// The secret a worker must present to join (DAGGER_COOKIE in the driver's
// environment sets it; otherwise it is random).
const std::string& cluster_cookie();
// How many chunks a worker process holds right now (see live_chunks()).
std::int64_t live_chunks(WorkerProc& worker);
// What a worker process's memory is doing (its memory_stats(): resident,
// spilled, limit, peak, spills and reloads; the totals of bytes moved are
// not sent). Throws WorkerLost for a lost worker.
MemoryStats memory_stats(WorkerProc& worker);
// A worker that sends nothing for this long is lost, as if it had died: the
// driver asks each worker it has not heard from lately for its stats (a
// worker answers on its transport thread, even while its threads run long
// tasks), so only a process that is stopped, deadlocked or cut off stays
// silent. Its calls fail with WorkerLost, what it held is computed again
// on the other workers, and a local worker is killed. Default 60 s, or
// DAGGER_WORKER_TIMEOUT (seconds, "2.5") at start; throws UsageError for a
// timeout that is not positive.
void set_worker_timeout(std::chrono::milliseconds timeout);
std::chrono::milliseconds worker_timeout();
// Ends every worker (also done when the driver exits).
void shutdown_workers();

}  // namespace dagger
