// A lock for critical sections of a few instructions (a queue push or pop):
// cheaper than a mutex when free or briefly held. A waiter that spins too
// long yields its core, since the holder may have been descheduled.
#pragma once

#include <atomic>
#include <thread>

#include "scheduler/cpu_relax.hpp"

namespace dagger::detail {

class SpinLock {
 public:
  void lock() noexcept {
    for (unsigned spins = 0;; ++spins) {
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
      while (locked_.load(std::memory_order_relaxed)) {
        if (++spins < 64) {
          cpu_relax();
        } else {
          std::this_thread::yield();
        }
      }
    }
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

}  // namespace dagger::detail
