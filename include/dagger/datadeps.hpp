// Dependencies from how tasks use data, as Dagger.jl's spawn_datadeps and
// StarPU's access modes. Inside `spawn_datadeps(body)`, a task argument
// wrapped in In(x), Out(x) or InOut(x) passes the caller's object x by
// reference, and the task runs after the earlier tasks of the region whose
// use of x conflicts with its own: a read waits for the last write, a write
// for the last write and every read since. Tasks with no conflict run in
// parallel; the region returns when all of them ran.
//
//   dagger::spawn_datadeps([&] {
//     dagger::spawn(potrf, dagger::InOut(a11));
//     dagger::spawn(trsm, dagger::In(a11), dagger::InOut(a21));
//   });
//
// The objects must outlive the region (it waits for its tasks even when the
// body throws). They never leave this process: such tasks run on its
// processors. Outside a region the wrappers pass references and order
// nothing.
#pragma once

#include <cstddef>
#include <exception>
#include <memory>
#include <unordered_map>
#include <vector>

#include "dagger/detail/arguments.hpp"

namespace dagger {

template <class T>
struct In {
  explicit In(const T& x) : object(&x) {}
  In(const T&&) = delete;  // a temporary would be gone before the task runs
  const T* object;
};
template <class T>
struct Out {
  explicit Out(T& x) : object(&x) {}
  T* object;
};
template <class T>
struct InOut {
  explicit InOut(T& x) : object(&x) {}
  T* object;
};

namespace detail {

template <class T>
struct Argument<In<T>> {
  static constexpr ArgumentKind kind = ArgumentKind::reference;
  using value_type = const T&;
  using meta_type = const T&;
};
template <class T>
struct Argument<Out<T>> {
  static constexpr ArgumentKind kind = ArgumentKind::reference;
  using value_type = T&;
  using meta_type = T&;
};
template <class T>
struct Argument<InOut<T>> : Argument<Out<T>> {};

template <class T>
struct Slot<In<T>> {
  const T* object;
  const T& as_const(InvokeArgs&) const { return *object; }
  const T& as_rvalue(InvokeArgs&) const { return *object; }
  const T& as_meta(InvokeArgs&) const { return *object; }
};
template <class T>
struct Slot<Out<T>> {
  T* object;
  T& as_const(InvokeArgs&) const { return *object; }
  T& as_rvalue(InvokeArgs&) const { return *object; }
  T& as_meta(InvokeArgs&) const { return *object; }
};
template <class T>
struct Slot<InOut<T>> : Slot<Out<T>> {};

// One argument's use of an object: which one, and whether it writes.
struct Access {
  const void* object;
  bool writes;
};
template <class A>
constexpr std::size_t access_count = 0;
template <class T>
constexpr std::size_t access_count<In<T>> = 1;
template <class T>
constexpr std::size_t access_count<Out<T>> = 1;
template <class T>
constexpr std::size_t access_count<InOut<T>> = 1;

template <class A>
void add_access(const A&, Access*&) {}
template <class T>
void add_access(const In<T>& argument, Access*& next) {
  *next++ = Access{argument.object, false};
}
template <class T>
void add_access(const Out<T>& argument, Access*& next) {
  *next++ = Access{argument.object, true};
}
template <class T>
void add_access(const InOut<T>& argument, Access*& next) {
  *next++ = Access{argument.object, true};
}

// The tasks of one spawn_datadeps region, and for each object the last
// task that wrote it and the tasks that read it since.
class DatadepsRegion {
 public:
  // Appends to `deps` the earlier tasks these accesses must follow.
  void order(std::vector<Dep>& deps, const Access* accesses, std::size_t count);
  // Records the new task's accesses (after order, once the node exists).
  void record(const NodePtr& task, const Access* accesses, std::size_t count);
  // Waits for every task of the region; the first failure (in spawn order).
  std::exception_ptr wait_all();

 private:
  struct History {
    NodePtr writer;
    std::vector<NodePtr> readers;
  };
  std::unordered_map<const void*, History> history_;
  std::vector<NodePtr> tasks_;
};

// The innermost region open on this thread, or null.
DatadepsRegion* current_datadeps_region() noexcept;

class DatadepsScope {
 public:
  DatadepsScope();
  ~DatadepsScope();  // waits for the region's tasks
  DatadepsScope(const DatadepsScope&) = delete;
  DatadepsScope& operator=(const DatadepsScope&) = delete;
  // Waits and rethrows the first failure.
  void finish();

 private:
  DatadepsRegion region_;
  DatadepsRegion* outer_;
  bool finished_ = false;
};

}  // namespace detail

// Runs `body`, whose spawns with In/Out/InOut arguments are ordered by
// their accesses, and returns when every task it spawned ran; rethrows the
// first failure.
template <class Body>
void spawn_datadeps(Body&& body) {
  detail::DatadepsScope scope;
  body();
  scope.finish();
}

}  // namespace dagger
