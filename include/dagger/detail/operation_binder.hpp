// The callable of an operation's thunk: the CPU version given where the
// thunk is built, then the versions registered for the other kinds of
// processor this process has (see dagger/operation.hpp).
#pragma once

#include <array>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "dagger/detail/binder.hpp"
#include "dagger/detail/version_table.hpp"
#include "dagger/processor.hpp"

namespace dagger {

// The constants of a call for an operation whose versions need none.
struct NoRequest {};

// An operation whose other "versions" are the CPU function itself, run on
// any processor that runs host functions (runs_host_functions): for cheap
// host steps on host values, such as combining two partial results.
struct HostStep {
  static constexpr const char* name = "host step";
  using Request = NoRequest;
  using Signature = void();
};

namespace detail {

template <class Op>
using VersionFunction = std::add_pointer_t<typename Op::Signature>;
template <class Op>
using AcceptsFunction = bool (*)(const typename Op::Request&);

template <class Op>
VersionTable<VersionFunction<Op>, AcceptsFunction<Op>>& version_table() {
  // Never destroyed: thunks may be built while the process exits.
  static auto* table = new VersionTable<VersionFunction<Op>, AcceptsFunction<Op>>();
  return *table;
}

template <class Op, class R, class CpuF, class... A>
class OperationBinder final : public Callable {
  using Request = typename Op::Request;
  using Function = VersionFunction<Op>;
  static constexpr bool host_step = std::is_same_v<Op, HostStep>;
  static constexpr std::size_t max_versions = 1 + VersionTable<Function, AcceptsFunction<Op>>::capacity;
  static constexpr bool values_travel = (std::is_void_v<R> || wire_capable<R>) && (slot_travels<A>() && ...);

  // Worker processes offer CPU threads only, so only the CPU version
  // travels; the version of another kind runs where its processor is.
  static Value remote_invoke(std::size_t, WireReader& in, InvokeArgs& args) {
    if constexpr (values_travel && wire_capable<CpuF>) {
      WireObject<CpuF> f(in);
      std::tuple<Slot<A>...> slots{load_slot<A>(in)...};
      in.expect_end();
      return call_with_slots<R>(f.get(), slots, args, std::index_sequence_for<A...>{});
    } else {
      throw ProtocolError(std::string("this call of ") + Op::name + " cannot run in another process");
    }
  }
  static inline const std::uint64_t invoker_key_ = register_invoker(typeid(OperationBinder).name(), &remote_invoke);
  static const void* name_key_for(const CpuF& on_cpu) {
    if constexpr (host_step) {
      return name_key_of(on_cpu);
    } else {
      return &typeid(Op);
    }
  }

 public:
  OperationBinder(CpuF on_cpu, Request request, std::tuple<Slot<A>...> slots)
      : Callable(name_key_for(on_cpu)), on_cpu_(std::move(on_cpu)), request_(std::move(request)), slots_(std::move(slots)) {
    if constexpr (host_step) {
      count_ = 1 + host_function_kinds(kinds_.data() + 1, max_versions - 1);
    } else {
      const auto& table = version_table<Op>();
      const std::size_t n = table.size();
      for (std::size_t i = 0; i < n; ++i) {
        const ProcKind kind = table.kind(i);
        if (!has_processors(kind)) continue;  // no processor could run it
        const auto entry = table.entry(i);
        if (entry.accepts != nullptr && !entry.accepts(request_)) continue;
        kinds_[count_] = kind;
        functions_[count_] = entry.function;
        ++count_;
      }
    }
  }

  std::string name() const override { return host_step ? name_of(on_cpu_) : Op::name; }
  std::span<const ProcKind> kinds() const override { return {kinds_.data(), count_}; }
  const std::type_info& key() const override { return typeid(OperationBinder); }
  bool meta() const override { return false; }

  Value invoke(std::size_t version, InvokeArgs& args) override {
    if (uses_cpu_function(version)) return call_with_slots<R>(on_cpu_, slots_, args, std::index_sequence_for<A...>{});
    if constexpr (!host_step) {
      const Function function = functions_[version];
      auto call = [&](const auto&... inputs) -> R { return function(request_, inputs...); };
      return call_with_slots<R>(call, slots_, args, std::index_sequence_for<A...>{});
    }
    return Value{};  // unreachable: a host step runs its CPU function everywhere
  }

  bool remote_capable(std::size_t version) const override {
    if constexpr (!values_travel) {
      return false;
    } else {
      return uses_cpu_function(version) && function_travels(on_cpu_);
    }
  }
  std::uint64_t invoker_key() const override { return invoker_key_; }
  void save_call(std::size_t version, WireWriter& out) const override {
    if (!uses_cpu_function(version)) {
      throw ProtocolError("the " + kinds_[version].name() + " version of " + Op::name +
                          " cannot be sent to another process");
    }
    wire_save_object(on_cpu_, out);
    std::apply([&](const auto&... slot) { (save_slot(slot, out), ...); }, slots_);
  }

 private:
  bool uses_cpu_function(std::size_t version) const { return host_step || version == 0; }

  CpuF on_cpu_;
  [[no_unique_address]] Request request_;
  std::tuple<Slot<A>...> slots_;
  std::array<ProcKind, max_versions> kinds_ = filled_with(ProcKind::cpu(), std::make_index_sequence<max_versions>{});
  std::array<Function, max_versions> functions_{};
  std::size_t count_ = 1;

  template <std::size_t... I>
  static std::array<ProcKind, max_versions> filled_with(ProcKind kind, std::index_sequence<I...>) {
    return {((void)I, kind)...};
  }
};

}  // namespace detail
}  // namespace dagger
