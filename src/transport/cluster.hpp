// The driver's view of its workers: the listener, the handshake that admits
// a worker (cookie and executable fingerprint), and the links to them.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "transport/worker_link.hpp"

namespace dagger::detail {

class Cluster {
 public:
  Cluster();
  ~Cluster();
  // The watchdog looks again now (the timeout changed).
  void timeout_changed() { watchdog_wake_.notify_all(); }

  int listen(const std::string& host, int port);
  int port() const;
  std::vector<WorkerProc*> add_local(int n);
  std::vector<WorkerProc*> wait_for(std::size_t n, std::chrono::seconds timeout);
  std::vector<WorkerProc*> live_workers();
  // Every worker that ever joined, the lost ones too, in order of joining.
  std::vector<WorkerProc*> joined_workers();
  const std::string& cookie() const { return cookie_; }
  void shutdown();
  // At exit: ends the workers, then stops the transport, so that UCX's
  // teardown never meets a transport thread still polling; whoever still
  // waits on a worker gets WorkerLost.
  void end_of_process();

 private:
  void on_accept(ConnectionId id);
  void on_message(ConnectionId id, std::string header, Bytes body);
  void on_lost(ConnectionId id, const std::string& why);
  void admit(WorkerLink& link, std::uint64_t request, const Hello& hello);
  void refuse(WorkerLink& link, const std::string& why);
  WorkerLink* link_of(ConnectionId id);
  std::vector<WorkerProc*> live_locked() const;  // with mutex_ held

  // The watchdog (worker_watchdog.cpp): asks each quiet worker for its
  // stats, and declares a worker that sent nothing for worker_timeout()
  // lost, as if its connection broke (a local one is killed as well).
  void watch_workers();
  void check_worker(WorkerLink& link, std::int64_t now, std::int64_t period_ns, std::int64_t timeout_ns);
  void declare_hung(WorkerLink& link, std::int64_t silent_ns);
  void stop_watchdog();
  std::thread watchdog_;
  std::condition_variable watchdog_wake_;
  bool watchdog_stopping_ = false;  // with mutex_

  std::string cookie_;
  std::unique_ptr<Transport> transport_;
  mutable std::mutex mutex_;
  std::condition_variable joined_;
  std::vector<std::unique_ptr<WorkerLink>> links_;  // kept for good: processors point at them
  std::vector<WorkerProc*> workers_;
  std::vector<int> children_;                        // pids of local workers
  int port_ = -1;
  std::atomic<bool> shutting_down_{false};
};

// Registers the moves between this process's memory and workers' memories,
// and the fetcher that brings many results home at once.
void register_worker_moves();

}  // namespace dagger::detail
