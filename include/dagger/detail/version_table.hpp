// The versions of one operation for kinds of processor other than the CPU,
// registered at run time (see dagger/operation.hpp).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <mutex>
#include <optional>

#include "dagger/proc_kind.hpp"

namespace dagger::detail {

[[noreturn]] void throw_version_table_full(const char* operation);

// Written rarely (a backend registers at start-up), read for every block an
// array operation builds: readers take no lock. An entry is filled before
// the count that publishes it, and a replaced function is one atomic store.
template <class Function, class Accepts>
class VersionTable {
 public:
  static constexpr std::size_t capacity = 7;

  struct Entry {
    Function function = nullptr;
    Accepts accepts = nullptr;
  };

  // `accepts`, when given, says whether the version can serve a call's
  // request (a cuBLAS product takes only double and float blocks).
  void add(const char* operation, ProcKind kind, Function function, Accepts accepts) {
    std::lock_guard lock(add_mutex_);
    const std::size_t n = count_.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < n; ++i) {
      if (*kinds_[i] == kind) {
        entries_[i].store(new Entry{function, accepts}, std::memory_order_release);
        return;
      }
    }
    if (n == capacity) throw_version_table_full(operation);
    kinds_[n] = kind;
    entries_[n].store(new Entry{function, accepts}, std::memory_order_relaxed);
    count_.store(n + 1, std::memory_order_release);
  }

  std::size_t size() const { return count_.load(std::memory_order_acquire); }
  ProcKind kind(std::size_t i) const { return *kinds_[i]; }
  Entry entry(std::size_t i) const { return *entries_[i].load(std::memory_order_acquire); }
  Function function(std::size_t i) const { return entry(i).function; }

  // The version for processors of this kind, or null.
  Function find(ProcKind kind) const {
    const std::size_t n = size();
    for (std::size_t i = 0; i < n; ++i) {
      if (*kinds_[i] == kind) return function(i);
    }
    return nullptr;
  }

 private:
  std::mutex add_mutex_;
  std::atomic<std::size_t> count_{0};
  std::array<std::optional<ProcKind>, capacity> kinds_{};
  // Entries are never freed: a thread building a thunk may be reading the
  // one a new registration replaces (a few bytes, once per registration).
  std::array<std::atomic<const Entry*>, capacity> entries_{};
};

}  // namespace dagger::detail
