// The driver threads: one per executing processor, started on first use and
// kept for the life of the process. A driver runs tasks of the current Run
// for its processor and sleeps when there are none.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "dagger/processor.hpp"

namespace dagger::detail {

class Run;

class Executor {
 public:
  Executor() = default;
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Runs `run` on the drivers of its processors and returns when it is
  // finished (completed or failed) and no driver touches it any more.
  void execute(Run& run);
  // Wakes sleeping drivers: new tasks were queued.
  void notify_work();
  // True on a driver thread (where a blocking compute would deadlock).
  static bool on_driver_thread();

 private:
  struct Driver {
    Processor* processor;
    std::thread thread;
  };
  void start_missing_drivers();
  void driver_loop(Processor* processor);
  void sleep(Processor* processor);

  std::vector<std::unique_ptr<Driver>> drivers_;
  std::atomic<Run*> current_{nullptr};
  std::atomic<int> inside_{0};
  std::atomic<int> sleepers_{0};
  std::mutex sleep_mutex_;
  std::condition_variable sleep_cv_;
  std::uint64_t wake_generation_ = 0;
  std::atomic<bool> stopping_{false};
};

Executor& executor();

}  // namespace dagger::detail
