// How each argument of `delayed(f)(args...)` reaches f: a Thunk<T> or a
// Chunk<T> arrives as T, a std::vector<Thunk<T>> as std::vector<T> (fan-in of
// any width), anything else as itself. With `meta`, thunks and chunks arrive
// as Chunk<T> instead.
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "dagger/chunk.hpp"
#include "dagger/detail/callable.hpp"
#include "dagger/task.hpp"
#include "dagger/thunk.hpp"

namespace dagger::detail {

[[noreturn]] void throw_move_only_shared(const std::type_info& type);

template <class T>
struct dependent_false : std::false_type {};

// constant: stored in the thunk; single, fan_in: results of other nodes or
// chunks; reference: an object of the caller's, passed by reference
// (datadeps' In, Out, InOut), which never leaves this process.
enum class ArgumentKind { constant, single, fan_in, reference };

template <class A>
struct Argument {
  static constexpr ArgumentKind kind = ArgumentKind::constant;
  using value_type = A;
  using meta_type = const A&;
};
template <class T>
struct Argument<Thunk<T>> {
  static_assert(!std::is_void_v<T>,
                "dagger::delayed: a Thunk<void> has no value to pass as an argument");
  static constexpr ArgumentKind kind = ArgumentKind::single;
  using value_type = T;
  using meta_type = Chunk<T>;
};
template <class T>
struct Argument<Task<T>> {
  static_assert(!std::is_void_v<T>, "a Task<void> has no value to pass as an argument");
  static constexpr ArgumentKind kind = ArgumentKind::single;
  using value_type = T;
  using meta_type = Chunk<T>;
};
template <class T>
struct Argument<Chunk<T>> {
  static constexpr ArgumentKind kind = ArgumentKind::single;
  using value_type = T;
  using meta_type = Chunk<T>;
};
template <class T>
struct Argument<std::vector<Thunk<T>>> {
  static constexpr ArgumentKind kind = ArgumentKind::fan_in;
  using value_type = std::vector<T>;
  using meta_type = std::vector<Chunk<T>>;
};
template <class T>
struct Argument<std::vector<Task<T>>> : Argument<std::vector<Thunk<T>>> {};

// Copies a value, or takes it when this thunk is its last user.
template <class T>
T take_or_copy(InvokeArgs& args, std::uint32_t dep) {
  T& stored = args.value(dep).template get<T>();
  if (args.may_take(dep)) return std::move(stored);
  if constexpr (std::is_copy_constructible_v<T>) {
    return stored;
  } else {
    throw_move_only_shared(typeid(T));
  }
}

// Where one argument comes from, stored in the thunk.
template <class A>
struct Slot {
  A constant;

  const A& as_const(InvokeArgs&) const { return constant; }
  A as_rvalue(InvokeArgs&) {
    if constexpr (std::is_copy_constructible_v<A>) {
      return constant;  // the thunk may run again (cache eviction): keep it
    } else {
      return std::move(constant);
    }
  }
  const A& as_meta(InvokeArgs&) const { return constant; }
};

template <class T>
struct SingleDependencySlot {
  std::uint32_t dep;

  const T& as_const(InvokeArgs& args) const { return args.value(dep).template get<T>(); }
  T as_rvalue(InvokeArgs& args) const { return take_or_copy<T>(args, dep); }
  Chunk<T> as_meta(InvokeArgs& args) const { return Chunk<T>(args.chunk(dep)); }
};

template <class T>
struct Slot<Thunk<T>> : SingleDependencySlot<T> {};
template <class T>
struct Slot<Task<T>> : SingleDependencySlot<T> {};
template <class T>
struct Slot<Chunk<T>> : SingleDependencySlot<T> {};

template <class T>
struct FanInSlot {
  std::uint32_t first;
  std::uint32_t count;

  std::vector<T> as_const(InvokeArgs& args) const {
    std::vector<T> out;
    out.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) out.push_back(args.value(first + i).template get<T>());
    return out;
  }
  std::vector<T> as_rvalue(InvokeArgs& args) const {
    std::vector<T> out;
    out.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) out.push_back(take_or_copy<T>(args, first + i));
    return out;
  }
  std::vector<Chunk<T>> as_meta(InvokeArgs& args) const {
    std::vector<Chunk<T>> out;
    out.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) out.emplace_back(args.chunk(first + i));
    return out;
  }
};

template <class T>
struct Slot<std::vector<Thunk<T>>> : FanInSlot<T> {};
template <class T>
struct Slot<std::vector<Task<T>>> : FanInSlot<T> {};

[[noreturn]] void throw_invalid_thunk_argument();
[[noreturn]] void throw_invalid_task_argument();
[[noreturn]] void throw_invalid_chunk_argument();
[[noreturn]] void throw_too_many_dependencies();

inline std::uint32_t add_dep(std::vector<Dep>& deps, Dep dep) {
  if (deps.size() >= 0xFFFFFFFFu) throw_too_many_dependencies();
  deps.push_back(std::move(dep));
  return static_cast<std::uint32_t>(deps.size() - 1);
}

template <class T>
Slot<Thunk<T>> make_single_slot(const Thunk<T>& argument, std::vector<Dep>& deps) {
  if (!argument.valid()) throw_invalid_thunk_argument();
  return Slot<Thunk<T>>{{add_dep(deps, Dep{argument.node(), nullptr})}};
}
template <class T>
Slot<Task<T>> make_single_slot(const Task<T>& argument, std::vector<Dep>& deps) {
  if (!argument.valid()) throw_invalid_task_argument();
  return Slot<Task<T>>{{add_dep(deps, Dep{argument.node(), nullptr})}};
}
template <class T>
Slot<Chunk<T>> make_single_slot(const Chunk<T>& argument, std::vector<Dep>& deps) {
  if (!argument.valid()) throw_invalid_chunk_argument();
  return Slot<Chunk<T>>{{add_dep(deps, Dep{nullptr, argument.data()})}};
}

// Appends the dependencies of one argument and returns where it comes from.
template <class A>
Slot<A> make_slot(A argument, std::vector<Dep>& deps) {
  if constexpr (Argument<A>::kind == ArgumentKind::single) {
    return make_single_slot(argument, deps);
  } else if constexpr (Argument<A>::kind == ArgumentKind::fan_in) {
    auto first = static_cast<std::uint32_t>(deps.size());
    for (const auto& handle : argument) {
      if (!handle.valid()) throw_invalid_thunk_argument();
      add_dep(deps, Dep{handle.node(), nullptr});
    }
    return Slot<A>{{first, static_cast<std::uint32_t>(argument.size())}};
  } else if constexpr (Argument<A>::kind == ArgumentKind::reference) {
    return Slot<A>{argument.object};
  } else {
    return Slot<A>{std::move(argument)};
  }
}

}  // namespace dagger::detail
