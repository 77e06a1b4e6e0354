// A queue of ready tasks (record indices) of one processor. The owner takes
// from the back (depth-first: the newest ready task, whose inputs are hot),
// thieves from the front (the oldest, usually the largest remaining work).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>

namespace dagger::detail {

class TaskQueue {
 public:
  void push(std::uint32_t task) {
    std::lock_guard lock(mutex_);
    tasks_.push_back(task);
    size_.store(tasks_.size(), std::memory_order_release);
  }
  bool pop_back(std::uint32_t& task) { return pop(task, true); }
  bool pop_front(std::uint32_t& task) { return pop(task, false); }
  bool empty() const { return size_.load(std::memory_order_acquire) == 0; }

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
