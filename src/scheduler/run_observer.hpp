// What watches a computation while it runs. The scheduler reports spans of
// work (tasks, moves, scheduling) to one observer, or to none: with none, a
// task costs a null test and no clock read. An observer is called on the
// thread of the slot the span belongs to, one thread per slot at a time
// (slot -1: the thread that started the computation), so it can keep what
// it sees per slot without locks.
//
// The event recorder behind debug_compute is one; a live view would be
// another.
#pragma once

#include <cstddef>
#include <vector>

#include "dagger/events.hpp"

namespace dagger::detail {

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_span(int slot, const Timespan& span) = 0;
};

// Keeps every span, per slot, for debug_compute.
class EventRecorder final : public RunObserver {
 public:
  explicit EventRecorder(std::size_t slots) : per_slot_(slots) {}
  void on_span(int slot, const Timespan& span) override {
    (slot >= 0 ? per_slot_[static_cast<std::size_t>(slot)] : caller_).push_back(span);
  }
  // Spans recorded elsewhere (the chunk store's spills), on the caller's thread.
  void add(const std::vector<Timespan>& spans) { caller_.insert(caller_.end(), spans.begin(), spans.end()); }
  // Everything, in order of start; called once the computation is over.
  std::vector<Timespan> take();

 private:
  std::vector<std::vector<Timespan>> per_slot_;
  std::vector<Timespan> caller_;
};

}  // namespace dagger::detail
