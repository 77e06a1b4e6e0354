// A queue of ready tasks (record indices) of one processor. The owner takes
// from the back (depth-first: the newest ready task, whose inputs are hot),
// thieves from the front (the oldest, usually the largest remaining work).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <iterator>
#include <mutex>

namespace dagger::detail {

class TaskQueue {
 public:
  // The size is stored and read seq_cst: a pusher then reads the
  // executor's sleeper count, and a driver going to sleep first counts
  // itself and then reads the size, so one of them sees the other.
  void push(std::uint32_t task) {
    std::lock_guard lock(mutex_);
    tasks_.push_back(task);
    size_.store(tasks_.size(), std::memory_order_seq_cst);
  }
  // Puts back a task taken from the front.
  void push_front(std::uint32_t task) {
    std::lock_guard lock(mutex_);
    tasks_.push_front(task);
    size_.store(tasks_.size(), std::memory_order_seq_cst);
  }
  bool pop_back(std::uint32_t& task) { return pop(task, true); }
  bool pop_front(std::uint32_t& task) { return pop(task, false); }
  bool empty() const { return size_.load(std::memory_order_seq_cst) == 0; }
  // Takes the newest of the last `look_ahead` tasks that satisfies `wanted`.
  template <class Predicate>
  bool take_newest_matching(Predicate wanted, std::size_t look_ahead, std::uint32_t& task) {
    if (empty()) return false;
    std::lock_guard lock(mutex_);
    std::size_t seen = 0;
    for (auto it = tasks_.rbegin(); it != tasks_.rend() && seen < look_ahead; ++it, ++seen) {
      if (wanted(*it)) {
        task = *it;
        tasks_.erase(std::next(it).base());
        size_.store(tasks_.size(), std::memory_order_release);
        return true;
      }
    }
    return false;
  }

 private:
  bool pop(std::uint32_t& task, bool back) {
    if (empty()) return false;
    std::lock_guard lock(mutex_);
    if (tasks_.empty()) return false;
    if (back) {
      task = tasks_.back();
      tasks_.pop_back();
    } else {
      task = tasks_.front();
      tasks_.pop_front();
    }
    size_.store(tasks_.size(), std::memory_order_release);
    return true;
  }

  std::mutex mutex_;
  std::deque<std::uint32_t> tasks_;
  std::atomic<std::size_t> size_{0};
};

}  // namespace dagger::detail
