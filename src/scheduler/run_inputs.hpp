// The inputs of one task, each in the memory space of its processor: kept
// in memory (reloaded if spilled) until the task is done, and moved there
// first when they live elsewhere (Run::replica, run_inputs.cpp).
#pragma once

#include <vector>

#include "scheduler/run.hpp"
#include "memory/chunk_store.hpp"

namespace dagger::detail {

class Run::Args final : public InvokeArgs {
  static constexpr std::size_t kInline = 8;

 public:
  Args(Run& run, int slot, std::uint32_t task) : run_(run), record_(run.plan_.records[task]) {
    const std::size_t n = record_.node->deps.size();
    if (n > kInline) heap_.resize(n);
    inputs_ = n > kInline ? heap_.data() : inline_;
    MemorySpace* here = run.slots_[slot].memory;
    for (std::uint32_t k = 0; k < n; ++k) {
      const ChunkPtr& chunk = run.plan_.input(record_, k);
      pinned_.add(*chunk);  // in memory (reloaded if spilled) until the task is done
      if (chunk->space == here) {
        inputs_[k] = &chunk;
      } else {
        if (moved_.capacity() == 0) moved_.reserve(n);  // pointers into it stay valid
        moved_.push_back(run.replica(slot, task, k));
        inputs_[k] = &moved_.back();
      }
    }
  }

  Value& value(std::uint32_t dep) override { return (*inputs_[dep])->value; }
  std::vector<const ChunkPtr*> inputs() const {
    return std::vector<const ChunkPtr*>(inputs_, inputs_ + record_.node->deps.size());
  }
  const ChunkPtr& chunk(std::uint32_t dep) override { return *inputs_[dep]; }
  bool may_take(std::uint32_t dep) override {
    std::uint32_t d = run_.plan_.producers[record_.deps_begin + dep];
    if (d == kNone) return false;  // a user's Chunk: never taken
    const RunRecord& producer = run_.plan_.records[d];
    return !producer.retained && producer.consumers_left.load(std::memory_order_acquire) == 1;
  }

 private:
  Run& run_;
  RunRecord& record_;
  const ChunkPtr* inline_[kInline];
  std::vector<const ChunkPtr*> heap_;
  const ChunkPtr** inputs_;
  PinnedInputs pinned_;
  std::vector<ChunkPtr> moved_;
};

}  // namespace dagger::detail
