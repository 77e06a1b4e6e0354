// Binds a function (or a set of versions of one) to the argument slots of a
// thunk, and calls it with the values the scheduler hands in.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "dagger/detail/arguments.hpp"
#include "dagger/detail/callable.hpp"
#include "dagger/detail/value.hpp"
#include "dagger/detail/wire.hpp"
#include "dagger/versions.hpp"

namespace dagger::detail {

// The name of a function for messages: the symbol of a function pointer
// where the executable exports it, else the demangled type.
std::string function_name(const void* function_address, const std::type_info& type);

template <class F>
std::string name_of(const F& f) {
  if constexpr (std::is_pointer_v<F> && std::is_function_v<std::remove_pointer_t<F>>) {
    return function_name(reinterpret_cast<const void*>(f), typeid(F));
  } else {
    return function_name(nullptr, typeid(F));
  }
}

template <class F>
const void* name_key_of(const F& f) {
  if constexpr (std::is_pointer_v<F> && std::is_function_v<std::remove_pointer_t<F>>) {
    return reinterpret_cast<const void*>(f);
  } else {
    return &typeid(F);
  }
}

// How the values of arguments are passed to f. Values are tried first, and
// Chunk handles (meta) only when f cannot take values: asking a generic
// lambda about both would instantiate its body with the wrong types.
enum class PassMode {
  by_const_ref,  // f(const T&...): values stay in their chunks
  by_rvalue,     // f takes some argument by value or T&& (move-only types)
  meta,          // f receives Chunk<T> handles
  none,          // f cannot be called with these arguments
};

template <class F, class... A>
constexpr PassMode value_pass_mode() {
  if constexpr (std::is_invocable_v<F&, const typename Argument<A>::value_type&...>) {
    return PassMode::by_const_ref;
  } else if constexpr (std::is_invocable_v<F&, typename Argument<A>::value_type&&...>) {
    return PassMode::by_rvalue;
  } else {
    return PassMode::none;
  }
}

template <class F, class... A>
constexpr bool meta_invocable = std::is_invocable_v<F&, typename Argument<A>::meta_type...>;

template <class F, PassMode mode, class... A>
struct ResultOf;
template <class F, class... A>
struct ResultOf<F, PassMode::by_const_ref, A...> {
  using type = std::invoke_result_t<F&, const typename Argument<A>::value_type&...>;
};
template <class F, class... A>
struct ResultOf<F, PassMode::by_rvalue, A...> {
  using type = std::invoke_result_t<F&, typename Argument<A>::value_type&&...>;
};
template <class F, class... A>
struct ResultOf<F, PassMode::meta, A...> {
  using type = std::invoke_result_t<F&, typename Argument<A>::meta_type...>;
};

template <class F, class... A>
constexpr PassMode preferred_mode() {
  constexpr PassMode value_mode = value_pass_mode<F, A...>();
  if constexpr (value_mode != PassMode::none) {
    return value_mode;
  } else if constexpr (meta_invocable<F, A...>) {
    return PassMode::meta;
  } else {
    return PassMode::none;
  }
}

template <class F, class... A>
using result_t = std::remove_cvref_t<typename ResultOf<F, preferred_mode<F, A...>(), A...>::type>;

template <class R, class Call>
Value call_into_value(Call&& call) {
  if constexpr (std::is_void_v<R>) {
    call();
    return Value::make<Void>();
  } else {
    return Value::make<R>(call());
  }
}

// Kept in the thunk itself (no allocation per thunk).
template <class... Fs>
std::array<ProcKind, sizeof...(Fs)> kinds_of(const Versions<Fs...>& v) {
  return std::apply([](const auto&... impl) { return std::array<ProcKind, sizeof...(Fs)>{impl.kind...}; },
                    v.impls);
}

template <class... Fs>
std::string versions_name(const Versions<Fs...>& v) {
  return name_of(std::get<0>(v.impls).function);
}

// Whether one argument's slot, and the values it brings, can travel.
template <class A>
constexpr bool slot_travels() {
  if constexpr (Argument<A>::kind == ArgumentKind::reference) {
    return false;  // an object of this process
  } else if constexpr (Argument<A>::kind == ArgumentKind::constant) {
    return wire_capable<A>;
  } else {
    return wire_capable<typename Argument<A>::value_type>;
  }
}

template <class A>
void save_slot(const Slot<A>& slot, WireWriter& out) {
  if constexpr (Argument<A>::kind == ArgumentKind::reference) {
    throw ProtocolError("a reference argument (In, Out, InOut) cannot be sent to another process");
  } else if constexpr (Argument<A>::kind == ArgumentKind::constant) {
    wire_save_object(slot.constant, out);
  } else {
    out.pod(slot);
  }
}

template <class A>
Slot<A> load_slot(WireReader& in) {
  if constexpr (Argument<A>::kind == ArgumentKind::reference) {
    throw ProtocolError("a reference argument (In, Out, InOut) cannot come from another process");
  } else if constexpr (Argument<A>::kind == ArgumentKind::constant) {
    WireObject<A> constant(in);
    return Slot<A>{std::move(constant.get())};
  } else {
    return in.pod<Slot<A>>();
  }
}

template <class F>
bool function_travels(const F& f) {
  if constexpr (!wire_capable<F>) {
    return false;
  } else if constexpr (is_function_pointer<F>) {
    return function_address_travels(reinterpret_cast<const void*>(f));
  } else if constexpr (requires { { f.travels() } -> std::convertible_to<bool>; }) {
    return f.travels();  // a function object that can travel only sometimes
  } else {
    return true;
  }
}

// Calls f with the values of the slots, passed as f prefers (delayed()
// has checked that it can be called).
template <class R, class F, class... A, std::size_t... I>
Value call_with_slots(F& f, std::tuple<Slot<A>...>& slots, InvokeArgs& args, std::index_sequence<I...>) {
  constexpr PassMode mode = preferred_mode<F, A...>();
  if constexpr (mode == PassMode::by_const_ref) {
    return call_into_value<R>([&]() -> decltype(auto) { return std::invoke(f, std::get<I>(slots).as_const(args)...); });
  } else if constexpr (mode == PassMode::by_rvalue) {
    return call_into_value<R>([&]() -> decltype(auto) { return std::invoke(f, std::get<I>(slots).as_rvalue(args)...); });
  } else if constexpr (mode == PassMode::meta) {
    return call_into_value<R>([&]() -> decltype(auto) { return std::invoke(f, std::get<I>(slots).as_meta(args)...); });
  } else {
    return Value{};  // unreachable: delayed() rejects functions it cannot call
  }
}

template <class R, class VersionsT, class... A>
class Binder final : public Callable {
  static constexpr bool values_travel =
      (std::is_void_v<R> || wire_capable<R>) && (slot_travels<A>() && ...);

