// Operations with a version per kind of processor, registered at run time.
//
// An operation is a type that names it, the constants its versions read
// (its Request) and their signature:
//
//   struct Transpose {
//     static constexpr const char* name = "transpose";
//     using Request = dagger::NoRequest;
//     using Signature = Block(const dagger::NoRequest&, const Block&);
//   };
//
// The code that builds the graph gives the CPU version where it makes the
// thunk, as a function object that may carry its own state:
//
//   run_operation<Transpose>({.name = "transpose"}, cpu_transpose, NoRequest{}, block);
//
// and a backend adds the version of its kind, once, from its own folder:
//
//   dagger::add_version<Transpose>(my_kind, &my_transpose);
//
// The thunk then has a version for every kind that has one and has a
// processor in this process, and the scheduler picks per thunk. A new kind
// of accelerator is a processor, a memory space, its moves and a table of
// add_version calls: no call site changes. Worker processes offer CPU
// threads, so a thunk runs there only with its CPU version.
#pragma once

#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "dagger/detail/operation_binder.hpp"
#include "dagger/options.hpp"
#include "dagger/thunk.hpp"

namespace dagger {

// Adds (or replaces) the version of Op for processors of `kind`. Any
// thread, any time; thunks built afterwards see it. `accepts`, if given,
// tells for each call whether this version can serve its request; a thunk
// whose request it declines has no version of that kind.
template <class Op>
void add_version(ProcKind kind, detail::VersionFunction<Op> version, detail::AcceptsFunction<Op> accepts = nullptr) {
  static_assert(!std::is_same_v<Op, HostStep>, "a host step has no registered versions");
  detail::version_table<Op>().add(Op::name, kind, version, accepts);
}

// A thunk running Op on `args` (Thunks, Tasks, Chunks, vectors of Thunks and
// constants, as for delayed). `on_cpu` is called with the values of args;
// a registered version with the request and those values.
template <class Op, class CpuF, class... Args>
auto run_operation(Options options, CpuF on_cpu, typename Op::Request request, Args&&... args) {
  static_assert(detail::value_pass_mode<CpuF, std::decay_t<Args>...>() == detail::PassMode::by_const_ref,
                "run_operation: the CPU version must take the arguments' values by const reference");
  using R = detail::result_t<CpuF, std::decay_t<Args>...>;
  if constexpr (!std::is_same_v<Op, HostStep>) {
    static_assert(std::is_same_v<R, std::invoke_result_t<typename Op::Signature*, const typename Op::Request&,
                                                         const typename detail::Argument<std::decay_t<Args>>::value_type&...>>,
                  "run_operation: the CPU version and the operation's signature return different types");
  }
  using BinderT = detail::OperationBinder<Op, R, CpuF, std::decay_t<Args>...>;
  std::vector<detail::Dep> deps;
  std::tuple<detail::Slot<std::decay_t<Args>>...> slots{
      detail::make_slot<std::decay_t<Args>>(std::forward<Args>(args), deps)...};
  return Thunk<R>(std::make_shared<detail::ThunkNodeWith<BinderT>>(
      BinderT(std::move(on_cpu), std::move(request), std::move(slots)), std::move(deps), std::move(options)));
}

// A thunk of a cheap host function that may run on any processor marked by
// runs_host_functions as well as on CPU threads.
template <class F, class... Args>
auto host_step(Options options, F f, Args&&... args) {
  return run_operation<HostStep>(std::move(options), std::move(f), NoRequest{}, std::forward<Args>(args)...);
}

}  // namespace dagger
