// One operation with several implementations, one per kind of processor
// (e.g. a CPU and a CUDA kernel). The scheduler picks the version per thunk
// among the processors that have one.
#pragma once

#include <tuple>
#include <utility>

#include "dagger/proc_kind.hpp"

namespace dagger {

template <class F>
struct Impl {
  ProcKind kind;
  F function;
};

template <class F>
Impl<std::decay_t<F>> impl(ProcKind kind, F&& function) {
  return {kind, std::forward<F>(function)};
}

template <class... Fs>
struct Versions {
  std::tuple<Impl<Fs>...> impls;
};

template <class... Fs>
Versions<Fs...> versions(Impl<Fs>... impls) {
  static_assert(sizeof...(Fs) > 0, "dagger::versions needs at least one implementation");
  return Versions<Fs...>{std::tuple<Impl<Fs>...>(std::move(impls)...)};
}

}  // namespace dagger
