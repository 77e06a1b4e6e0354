// One computation: its plan, the slots (one per processor of its context)
// that run it, and what it produced. The pieces, one file each:
//
//   run_plan.cpp      the graph flattened into records and edges
//   policy.cpp        Dask's rules: which ready task runs next and where a
//                     newly ready one goes, and the memory rule
//   placement.cpp     which processor a pinned task goes to: the cost model
//   run_inputs.hpp    a task's inputs, moved into its processor's memory
//   worker_slots.cpp  slots on worker processes: calls in flight, replies
//   run.cpp           the loop of a slot, completion, failure, the outcome
//   recovery.cpp      run_graph: a lost worker's results computed again
//   run_observer.hpp  what watches it (the events of debug_compute)
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dagger/compute.hpp"
#include "dagger/context.hpp"
#include "dagger/detail/thunk_node.hpp"
#include "core/clock.hpp"
#include "core/live_view.hpp"
#include "dagger/events.hpp"
#include "dagger/detail/remote_processor.hpp"
#include "scheduler/run_observer.hpp"
#include "scheduler/run_plan.hpp"
#include "scheduler/task_queue.hpp"

namespace dagger::detail {

class Run {
 public:
  Run(const Context& context, std::vector<NodePtr> heads, bool record_events, CarriedResults carried = {});
  ~Run();
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  // --- called by the caller's thread
  void seed();                 // queue the ready leaves
  void wait_until_finished();  // block (drawing progress if asked)
  RunOutcome take_outcome();   // results, or throws the first error
  // After a failed run: the results it still holds outside lost workers.
  CarriedResults surviving_results() const;

  // --- called by driver threads and dispatchers
  // Slot of `processor` in this run, or -1 if it does not take part.
  int slot_of(const Processor* processor) const;
  // Runs tasks for the slot until none is left (a worker slot: one round of
  // sends and replies); true if it did anything.
  bool work(int slot);
  bool has_work_for(int slot) const;
  // For a dispatcher: one round on every worker slot of this run (each
  // found directly, not by processor); true if any did something.
  bool work_worker_slots();
  bool worker_slots_have_work() const;
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  // The executor's generation when this run was attached: a driver inside
  // it comes out when a newer computation arrives.
  void set_generation(std::uint64_t generation) { generation_ = generation; }
  std::uint64_t generation() const { return generation_; }

  std::size_t task_count() const { return plan_.total_tasks; }

 private:
  class Args;

  // A call sent to a worker, until its reply: its inputs stay pinned and
  // their replicas alive.
  struct InFlight {
    std::uint32_t task;
    std::int64_t start;
    std::unique_ptr<Args> args;
  };
  // A worker slot's calls: those in flight, and the replies that came back
  // (from the transport thread) and wait for a dispatcher.
  struct RemoteSlot {
    struct Arrived {
      std::uint32_t task;
      RemoteOutcome outcome;
    };
    // How many calls may be out at once: enough to keep about kWorkInFlight
    // of the worker's time queued, so that tiny tasks overlap their round
    // trips (a loopback round trip costs tens to hundreds of microseconds)
    // while long ones are not committed far ahead. Until a reply tells the
    // tasks' run time, kFirstWindow.
    static constexpr std::size_t kFirstWindow = 8;
    static constexpr std::size_t kMinWindow = 2;
    static constexpr std::size_t kMaxWindow = 64;
    static constexpr double kWorkInFlightNs = 2e6;
    std::mutex serving;  // held by the dispatcher serving the slot
    std::vector<InFlight> in_flight;
    std::atomic<std::size_t> in_flight_count{0};
    std::atomic<std::size_t> window{kFirstWindow};
    double mean_run_ns = -1;  // of the replies so far (moving average); by the serving dispatcher
    void learn_run_time(std::int64_t run_ns);
    std::mutex arrived_mutex;
    std::deque<Arrived> arrived;
    std::atomic<std::size_t> arrived_count{0};
    void deliver(std::uint32_t task, RemoteOutcome outcome);
  };

  struct alignas(64) Slot {
    // Set by this slot's driver while it runs tasks; read by others only to
    // detect the end of a failed run.
    std::atomic<bool> in_task{false};
    std::size_t unreported_done = 0;  // tasks finished, not yet taken off remaining_
    // Untimed tasks of one function not yet told to the live view.
    std::uint32_t live_function = 0;
    std::uint64_t live_untimed = 0;
    Processor* processor = nullptr;
    MemorySpace* memory = nullptr;
    bool steals = false;  // a CPU thread of this process: shares any_cpu tasks
    bool in_worker = false;  // a thread of a worker process: runs there
    std::unique_ptr<RemoteSlot> remote;  // set when in_worker
    TaskQueue local;      // any_cpu tasks
    TaskQueue inbox;      // tasks placed on this processor
    std::atomic<std::int64_t> load_ns{0};
  };

