// Hung workers. A worker whose process is alive but silent (stopped,
// deadlocked in its transport, cut off by the network without a reset)
// never breaks its connection, so nothing else would notice: its calls
// would wait for ever. The driver's watchdog asks every worker it has not
// heard from lately for its stats, which the worker answers on its
// transport thread even while every worker thread runs a long task; one
// that sends nothing at all for the worker timeout is lost, and what it
// held is computed again elsewhere, as for a worker that died.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <string>

#include "core/clock.hpp"
#include "dagger/distributed.hpp"
#include "dagger/errors.hpp"
#include "transport/cluster.hpp"

namespace dagger {
namespace {

constexpr std::chrono::milliseconds kDefaultTimeout{60'000};

std::chrono::milliseconds timeout_from_environment() {
  const char* env = std::getenv("DAGGER_WORKER_TIMEOUT");
  if (env == nullptr || *env == '\0') return kDefaultTimeout;
  char* end = nullptr;
  const double seconds = std::strtod(env, &end);
  if (end == env || *end != '\0' || !(seconds > 0) || !std::isfinite(seconds)) {
    throw UsageError(std::string("DAGGER_WORKER_TIMEOUT must be a positive number of seconds, not '") + env + "'");
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(seconds * 1e3)));
}

std::atomic<std::int64_t>& timeout_ms() {
  static std::atomic<std::int64_t> value{timeout_from_environment().count()};
  return value;
}

}  // namespace

void set_worker_timeout(std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) {
    throw UsageError("set_worker_timeout: the timeout must be positive, not " + std::to_string(timeout.count()) +
                     " ms");
  }
  timeout_ms().store(timeout.count(), std::memory_order_relaxed);
  if (detail::Cluster* c = detail::cluster_if_created()) c->timeout_changed();
}

std::chrono::milliseconds worker_timeout() {
  return std::chrono::milliseconds(timeout_ms().load(std::memory_order_relaxed));
}

namespace detail {

void Cluster::watch_workers() {
  std::unique_lock lock(mutex_);
  while (!watchdog_stopping_) {
    const std::int64_t timeout_ns = worker_timeout().count() * 1'000'000;
    // Four looks per timeout: a heartbeat has three chances to come back.
    const std::int64_t period_ns = std::clamp<std::int64_t>(timeout_ns / 4, 10'000'000, 1'000'000'000);
    watchdog_wake_.wait_for(lock, std::chrono::nanoseconds(period_ns));
    if (watchdog_stopping_) break;
    std::vector<WorkerLink*> links;
    for (WorkerProc* w : live_locked()) links.push_back(&w->link());
    lock.unlock();
    const std::int64_t now = now_ns();
    for (WorkerLink* link : links) check_worker(*link, now, period_ns, timeout_ns);
    lock.lock();
  }
}

void Cluster::check_worker(WorkerLink& link, std::int64_t now, std::int64_t period_ns, std::int64_t timeout_ns) {
  if (link.lost()) return;
  const std::int64_t silent_ns = now - link.last_heard_ns();
  if (silent_ns >= timeout_ns) {
    declare_hung(link, silent_ns);
  } else if (silent_ns >= period_ns && !link.heartbeat_out.exchange(true)) {
    // Any message from the worker counts; the answer itself is not read.
    link.call_async(MessageType::stats, std::make_shared<WireWriter>(),
                    [&link](WorkerLink::Reply*, std::exception_ptr) { link.heartbeat_out.store(false); });
  }
}

void Cluster::declare_hung(WorkerLink& link, std::int64_t silent_ns) {
  char seconds[32];
  std::snprintf(seconds, sizeof(seconds), "%.1f", static_cast<double>(silent_ns) / 1e9);
  const std::string why = std::string("sent nothing for ") + seconds +
                          " s, longer than the worker timeout (set_worker_timeout, DAGGER_WORKER_TIMEOUT): hung "
                          "or unreachable";
  on_lost(link.connection(), why);
  transport_->close(link.connection());
  // A local worker is ended too: stopped or deadlocked, it would never
  // notice that its connection was closed.
  const std::int64_t pid = link.proc != nullptr ? link.proc->pid() : 0;
  std::lock_guard lock(mutex_);
  if (pid > 0 && std::find(children_.begin(), children_.end(), static_cast<int>(pid)) != children_.end()) {
    ::kill(static_cast<pid_t>(pid), SIGKILL);
  }
}

void Cluster::stop_watchdog() {
  {
    std::lock_guard lock(mutex_);
    watchdog_stopping_ = true;
  }
  watchdog_wake_.notify_all();
  if (watchdog_.joinable() && watchdog_.get_id() != std::this_thread::get_id()) watchdog_.join();
}

}  // namespace detail
}  // namespace dagger
