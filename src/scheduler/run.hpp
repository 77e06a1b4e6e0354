// One computation: the records of every thunk it must run, the policy that
// orders and places them, and what it produced.
//
// The policy is Dask's: leaves first; one task per processor at a time;
// when a task finishes, the processor that ran it takes the task its result
// just made ready (depth first, inputs still hot, memory low); every result
// is released as soon as its last consumer has run, unless it is a head or
// kept by persist/cache. Thunks that any CPU thread may run sit in
// per-processor queues that idle threads steal from; thunks with several
// versions or a restricted scope are placed on one processor by a cost model
// (queued work + moving inputs + learned runtime).
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
#include <unordered_map>
#include <vector>

#include "dagger/compute.hpp"
#include "dagger/context.hpp"
#include "dagger/detail/thunk_node.hpp"
#include "dagger/events.hpp"
#include "processors/remote.hpp"
#include "scheduler/task_queue.hpp"

namespace dagger::detail {

inline constexpr std::uint32_t kNone = 0xFFFFFFFFu;

std::int64_t now_ns();

// Results that outlived a failed run, by thunk: the next run starts from
// them instead of computing them again.
using CarriedResults = std::unordered_map<const ThunkNode*, ChunkPtr>;

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

  // --- called by driver threads
  // Slot of `processor` in this run, or -1 if it does not take part.
  int slot_of(const Processor* processor) const;
  // Runs tasks for the slot until none is left; true if it ran any.
  bool work(int slot);
  bool has_work_for(int slot) const;
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  // The executor's generation when this run was attached: a driver inside
  // it comes out when a newer computation arrives.
  void set_generation(std::uint64_t generation) { generation_ = generation; }
  std::uint64_t generation() const { return generation_; }

  std::size_t task_count() const { return total_tasks_; }

 private:
  enum class Placement : std::uint8_t { any_cpu, pinned };

  struct Record {
    ThunkNode* node = nullptr;
    std::atomic<std::uint32_t> pending{0};         // dependencies not done
    std::atomic<std::uint32_t> consumers_left{0};  // consumer edges not done
    std::uint32_t consumers_begin = 0;
    std::uint32_t consumers_end = 0;
    std::uint32_t deps_begin = 0;                  // into dep_records_
    std::uint32_t candidates = kNone;              // into candidates_ (pinned)
    std::int64_t estimate_ns = 0;                  // charged to its processor's load
    bool retained = false;                         // head, persist or cache
    bool known = false;                            // result existed before the run
    Placement placement = Placement::any_cpu;
    ChunkPtr result;
    std::vector<ChunkPtr> replicas;                // copies in other spaces
  };

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
    static constexpr std::size_t kMaxInFlight = 8;
    std::mutex serving;  // held by the dispatcher serving the slot
    std::vector<InFlight> in_flight;
    std::atomic<std::size_t> in_flight_count{0};
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
    Processor* processor = nullptr;
    MemorySpace* memory = nullptr;
    bool steals = false;  // a CPU thread of this process: shares any_cpu tasks
    bool in_worker = false;  // a thread of a worker process: runs there
    std::unique_ptr<RemoteSlot> remote;  // set when in_worker
    TaskQueue local;      // any_cpu tasks
    TaskQueue inbox;      // tasks placed on this processor
    std::atomic<std::int64_t> load_ns{0};
    std::vector<Timespan> events;
  };

  void build(std::vector<NodePtr> heads, CarriedResults carried);
  // Waits for the eager tasks the graph reads and takes their results.
  void await_tasks();
  void classify(Record& record);
  [[noreturn]] void throw_no_processor(const Record& record, const char* why) const;

  bool find_task(int slot, std::uint32_t& task);
  bool frees_inputs(std::uint32_t task) const;
  bool take_freeing_task(std::uint32_t& task);
  void run_chain(int slot, std::uint32_t task);
  std::uint32_t execute(int slot, std::uint32_t task);
  std::uint32_t complete(int slot, std::uint32_t task, ChunkPtr result, std::int64_t start, std::int64_t run_ns);
  bool work_remote(int slot);
  void launch_remote(int slot, std::uint32_t task);
  void take_reply(int slot, RemoteSlot::Arrived& reply);
  std::size_t version_for(int slot, const ThunkNode& node) const;
  void dispatch(std::uint32_t task, int from_slot);
  int choose_slot(Record& record);
  void release_inputs(std::uint32_t task);
  std::uint32_t release_consumers(int slot, std::uint32_t task);
  const ChunkPtr& input_chunk(const Record& record, std::uint32_t dep) const;
  ChunkPtr replica(int slot, std::uint32_t task, std::uint32_t dep);
  void fail(int slot, std::uint32_t task, std::exception_ptr error);
  void finish();
  void report_done(int slot);
  bool no_slot_in_task() const;
  void record_event(int slot, Category category, std::uint64_t id, std::int64_t start,
                    std::size_t bytes, std::size_t allocations);

  const Context& context_;
  const bool record_events_;
  std::vector<NodePtr> heads_;
  std::vector<std::uint32_t> head_records_;

  std::unique_ptr<Record[]> records_;
  std::size_t record_count_ = 0;
  std::vector<std::uint32_t> dep_records_;   // per dependency edge: record or kNone
  std::vector<std::uint32_t> consumers_;     // CSR: consumer record per edge
  std::vector<std::vector<std::uint16_t>> candidates_;
  std::vector<std::uint32_t> initially_ready_;
  std::vector<std::uint32_t> task_records_;  // eager tasks the graph reads
  std::uint64_t generation_ = 0;

  std::unique_ptr<Slot[]> slots_;
  std::size_t slot_count_ = 0;
  std::vector<int> stealing_slots_;
  std::vector<int> worker_slots_;
  std::vector<std::string> lost_processors_;  // in the context, but their worker is lost
  std::atomic<std::uint32_t> round_robin_{0};

  std::size_t total_tasks_ = 0;
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
  std::vector<Timespan> caller_events_;
  std::int64_t started_ns_ = 0;
};

}  // namespace dagger::detail
