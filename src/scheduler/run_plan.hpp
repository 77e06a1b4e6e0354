// The plan of one computation: its graph flattened into records in
// dependency order, with the edges both ways as index arrays. Built once,
// before anything runs; the counters in each record then change as tasks
// finish, and nothing else does.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "dagger/detail/thunk_node.hpp"

namespace dagger::detail {

inline constexpr std::uint32_t kNone = 0xFFFFFFFFu;

// Results that outlived a failed run, by thunk: the next run starts from
// them instead of computing them again.
using CarriedResults = std::unordered_map<const ThunkNode*, ChunkPtr>;

// Where a ready task may go: any CPU thread of this process (queued where
// it was made ready, stolen by idle threads), or one processor that
// placement chose among its candidates.
enum class Placement : std::uint8_t { any_cpu, pinned };

struct RunRecord {
  ThunkNode* node = nullptr;
  std::atomic<std::uint32_t> pending{0};         // dependencies not done
  std::atomic<std::uint32_t> consumers_left{0};  // consumer edges not done
  std::uint32_t consumers_begin = 0;             // into RunPlan::consumers
  std::uint32_t consumers_end = 0;
  std::uint32_t deps_begin = 0;                  // into RunPlan::producers
  std::uint32_t candidates = kNone;              // placement's list (pinned)
  std::int64_t estimate_ns = 0;                  // charged to its processor's load
  bool retained = false;                         // head, persist or cache
  bool known = false;                            // result existed before the run
  Placement placement = Placement::any_cpu;
  ChunkPtr result;
  std::vector<ChunkPtr> replicas;                // copies in other spaces
};

struct RunPlan {
  // Flattens the graph under `heads`. A thunk whose result is kept
  // (persist, cache, or carried from a failed run) and an eager task are
  // leaves whose result is known. Marks the nodes (run_epoch, run_index):
  // callers build one plan at a time.
  RunPlan(std::vector<NodePtr> heads, CarriedResults carried);

  // The producer record of a record's k-th dependency, or kNone for a
  // user's Chunk.
  std::uint32_t producer(const RunRecord& record, std::size_t k) const { return producers[record.deps_begin + k]; }
  // The chunk a record's k-th dependency reads.
  const ChunkPtr& input(const RunRecord& record, std::size_t k) const {
    const std::uint32_t d = producer(record, k);
    return d == kNone ? record.node->deps[k].chunk : records[d].result;
  }

  std::vector<NodePtr> heads;
  std::vector<std::uint32_t> head_records;
  std::unique_ptr<RunRecord[]> records;
  std::size_t record_count = 0;
  std::vector<std::uint32_t> producers;        // per dependency edge: record or kNone
  std::vector<std::uint32_t> consumers;        // per consumer edge: the consumer record
  std::vector<std::uint32_t> initially_ready;  // records to run with no dependency pending
  std::vector<std::uint32_t> task_records;     // eager tasks the graph reads
  std::size_t total_tasks = 0;                 // records to run
};

}  // namespace dagger::detail
