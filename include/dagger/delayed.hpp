// delayed(f)(args...): a lazy call, as Dagger.jl's `delayed` and Dask's
// `dask.delayed`.
#pragma once

#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "dagger/detail/binder.hpp"
#include "dagger/options.hpp"
#include "dagger/thunk.hpp"
#include "dagger/versions.hpp"

namespace dagger {

namespace detail {

[[noreturn]] void throw_meta_mismatch(const std::string& function, bool meta_requested);

template <class F>
struct AsVersions {
  using type = Versions<F>;
  static type make(F f) { return type{std::tuple<Impl<F>>(Impl<F>{ProcKind::cpu(), std::move(f)})}; }
};
template <class... Fs>
struct AsVersions<Versions<Fs...>> {
  using type = Versions<Fs...>;
  static type make(Versions<Fs...> v) { return v; }
};

template <class VersionsT, class... A>
struct VersionsCheck;
template <class... Fs, class... A>
struct VersionsCheck<Versions<Fs...>, A...> {
  using First = std::tuple_element_t<0, std::tuple<Fs...>>;
  static constexpr PassMode mode = preferred_mode<First, A...>();
  static constexpr bool all_callable = ((preferred_mode<Fs, A...>() != PassMode::none) && ...);
  static constexpr bool same_result = [] {
    if constexpr (all_callable) {
      return (std::is_same_v<result_t<Fs, A...>, result_t<First, A...>> && ...);
    } else {
      return true;
    }
  }();
  static constexpr bool same_mode =
      (((preferred_mode<Fs, A...>() == PassMode::meta) == (mode == PassMode::meta)) && ...);
};

// Builds the node of a call: its argument slots, the dependencies they
// bring (plus any `add_deps` appends, which order without passing a value)
// and the function, in one allocation of NodeT.
template <template <class> class NodeT, class R, class VersionsT, class AddDeps, class... Args>
NodePtr make_node(const VersionsT& versions, const Options& options, AddDeps add_deps, Args&&... args) {
  using Check = VersionsCheck<VersionsT, std::decay_t<Args>...>;
  constexpr bool meta = Check::mode == PassMode::meta;
  if (options.meta != meta) throw_meta_mismatch(versions_name(versions), options.meta);
  std::vector<Dep> deps;
  std::tuple<Slot<std::decay_t<Args>>...> slots{make_slot<std::decay_t<Args>>(std::forward<Args>(args), deps)...};
  add_deps(deps);
  using BinderT = Binder<R, VersionsT, std::decay_t<Args>...>;
  return std::make_shared<NodeT<BinderT>>(BinderT(versions, std::move(slots), meta), std::move(deps), options);
}

struct NoExtraDeps {
  void operator()(std::vector<Dep>&) const {}
};

}  // namespace detail

// A function (or Versions of one) with options, waiting for its arguments.
template <class F>
class Delayed {
  using VersionsT = typename detail::AsVersions<F>::type;

 public:
  Delayed(F f, Options options) : versions_(detail::AsVersions<F>::make(std::move(f))),
                                  options_(std::move(options)) {}

  // Builds the thunk. Arguments may mix Thunk<T>, Task<T>, Chunk<T>,
  // std::vector<Thunk<T>> and plain values.
  template <class... Args>
  auto operator()(Args&&... args) const {
    using Check = detail::VersionsCheck<VersionsT, std::decay_t<Args>...>;
    if constexpr (!Check::all_callable) {
      static_assert(detail::dependent_false<F>::value,
                    "dagger::delayed: the function cannot be called with these arguments. "
                    "A Thunk<T>, Task<T> or Chunk<T> argument reaches the function as T (as "
                    "Chunk<T> with meta), a std::vector<Thunk<T>> as std::vector<T>, any other "
                    "argument as itself.");
      return Thunk<void>{};
    } else if constexpr (!Check::same_mode) {
      static_assert(detail::dependent_false<F>::value,
                    "dagger::versions: either every version takes Chunk<T> arguments (meta) "
                    "or none does");
      return Thunk<void>{};
    } else if constexpr (!Check::same_result) {
      static_assert(detail::dependent_false<F>::value,
                    "dagger::versions: every version of a function must return the same type");
      return Thunk<void>{};
    } else {
      using R = detail::result_t<typename Check::First, std::decay_t<Args>...>;
      return Thunk<R>(detail::make_node<detail::ThunkNodeWith, R>(versions_, options_, detail::NoExtraDeps{},
                                                                  std::forward<Args>(args)...));
    }
  }

 private:
  VersionsT versions_;
  Options options_;
};

template <class F>
Delayed<std::decay_t<F>> delayed(F&& f, Options options = {}) {
  return Delayed<std::decay_t<F>>(std::forward<F>(f), std::move(options));
}

// Bundles several values into one tuple: `delayed(group)(a, b, c)` is a
// thunk whose result holds the results of a, b and c.
struct GroupFunction {
  template <class... T>
  std::tuple<T...> operator()(const T&... values) const {
    return std::tuple<T...>(values...);
  }
};
inline constexpr GroupFunction group{};

}  // namespace dagger
