// The driver threads: one per executing processor of this process, started
// on first use and kept for the life of the process. A driver runs eager
// tasks queued for its processor and the tasks of every computation (Run) in
// progress, newest computation first, and sleeps when there is nothing.
//
// Processors of worker processes launch a task and report its end through a
// callback, so no driver thread waits on one: a fixed number of dispatcher
// threads serve all of them, sending calls and taking replies. The driver's
// thread count does not grow with the number of workers.
//
// Any number of computations run at once: each caller's Run is attached
// here until it is finished. A thread that waits inside a running task (a
// nested compute, a fetch of another task) does not block its processor: it
// helps, running other work until what it waits for is done.
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
  // Starts a driver for every executing processor of this process that has
  // none yet, and the dispatchers once a worker processor exists.
  void start_missing_drivers();
  // True on a driver thread; the processor it drives (null elsewhere).
  static bool on_driver_thread();
  static Processor* driver_processor();
  // One round of other work for a driver thread that waits: eager tasks of
  // its processor, or tasks of a computation it is not already inside.
  // False when there was none.
  bool help();
  // A waiter that found nothing to do: yields at first, then sleeps a
  // little longer each round, up to a millisecond.
  static void pause(unsigned idle_rounds);
  // Helps until `done()`: for a driver thread that must wait inside a task.
  template <class Done>
  void help_until(Done done) {
    for (unsigned idle = 0; !done();) {
      if (help()) {
        idle = 0;
      } else {
        pause(idle++);
      }
    }
  }
  // A driver of `processor` inside a computation comes out to look at newer
  // work: an attached computation newer than `generation`, or eager tasks
  // it may run.
  bool newer_work(std::uint64_t generation, const Processor* processor) const;

 private:
  // A computation drivers may work on. `inside` counts the drivers in it;
  // once detached, none enters, and the caller waits for inside to drop
  // to zero before the Run is destroyed.
  struct Attached {
    Run* run;
    std::atomic<int> inside{0};
    std::atomic<bool> attached{true};
  };
  using Snapshot = std::vector<std::shared_ptr<Attached>>;  // oldest first

  struct Driver {
    Processor* processor;
    std::thread thread;
  };
  // Threads that serve every processor of every worker process.
  static constexpr int kDispatchers = 2;
  void driver_loop(Processor* processor);
  void dispatcher_loop();
  bool dispatch_round();
  bool any_dispatch_work();
  // Sleeps until notify_work, unless `has_work` (checked after counting
  // itself among the sleepers) finds some.
  template <class HasWork>
  void sleep_unless(HasWork has_work);
  // After a round that found nothing: busy at first, then yielding, then
  // asleep. `idle_since` is 0 after a round that did find work.
  template <class HasWork>
  void idle(std::int64_t& idle_since, HasWork has_work);
  // Works on the attached computations, newest first; true if it ran a task.
  bool work_on_runs(Processor* processor, bool skip_entered);
  bool any_work_for(Processor* processor);
  std::shared_ptr<const Snapshot> snapshot() const;
  void attach(const std::shared_ptr<Attached>& entry);
  void detach(const std::shared_ptr<Attached>& entry);

  std::mutex drivers_mutex_;
  std::vector<std::unique_ptr<Driver>> drivers_;
  std::vector<std::thread> dispatchers_;
  // The processors of worker processes, as the dispatchers see them.
  void add_worker_processor(Processor* p);
  std::shared_ptr<const std::vector<Processor*>> worker_processors() const;
  mutable std::mutex worker_processors_mutex_;
  std::shared_ptr<const std::vector<Processor*>> worker_processors_ = std::make_shared<const std::vector<Processor*>>();

  mutable std::mutex runs_mutex_;
  std::shared_ptr<const Snapshot> runs_ = std::make_shared<const Snapshot>();
  std::atomic<std::uint64_t> generation_{0};       // attaches so far
  std::atomic<std::uint64_t> newest_attached_{0};  // generation of the newest attached run

  std::atomic<int> sleepers_{0};
  std::mutex sleep_mutex_;
  std::condition_variable sleep_cv_;
  std::uint64_t wake_generation_ = 0;
  std::atomic<bool> stopping_{false};
};

Executor& executor();

}  // namespace dagger::detail
