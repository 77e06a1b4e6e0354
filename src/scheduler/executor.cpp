#include "scheduler/executor.hpp"

#include <algorithm>

#include "dagger/detail/remote_processor.hpp"
#include "scheduler/cpu_relax.hpp"
#include "scheduler/eager_tasks.hpp"
#include "scheduler/run.hpp"

namespace dagger::detail {
namespace {

thread_local Processor* this_thread_drives = nullptr;
// The computations this thread is inside (a driver in a task that waits
// for a nested computation is inside two): it never enters one twice.
thread_local std::vector<const Run*> entered_runs;

bool entered(const Run* run) {
  return std::find(entered_runs.begin(), entered_runs.end(), run) != entered_runs.end();
}

}  // namespace

bool Executor::on_driver_thread() { return this_thread_drives != nullptr; }
Processor* Executor::driver_processor() { return this_thread_drives; }

Executor::~Executor() {
  {
    std::lock_guard lock(sleep_mutex_);
    stopping_.store(true);
    ++wake_generation_;
  }
  sleep_cv_.notify_all();
  for (auto& driver : drivers_) driver->thread.join();
  for (std::thread& dispatcher : dispatchers_) dispatcher.join();
}

void Executor::start_missing_drivers() {
  std::lock_guard lock(drivers_mutex_);
  for (Processor* p : all_processors()) {
    if (!p->executes()) continue;
    if (in_worker(*p)) {
      add_worker_processor(p);
      while (dispatchers_.size() < kDispatchers) dispatchers_.emplace_back([this] { dispatcher_loop(); });
      continue;
    }
    bool running = false;
    for (const auto& d : drivers_) running = running || d->processor == p;
    if (running) continue;
    auto driver = std::make_unique<Driver>();
    driver->processor = p;
    driver->thread = std::thread([this, p] { driver_loop(p); });
    drivers_.push_back(std::move(driver));
  }
}

std::shared_ptr<const Executor::Snapshot> Executor::snapshot() const {
  std::lock_guard lock(runs_mutex_);
  return runs_;
}

void Executor::attach(const std::shared_ptr<Attached>& entry) {
  {
    std::lock_guard lock(runs_mutex_);
    auto next = std::make_shared<Snapshot>(*runs_);
    next->push_back(entry);
    runs_ = std::move(next);
    const std::uint64_t generation = generation_.fetch_add(1, std::memory_order_acq_rel) + 1;
    entry->run->set_generation(generation);
    newest_attached_.store(generation, std::memory_order_release);
  }
  {
    std::lock_guard lock(sleep_mutex_);
    ++wake_generation_;
  }
  sleep_cv_.notify_all();
}

void Executor::detach(const std::shared_ptr<Attached>& entry) {
  {
    std::lock_guard lock(runs_mutex_);
    auto next = std::make_shared<Snapshot>();
    next->reserve(runs_->size());
    for (const auto& e : *runs_) {
      if (e != entry) next->push_back(e);
    }
    runs_ = std::move(next);
    newest_attached_.store(runs_->empty() ? 0 : runs_->back()->run->generation(), std::memory_order_release);
  }
  // A driver that loaded an older snapshot may still be about to enter:
  // it sees `attached` false after raising `inside` (both seq_cst), so once
  // inside is zero here no driver is in the run or can get in.
  entry->attached.store(false, std::memory_order_seq_cst);
  while (entry->inside.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
}

void Executor::execute(Run& run) {
  start_missing_drivers();
  auto entry = std::make_shared<Attached>();
  entry->run = &run;
  attach(entry);
  run.wait_until_finished();
  detach(entry);
}

void Executor::notify_work() {
  // The queue's size was stored seq_cst before this seq_cst load, and a
  // driver going to sleep counts itself (seq_cst) before it reads the sizes
  // (seq_cst): either it sees the task or we see it asleep. A load, not a
  // read-modify-write, so spawning threads do not fight over this line.
  if (sleepers_.load(std::memory_order_seq_cst) == 0) return;
  {
    std::lock_guard lock(sleep_mutex_);
    ++wake_generation_;
  }
  sleep_cv_.notify_all();
}

bool Executor::newer_work(std::uint64_t generation, const Processor* processor) const {
  return newest_attached_.load(std::memory_order_relaxed) > generation || eager_tasks().has_work(processor);
}

bool Executor::work_on_runs(Processor* processor, bool skip_entered) {
  if (newest_attached_.load(std::memory_order_acquire) == 0) return false;  // none attached
  bool ran = false;
  const auto runs = snapshot();
  for (auto it = runs->rbegin(); it != runs->rend(); ++it) {
    Attached& entry = **it;
    if (skip_entered && entered(entry.run)) continue;
    entry.inside.fetch_add(1, std::memory_order_seq_cst);
    if (entry.attached.load(std::memory_order_seq_cst)) {
      const int slot = entry.run->slot_of(processor);
      if (slot >= 0 && entry.run->has_work_for(slot)) {
        entered_runs.push_back(entry.run);
        ran = entry.run->work(slot) || ran;
        entered_runs.pop_back();
      }
    }
    entry.inside.fetch_sub(1, std::memory_order_seq_cst);
    // Newer work came meanwhile: serve it first.
    if (ran && eager_tasks().has_work(processor)) break;
  }
  return ran;
}

bool Executor::any_work_for(Processor* processor) {
  if (eager_tasks().has_work(processor)) return true;
  const auto runs = snapshot();
  for (const auto& e : *runs) {
    Attached& entry = *e;
    bool work = false;
    entry.inside.fetch_add(1, std::memory_order_seq_cst);
    if (entry.attached.load(std::memory_order_seq_cst)) {
      const int slot = entry.run->slot_of(processor);
      work = slot >= 0 && entry.run->has_work_for(slot);
    }
    entry.inside.fetch_sub(1, std::memory_order_seq_cst);
    if (work) return true;
  }
  return false;
}

bool Executor::help() {
  Processor* here = this_thread_drives;
  if (here == nullptr) return false;
  if (eager_tasks().run_one(here)) return true;
  return work_on_runs(here, true);
}

namespace {

// A driver looks for work this long before it goes to sleep; at first
// without giving up its core (new work is usually microseconds away).
constexpr std::int64_t kSpinNs = 50'000;
constexpr std::int64_t kBusySpinNs = 5'000;

}  // namespace

// A helper that found nothing: yields at first, then sleeps a little longer
// each time (up to a millisecond), since what it waits for may be running
// elsewhere for a while.
void Executor::pause(unsigned idle_rounds) {
  if (idle_rounds < 64) {
    std::this_thread::yield();
  } else {
    const unsigned us = std::min(1000u, 1u << std::min(10u, (idle_rounds - 64) / 8));
    std::this_thread::sleep_for(std::chrono::microseconds(us));
  }
}

void Executor::driver_loop(Processor* processor) {
  this_thread_drives = processor;
  processor->on_driver_start();
  std::int64_t idle_since = 0;
  while (!stopping_.load(std::memory_order_acquire)) {
    bool ran = false;
    while (eager_tasks().run_one(processor)) ran = true;
    ran = work_on_runs(processor, false) || ran;
    if (ran) {
      idle_since = 0;
    } else {
      idle(idle_since, [&] { return any_work_for(processor); });
    }
  }
}

void Executor::add_worker_processor(Processor* p) {
  std::lock_guard lock(worker_processors_mutex_);
  if (std::find(worker_processors_->begin(), worker_processors_->end(), p) != worker_processors_->end()) return;
  auto next = std::make_shared<std::vector<Processor*>>(*worker_processors_);
  next->push_back(p);
  worker_processors_ = std::move(next);
}

std::shared_ptr<const std::vector<Processor*>> Executor::worker_processors() const {
  std::lock_guard lock(worker_processors_mutex_);
  return worker_processors_;
}

// A round over the worker processors: eager tasks placed there are sent,
// and each computation's worker slots send calls and take replies (one
// snapshot of the computations per round, each walking its own worker
// slots). Nothing here waits for a worker; two dispatchers share the slots
// (a slot that one holds, the other skips), so a move that blocks one does
// not stop all.
bool Executor::dispatch_round() {
  bool ran = false;
  const auto processors = worker_processors();  // held: the range of a for does not keep it alive
  for (Processor* p : *processors) {
    while (eager_tasks().run_one(p)) ran = true;
  }
  if (newest_attached_.load(std::memory_order_acquire) == 0) return ran;  // none attached
  const auto runs = snapshot();
  for (auto it = runs->rbegin(); it != runs->rend(); ++it) {
    Attached& entry = **it;
    entry.inside.fetch_add(1, std::memory_order_seq_cst);
    if (entry.attached.load(std::memory_order_seq_cst)) ran = entry.run->work_worker_slots() || ran;
    entry.inside.fetch_sub(1, std::memory_order_seq_cst);
  }
  return ran;
}

bool Executor::any_dispatch_work() {
  const auto processors = worker_processors();
  for (Processor* p : *processors) {
    if (eager_tasks().has_work(p)) return true;
  }
  const auto runs = snapshot();
  for (const auto& e : *runs) {
    Attached& entry = *e;
    entry.inside.fetch_add(1, std::memory_order_seq_cst);
    const bool work = entry.attached.load(std::memory_order_seq_cst) && entry.run->worker_slots_have_work();
    entry.inside.fetch_sub(1, std::memory_order_seq_cst);
    if (work) return true;
  }
  return false;
}

void Executor::dispatcher_loop() {
  std::int64_t idle_since = 0;
  while (!stopping_.load(std::memory_order_acquire)) {
    if (dispatch_round()) {
      idle_since = 0;
    } else {
      idle(idle_since, [&] { return any_dispatch_work(); });
    }
  }
}

template <class HasWork>
void Executor::idle(std::int64_t& idle_since, HasWork has_work) {
  const std::int64_t now = now_ns();
  if (idle_since == 0) idle_since = now;
  if (now - idle_since < kBusySpinNs) {
    for (int i = 0; i < 16; ++i) cpu_relax();
  } else if (now - idle_since < kSpinNs) {
    std::this_thread::yield();
  } else {
    sleep_unless(has_work);
    idle_since = 0;
  }
}

template <class HasWork>
void Executor::sleep_unless(HasWork has_work) {
  std::unique_lock lock(sleep_mutex_);
  sleepers_.fetch_add(1, std::memory_order_seq_cst);
  const std::uint64_t generation = wake_generation_;
  // Work queued between our last look and now is seen here, or its producer
  // sees us among the sleepers and bumps the generation.
  if (!has_work()) {
    sleep_cv_.wait(lock, [&] {
      return wake_generation_ != generation || stopping_.load(std::memory_order_acquire);
    });
  }
  sleepers_.fetch_sub(1, std::memory_order_seq_cst);
}

Executor& executor() {
  static Executor instance;
  return instance;
}

}  // namespace dagger::detail
