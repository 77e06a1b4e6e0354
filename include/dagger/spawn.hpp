// Eager tasks: spawn(f, args...) starts f now, on the processors of this
// process (and of workers a scope names), once the Tasks among its
// arguments are done. As Dagger.jl's `Dagger.@spawn` and Dask's
// `client.submit`.
//
//   dagger::Task<int> a = dagger::spawn(add1, 4);
//   dagger::Task<int> b = dagger::spawn(add2, a);   // receives a's value
//   int v = b.fetch();                               // 7
//
// A task body may spawn, fetch and wait, and compute lazy graphs: a thread
// that waits runs other tasks meanwhile.
#pragma once

#include <array>
#include <cstddef>
#include <exception>
#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

#include "dagger/datadeps.hpp"
#include "dagger/delayed.hpp"
#include "dagger/errors.hpp"
#include "dagger/task.hpp"

namespace dagger {

namespace detail {

template <class A>
constexpr bool is_lazy_thunk = false;
template <class T>
constexpr bool is_lazy_thunk<Thunk<T>> = true;
template <class T>
constexpr bool is_lazy_thunk<std::vector<Thunk<T>>> = true;

// Waits (helping, on a driver thread) until done() is true.
void wait_until(const std::function<bool()>& done);

template <class F, class... Args>
auto spawn_task(const Options& options, F&& f, Args&&... args) {
  using VersionsT = typename AsVersions<std::decay_t<F>>::type;
  using Check = VersionsCheck<VersionsT, std::decay_t<Args>...>;
  if constexpr ((is_lazy_thunk<std::decay_t<Args>> || ...)) {
    static_assert(dependent_false<F>::value,
                  "dagger::spawn: a lazy Thunk<T> cannot be an argument of spawn; compute or collect "
                  "it first, or spawn its work and pass the Task<T>");
    return Task<void>{};
  } else if constexpr (!Check::all_callable) {
    static_assert(dependent_false<F>::value,
                  "dagger::spawn: the function cannot be called with these arguments. A Task<T> or "
                  "Chunk<T> argument reaches the function as T (as Chunk<T> with meta), a "
                  "std::vector<Task<T>> as std::vector<T>, In(x) as const T&, Out(x) and InOut(x) "
                  "as T&, any other argument as itself.");
    return Task<void>{};
  } else if constexpr (!Check::same_mode || !Check::same_result) {
    static_assert(dependent_false<F>::value,
                  "dagger::versions: every version must take the same kind of arguments and "
                  "return the same type");
    return Task<void>{};
  } else {
    using R = result_t<typename Check::First, std::decay_t<Args>...>;
    constexpr std::size_t n_accesses = (std::size_t{0} + ... + access_count<std::decay_t<Args>>);
    std::array<Access, n_accesses> accesses{};
    Access* next = accesses.data();
    (add_access(args, next), ...);
    DatadepsRegion* region = n_accesses > 0 ? current_datadeps_region() : nullptr;
    NodePtr node = make_node<TaskNodeWith, R>(
        AsVersions<std::decay_t<F>>::make(std::forward<F>(f)), options,
        [&](std::vector<Dep>& deps) {
          if (region) region->order(deps, accesses.data(), n_accesses);
        },
        std::forward<Args>(args)...);
    if (region) region->record(node, accesses.data(), n_accesses);
    start_task(node);
    return Task<R>(std::move(node));
  }
}

}  // namespace detail

// Starts f(args...) with options (those of delayed: scope, name, meta,
// get_result). Arguments may mix Task<T>, Chunk<T>, std::vector<Task<T>>,
// In/Out/InOut references and plain values; not lazy Thunks.
template <class F, class... Args>
auto spawn(const Options& options, F&& f, Args&&... args) {
  return detail::spawn_task(options, std::forward<F>(f), std::forward<Args>(args)...);
}
template <class F, class... Args>
  requires(!std::is_same_v<std::decay_t<F>, Options>)
auto spawn(F&& f, Args&&... args) {
  return detail::spawn_task(Options{}, std::forward<F>(f), std::forward<Args>(args)...);
}

// Waits until every task finished (never throws a task's error).
template <class T>
void wait_all(const std::vector<Task<T>>& tasks) {
  for (const Task<T>& t : tasks) t.wait();
}

// Waits until one task finished; its index. An empty list is a UsageError.
template <class T>
std::size_t wait_any(const std::vector<Task<T>>& tasks) {
  if (tasks.empty()) throw UsageError("dagger::wait_any of no tasks");
  auto first_ready = [&]() -> std::size_t {
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      if (tasks[i].ready()) return i;
    }
    return tasks.size();
  };
  std::size_t index = tasks.size();
  detail::wait_until([&] {
    index = first_ready();
    return index < tasks.size();
  });
  return index;
}

// The values of several tasks, in order (Dagger.jl's fetch of a vector).
template <class T>
std::vector<T> fetch(const std::vector<Task<T>>& tasks) {
  std::vector<T> out;
  out.reserve(tasks.size());
  for (const Task<T>& t : tasks) out.push_back(t.fetch());
  return out;
}

// Tasks that finish together: the group waits for every task spawned into
// it when it goes out of scope (or at wait()), and rethrows the first
// failure, in spawn order. As Taskflow's and oneTBB's task_group and
// Dagger.jl's spawn_sequential region.
class TaskGroup {
 public:
  TaskGroup() : uncaught_(std::uncaught_exceptions()) {}
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;
  // Waits; rethrows the first failure unless an exception is already
  // unwinding the scope.
  ~TaskGroup() noexcept(false) {
    std::exception_ptr error = wait_for_all();
    if (error && std::uncaught_exceptions() == uncaught_) std::rethrow_exception(error);
  }

  template <class F, class... Args>
  auto spawn(const Options& options, F&& f, Args&&... args) {
    auto task = dagger::spawn(options, std::forward<F>(f), std::forward<Args>(args)...);
    tasks_.push_back(task.node());
    return task;
  }
  template <class F, class... Args>
    requires(!std::is_same_v<std::decay_t<F>, Options>)
  auto spawn(F&& f, Args&&... args) {
    return spawn(Options{}, std::forward<F>(f), std::forward<Args>(args)...);
  }
  // Waits for every task so far; rethrows the first failure.
  void wait() {
    if (std::exception_ptr error = wait_for_all()) std::rethrow_exception(error);
  }

 private:
  std::exception_ptr wait_for_all() noexcept;
  std::vector<detail::NodePtr> tasks_;
  int uncaught_;
};

}  // namespace dagger
