#include "scheduler/executor.hpp"

#include "scheduler/run.hpp"

namespace dagger::detail {
namespace {
thread_local bool this_thread_is_driver = false;
}

bool Executor::on_driver_thread() { return this_thread_is_driver; }

Executor::~Executor() {
  {
    std::lock_guard lock(sleep_mutex_);
    stopping_.store(true);
    ++wake_generation_;
  }
  sleep_cv_.notify_all();
  for (auto& driver : drivers_) driver->thread.join();
}

void Executor::start_missing_drivers() {
  for (Processor* p : all_processors()) {
    if (!p->executes()) continue;
    bool running = false;
    for (const auto& d : drivers_) running = running || d->processor == p;
    if (running) continue;
    auto driver = std::make_unique<Driver>();
    driver->processor = p;
    driver->thread = std::thread([this, p] { driver_loop(p); });
    drivers_.push_back(std::move(driver));
  }
}

void Executor::execute(Run& run) {
  start_missing_drivers();
  current_.store(&run, std::memory_order_seq_cst);
  {
    std::lock_guard lock(sleep_mutex_);
    ++wake_generation_;
  }
  sleep_cv_.notify_all();
  run.wait_until_finished();
  // Detach: once no driver is inside, none can still see this run.
  current_.store(nullptr, std::memory_order_seq_cst);
  while (inside_.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
}

void Executor::notify_work() {
  // A read-modify-write, not a load: it orders our queue push before the
  // read (a full barrier, which ThreadSanitizer also understands).
  if (sleepers_.fetch_add(0, std::memory_order_seq_cst) == 0) return;
  {
    std::lock_guard lock(sleep_mutex_);
    ++wake_generation_;
  }
  sleep_cv_.notify_all();
}

void Executor::driver_loop(Processor* processor) {
  this_thread_is_driver = true;
  processor->on_driver_start();
  while (!stopping_.load(std::memory_order_acquire)) {
    bool ran = false;
    inside_.fetch_add(1, std::memory_order_seq_cst);
    if (Run* run = current_.load(std::memory_order_seq_cst)) {
      int slot = run->slot_of(processor);
      if (slot >= 0) ran = run->work(slot);
    }
    inside_.fetch_sub(1, std::memory_order_seq_cst);
    if (!ran) sleep(processor);
  }
}

void Executor::sleep(Processor* processor) {
  std::unique_lock lock(sleep_mutex_);
  sleepers_.fetch_add(1, std::memory_order_seq_cst);
  const std::uint64_t generation = wake_generation_;
  // Work queued between our last look and now is seen here, or its producer
  // sees us among the sleepers and bumps the generation.
  bool work = false;
  inside_.fetch_add(1, std::memory_order_seq_cst);
  if (Run* run = current_.load(std::memory_order_seq_cst)) {
    int slot = run->slot_of(processor);
    work = slot >= 0 && run->has_work_for(slot);
  }
  inside_.fetch_sub(1, std::memory_order_seq_cst);
  if (!work) {
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