  // Plans under a lock: building marks the nodes, so one at a time. Plans
  // take microseconds per thousand thunks and then run at once.
  static RunPlan plan_alone(std::vector<NodePtr> heads, CarriedResults carried);
  // Waits for the eager tasks the graph reads and takes their results.
  void await_tasks();

  // --- policy.cpp
  bool find_task(int slot, std::uint32_t& task);
  bool frees_inputs(std::uint32_t task) const;
  bool take_freeing_task(std::uint32_t& task);
  void dispatch(std::uint32_t task, int from_slot);
  void release_inputs(std::uint32_t task);
  std::uint32_t release_consumers(int slot, std::uint32_t task);

  // --- placement.cpp
  void classify(RunRecord& record);
  [[noreturn]] void throw_no_processor(const RunRecord& record, const char* why) const;
  int choose_slot(RunRecord& record);
  std::size_t version_for(int slot, const ThunkNode& node) const;

  // --- run_inputs.hpp
  ChunkPtr replica(int slot, std::uint32_t task, std::uint32_t dep);

  // --- worker_slots.cpp
  bool work_remote(int slot);
  void launch_remote(int slot, std::uint32_t task);
  void take_reply(int slot, RemoteSlot::Arrived& reply);

  // --- run.cpp
  void run_chain(int slot, std::uint32_t task);
  std::uint32_t execute(int slot, std::uint32_t task);
  // `spanned`: the task's span is reported (wants_span said so); else the
  // live view, if any, only counts it.
  std::uint32_t complete(int slot, std::uint32_t task, ChunkPtr result, std::int64_t start, std::int64_t run_ns,
                         bool spanned);
  // Whether a task starting now is to be timed for the observer or the live view.
  bool wants_span() const noexcept { return observer_ || (live_ && live_->times_next_span()); }
  void fail(int slot, std::uint32_t task, std::exception_ptr error);
  void finish();
  void report_done(int slot);
  void report_untimed(Slot& me);  // tells the live view the slot's untimed tasks
  bool no_slot_in_task() const;
  // Tells the observer, if there is one.
  void observe(int slot, Category category, std::uint64_t id, std::int64_t start, std::size_t bytes,
               std::size_t allocations, std::string_view function = {});
  // Tells the observer and the live view that a task ran or data moved.
  void observe_work(int slot, Category category, const ThunkNode* node, std::uint64_t id, std::int64_t start,
                    std::size_t bytes);
  void report_started(FunctionTotals totals);  // numbered as live_functions_ says
  void report_finished(std::string_view error);
  std::vector<const ThunkNode*> live_tasks() const;  // the tasks the live view is told of
  // A graph the view refused at the start (another computation's was drawn
  // in that period) is offered again as tasks complete, once per period.
  void offer_graph_if_due() {
    const std::uint64_t refused = graph_refused_in_.load(std::memory_order_relaxed);
    if (refused != kGraphNotOwed && refused != live_->period()) offer_graph(refused);
  }
  void offer_graph(std::uint64_t refused);

  const Context& context_;
  const std::int64_t started_ns_;
  std::unique_ptr<EventRecorder> recorder_;  // debug_compute's
  RunObserver* observer_ = nullptr;          // null: nobody watches
  LiveView* live_ = nullptr;                 // the dashboard's, if one is on
  std::uint64_t computation_ = 0;            // its number for the live view
  std::vector<std::uint32_t> live_functions_;  // per record: its function's number for the live view
  bool live_finished_ = false;
  static constexpr std::uint64_t kGraphNotOwed = ~std::uint64_t{0};
  std::atomic<std::uint64_t> graph_refused_in_{kGraphNotOwed};  // the period the view refused our graph in

  std::unique_ptr<Slot[]> slots_;
  std::size_t slot_count_ = 0;
  std::vector<int> stealing_slots_;
  std::vector<int> worker_slots_;
  std::vector<std::string> lost_processors_;  // in the context, but their worker is lost

  RunPlan plan_;
  std::vector<std::vector<std::uint16_t>> candidates_;  // placement's, per pinned record
  std::uint64_t generation_ = 0;
  std::atomic<std::uint32_t> round_robin_{0};

  std::atomic<std::size_t> remaining_{0};
  std::atomic<bool> failed_{false};
  std::atomic<bool> finished_{false};
  std::mutex error_mutex_;
  std::exception_ptr error_;
  bool error_is_worker_lost_ = false;

  std::array<std::mutex, 64> replica_locks_;
  std::mutex chunk_replicas_mutex_;
  std::vector<std::pair<const ChunkData*, ChunkPtr>> chunk_replicas_;  // user chunks moved for this run

  std::mutex done_mutex_;
  std::condition_variable done_cv_;
};

}  // namespace dagger::detail
