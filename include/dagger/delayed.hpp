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

}  // namespace detail

// A function (or Versions of one) with options, waiting for its arguments.
template <class F>
class Delayed {
  using VersionsT = typename detail::AsVersions<F>::type;

 public:
  Delayed(F f, Options options) : versions_(detail::AsVersions<F>::make(std::move(f))),
                                  options_(std::move(options)) {}

  // Builds the thunk. Arguments may mix Thunk<T>, Chunk<T>,
  // std::vector<Thunk<T>> and plain values.
  template <class... Args>
  auto operator()(Args&&... args) const {
    using Check = detail::VersionsCheck<VersionsT, std::decay_t<Args>...>;
    if constexpr (!Check::all_callable) {
      static_assert(detail::dependent_false<F>::value,
                    "dagger::delayed: the function cannot be called with these arguments. "
                    "A Thunk<T> or Chunk<T> argument reaches the function as T (as Chunk<T> "
                    "with meta), a std::vector<Thunk<T>> as std::vector<T>, any other "
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
      using First = typename Check::First;
      using R = detail::result_t<First, std::decay_t<Args>...>;
      constexpr bool meta = Check::mode == detail::PassMode::meta;
      if (options_.meta != meta) {
        detail::throw_meta_mismatch(detail::versions_name(versions_), options_.meta);
      }
      std::vector<detail::Dep> deps;
      std::tuple<detail::Slot<std::decay_t<Args>>...> slots{
          detail::make_slot<std::decay_t<Args>>(std::forward<Args>(args), deps)...};
      using BinderT = detail::Binder<R, VersionsT, std::decay_t<Args>...>;
      return Thunk<R>(std::make_shared<detail::ThunkNodeWith<BinderT>>(
          BinderT(versions_, std::move(slots), meta), std::move(deps), options_));
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
