// Running a DAG: compute (a reference to where the result lives), collect
// (the value, here), debug_compute (the result and the events).
#pragma once

#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "dagger/chunk.hpp"
#include "dagger/context.hpp"
#include "dagger/events.hpp"
#include "dagger/thunk.hpp"

namespace dagger {

namespace detail {

struct RunOutcome {
  std::vector<ChunkPtr> results;  // one per head, in order
  std::vector<Timespan> events;   // empty unless asked for
};

// Runs the graph of `heads`. With `results_here`, the results are brought
// into this process's host memory before it returns (as collect needs):
// a worker lost before that is then recovered from like one lost earlier.
RunOutcome run_graph(const Context& context, std::vector<NodePtr> heads, bool record_events,
                     bool results_here = false);

[[noreturn]] void throw_move_only_collect(const std::type_info& type);

// The value of a chunk on the caller: taken if nobody else holds the chunk,
// copied otherwise.
template <class T>
T value_of(ChunkPtr chunk) {
  chunk = chunk_in_host_memory(chunk);
  hold_in_memory(*chunk);
  T& stored = chunk->value.template get<T>();
  if (chunk.use_count() == 1) return std::move(stored);
  if constexpr (std::is_copy_constructible_v<T>) {
    return stored;
  } else {
    throw_move_only_collect(typeid(T));
  }
}

template <class T>
T collect_one(const Context& context, const Thunk<T>& thunk) {
  auto outcome = run_graph(context, {thunk.node()}, false, true);
  if constexpr (!std::is_void_v<T>) return value_of<T>(std::move(outcome.results[0]));
}

template <class T>
using chunk_value_t = std::conditional_t<std::is_void_v<T>, Void, T>;

// The results of several heads, in this process's host memory.
template <class T>
std::vector<ChunkPtr> results_here(const Context& context, const std::vector<Thunk<T>>& heads) {
  std::vector<NodePtr> nodes;
  nodes.reserve(heads.size());
  for (const auto& h : heads) nodes.push_back(h.node());
  return run_graph(context, std::move(nodes), false, true).results;
}

}  // namespace detail

template <class T>
Chunk<detail::chunk_value_t<T>> compute(const Context& context, const Thunk<T>& thunk) {
  auto outcome = detail::run_graph(context, {thunk.node()}, false);
  return Chunk<detail::chunk_value_t<T>>(std::move(outcome.results[0]));
}
template <class T>
Chunk<detail::chunk_value_t<T>> compute(const Thunk<T>& thunk) {
  return compute(Context(), thunk);
}

template <class T>
T collect(const Context& context, const Thunk<T>& thunk) {
  return detail::collect_one(context, thunk);
}
template <class T>
T collect(const Thunk<T>& thunk) {
  return detail::collect_one(Context(), thunk);
}
template <class T>
T collect(const Chunk<T>& chunk) {
  return detail::value_of<T>(chunk.data());
}

// Several heads computed together; sub-DAGs they share run once.
template <class T>
std::vector<Chunk<T>> compute(const Context& context, const std::vector<Thunk<T>>& heads) {
  std::vector<detail::NodePtr> nodes;
  nodes.reserve(heads.size());
  for (const auto& h : heads) nodes.push_back(h.node());
  auto outcome = detail::run_graph(context, std::move(nodes), false);
  std::vector<Chunk<T>> out;
  out.reserve(heads.size());
  for (auto& c : outcome.results) out.emplace_back(std::move(c));
  return out;
}
template <class T>
std::vector<Chunk<T>> compute(const std::vector<Thunk<T>>& heads) {
  return compute(Context(), heads);
}
template <class T>
std::vector<T> collect(const Context& context, const std::vector<Thunk<T>>& heads) {
  auto chunks = detail::results_here(context, heads);
  std::vector<T> out;
  out.reserve(chunks.size());
  for (auto& c : chunks) out.push_back(detail::value_of<T>(std::move(c)));
  return out;
}
template <class T>
std::vector<T> collect(const std::vector<Thunk<T>>& heads) {
  return collect(Context(), heads);
}

template <class A, class B, class... Rest>
std::tuple<A, B, Rest...> collect(const Context& context, const Thunk<A>& a, const Thunk<B>& b,
                                  const Thunk<Rest>&... rest) {
  auto outcome = detail::run_graph(context, {a.node(), b.node(), rest.node()...}, false, true);
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    using Tuple = std::tuple<A, B, Rest...>;
    return Tuple(detail::value_of<std::tuple_element_t<I, Tuple>>(std::move(outcome.results[I]))...);
  }(std::index_sequence_for<A, B, Rest...>{});
}
template <class A, class B, class... Rest>
std::tuple<A, B, Rest...> collect(const Thunk<A>& a, const Thunk<B>& b, const Thunk<Rest>&... rest) {
  return collect(Context(), a, b, rest...);
}

template <class T>
struct DebugResult {
  Chunk<detail::chunk_value_t<T>> chunk;
  std::vector<Timespan> events;
};

// Computes `thunk` and returns, with its result, every event of the run.
template <class T>
DebugResult<T> debug_compute(const Context& context, const Thunk<T>& thunk) {
  auto outcome = detail::run_graph(context, {thunk.node()}, true);
  return {Chunk<detail::chunk_value_t<T>>(std::move(outcome.results[0])), std::move(outcome.events)};
}
template <class T>
DebugResult<T> debug_compute(const Thunk<T>& thunk) {
  return debug_compute(Context(), thunk);
}

// Drops every cached (`cache`) result this process holds; thunks that need
// one again recompute it.
void evict_cache();

}  // namespace dagger
