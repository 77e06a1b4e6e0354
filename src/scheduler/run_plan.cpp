#include "scheduler/run_plan.hpp"

#include <mutex>
#include <string>

#include "dagger/errors.hpp"
#include "dagger/processor.hpp"
#include "scheduler/result_cache.hpp"

namespace dagger::detail {
namespace {

ChunkPtr result_kept_by(ThunkNode& node) {
  if (!node.options().persist && !node.options().cache) return nullptr;
  std::lock_guard lock(retained_mutex_for(node.id));
  ChunkPtr kept = node.persisted ? node.persisted : node.cached.lock();
  if (kept && kept->space->lost()) {
    // Its worker died: compute it again from its lineage.
    node.persisted.reset();
    node.cached.reset();
    return nullptr;
  }
  return kept;
}

}  // namespace

RunPlan::RunPlan(std::vector<NodePtr> heads_in, CarriedResults carried) : heads(std::move(heads_in)) {
  static std::uint64_t epoch_counter = 0;  // plans are built one at a time
  const std::uint64_t epoch = ++epoch_counter;

  // Iterative post-order walk: dependencies get smaller indices than their
  // consumers. A node whose result is kept (persist/cache) is a leaf.
  std::vector<ThunkNode*> order;
  std::vector<std::pair<std::uint32_t, ChunkPtr>> known;  // results kept from earlier runs
  std::vector<std::uint32_t> carried_here;                 // those carried over from a failed run
  struct Frame {
    ThunkNode* node;
    std::size_t next_dep;
  };
  std::vector<Frame> stack;
  auto visit = [&](ThunkNode* node) {
    node->run_epoch = epoch;
    if (node->task) {
      // An eager task: its result is an input, there once it finished.
      node->run_index = static_cast<std::uint32_t>(order.size());
      task_records.push_back(node->run_index);
      known.emplace_back(node->run_index, nullptr);
      order.push_back(node);
      return;
    }
    ChunkPtr kept = result_kept_by(*node);
    if (!kept) {
      if (auto it = carried.find(node); it != carried.end() && !it->second->space->lost()) {
        kept = std::move(it->second);
        carried_here.push_back(static_cast<std::uint32_t>(order.size()));
      }
    }
    if (kept) {
      node->run_index = static_cast<std::uint32_t>(order.size());
      known.emplace_back(node->run_index, std::move(kept));
      order.push_back(node);
    } else {
      stack.push_back({node, 0});
    }
  };
  for (const NodePtr& head : heads) {
    if (head->run_epoch != epoch) visit(head.get());
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next_dep < top.node->deps.size()) {
        const Dep& dep = top.node->deps[top.next_dep++];
        if (dep.thunk && dep.thunk->run_epoch != epoch) visit(dep.thunk.get());
      } else {
        ThunkNode* done = top.node;
        stack.pop_back();
        if (order.size() >= kNone) throw UsageError("a computation may have at most 2^32-1 thunks");
        done->run_index = static_cast<std::uint32_t>(order.size());
        order.push_back(done);
      }
    }
  }

  record_count = order.size();
  records = std::make_unique<RunRecord[]>(record_count);
  for (auto& [index, chunk] : known) {
    records[index].result = std::move(chunk);
    records[index].known = true;
    records[index].retained = true;
  }
  // Carried results are let go when their last consumer has run, like
  // results made in this run (unless they are heads).
  for (std::uint32_t index : carried_here) records[index].retained = false;
  std::vector<std::uint32_t> consumer_count(record_count, 0);
  for (std::size_t i = 0; i < record_count; ++i) {
    RunRecord& r = records[i];
    r.node = order[i];
    r.deps_begin = static_cast<std::uint32_t>(producers.size());
    if (r.known) continue;
    r.retained = r.node->options().persist || r.node->options().cache;
    std::uint32_t pending = 0;
    for (const Dep& dep : r.node->deps) {
      if (dep.chunk && dep.chunk->space->lost()) {
        throw WorkerLost(dep.chunk->space->name(), "a chunk thunk " + std::to_string(r.node->id) + " (" +
                                                       r.node->name() + ") reads was held there, and a chunk "
                                                       "made outside a computation cannot be computed again");
      }
      if (dep.thunk) {
        std::uint32_t d = dep.thunk->run_index;
        producers.push_back(d);
        ++consumer_count[d];
        if (!records[d].known) ++pending;
      } else {
        producers.push_back(kNone);
      }
    }
    r.pending.store(pending, std::memory_order_relaxed);
    ++total_tasks;
  }
  if (producers.size() >= kNone) throw UsageError("a computation may have at most 2^32-1 edges");

  // Consumers as compressed rows: consumers[begin, end) of each record.
  std::uint32_t offset = 0;
  for (std::size_t i = 0; i < record_count; ++i) {
    records[i].consumers_begin = records[i].consumers_end = offset;
    records[i].consumers_left.store(consumer_count[i], std::memory_order_relaxed);
    offset += consumer_count[i];
  }
  consumers.resize(offset);
  for (std::size_t i = 0; i < record_count; ++i) {
    const RunRecord& r = records[i];
    if (r.known) continue;
    for (std::size_t k = 0; k < r.node->deps.size(); ++k) {
      std::uint32_t d = producers[r.deps_begin + k];
      if (d != kNone) consumers[records[d].consumers_end++] = static_cast<std::uint32_t>(i);
    }
  }

  for (const NodePtr& head : heads) {
    head_records.push_back(head->run_index);
    records[head->run_index].retained = true;
  }
  for (std::size_t i = 0; i < record_count; ++i) {
    RunRecord& r = records[i];
    if (r.known) continue;
    if (r.pending.load(std::memory_order_relaxed) == 0) {
      initially_ready.push_back(static_cast<std::uint32_t>(i));
    }
  }
}

}  // namespace dagger::detail