  static Value remote_invoke(std::size_t version, WireReader& in, InvokeArgs& args) {
    return remote_invoke_version(version, in, args,
                                 std::make_index_sequence<std::tuple_size_v<decltype(VersionsT::impls)>>{});
  }
  template <std::size_t... V>
  static Value remote_invoke_version(std::size_t version, WireReader& in, InvokeArgs& args,
                                     std::index_sequence<V...>) {
    Value out;
    bool found = ((version == V ? (out = remote_call<V>(in, args), true) : false) || ...);
    if (!found) throw ProtocolError("no version " + std::to_string(version) + " of this function");
    return out;
  }
  template <std::size_t V>
  static Value remote_call(WireReader& in, InvokeArgs& args) {
    using F = decltype(std::tuple_element_t<V, decltype(VersionsT::impls)>::function);
    if constexpr (values_travel && wire_capable<F>) {
      WireObject<F> f(in);
      std::tuple<Slot<A>...> slots{load_slot<A>(in)...};
      in.expect_end();
      return call_with_slots<R>(f.get(), slots, args, std::index_sequence_for<A...>{});
    } else {
      throw ProtocolError("this function cannot run in another process");
    }
  }
  static inline const std::uint64_t invoker_key_ = register_invoker(typeid(Binder).name(), &remote_invoke);

 public:
  Binder(VersionsT versions, std::tuple<Slot<A>...> slots, bool meta)
      // `meta` is the pass mode of the versions, checked by delayed().
      : Callable(name_key_of(std::get<0>(versions.impls).function)),
        versions_(std::move(versions)),
        slots_(std::move(slots)),
        kinds_(kinds_of(versions_)),
        meta_(meta) {}

  std::string name() const override { return versions_name(versions_); }
  std::span<const ProcKind> kinds() const override { return kinds_; }
  const std::type_info& key() const override { return typeid(VersionsT); }
  bool meta() const override { return meta_; }

  Value invoke(std::size_t version, InvokeArgs& args) override {
    return invoke_version(version, args,
                          std::make_index_sequence<std::tuple_size_v<decltype(versions_.impls)>>{});
  }

  bool remote_capable(std::size_t version) const override {
    if constexpr (!values_travel) {
      return false;
    } else {
      bool travels = false;
      std::size_t v = 0;
      std::apply([&](const auto&... impl) { ((travels = v++ == version ? function_travels(impl.function) : travels), ...); },
                 versions_.impls);
      return travels && !meta_;
    }
  }
  std::uint64_t invoker_key() const override { return invoker_key_; }
  void save_call(std::size_t version, WireWriter& out) const override {
    std::size_t v = 0;
    std::apply([&](const auto&... impl) { ((v++ == version ? wire_save_object(impl.function, out) : void()), ...); },
               versions_.impls);
    std::apply([&](const auto&... slot) { (save_slot(slot, out), ...); }, slots_);
  }

 private:
  template <std::size_t... V>
  Value invoke_version(std::size_t version, InvokeArgs& args, std::index_sequence<V...>) {
    Value out;
    ((version == V ? (out = call(std::get<V>(versions_.impls).function, args), true) : false) ||
     ...);
    return out;
  }

  template <class F>
  Value call(F& f, InvokeArgs& args) {
    return call_with_slots<R>(f, slots_, args, std::index_sequence_for<A...>{});
  }

  VersionsT versions_;
  std::tuple<Slot<A>...> slots_;
  decltype(kinds_of(std::declval<const VersionsT&>())) kinds_;
  bool meta_;
};

}  // namespace dagger::detail
