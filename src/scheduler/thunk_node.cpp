// Thunk nodes: ids, names, and a destructor that frees long chains without
// recursing once per link.
#include "dagger/detail/thunk_node.hpp"

#include <array>
#include <atomic>

#include "scheduler/result_cache.hpp"

namespace dagger::detail {

std::uint64_t next_thunk_id() {
  static std::atomic<std::uint64_t> counter{0};
  return counter.fetch_add(1, std::memory_order_relaxed) + 1;
}

std::mutex& retained_mutex_for(std::uint64_t thunk_id) {
  static std::array<std::mutex, 64> stripes;
  return stripes[thunk_id % stripes.size()];
}

namespace {

bool is_default(const Options& o) {
  return !o.get_result && !o.meta && !o.persist && !o.cache && o.scope.is_any() && o.name.empty();
}

const Options& default_options() {
  static const Options* defaults = new Options();
  return *defaults;
}

}  // namespace

ThunkNode::ThunkNode(Callable& function, std::vector<Dep> dependencies, Options opts)
    : own_options_(is_default(opts) ? nullptr : std::make_unique<const Options>(std::move(opts))),
      options_(own_options_ ? own_options_.get() : &default_options()),
      id(next_thunk_id()),
      fn(&function),
      deps(std::move(dependencies)),
      any_cpu((fn->meta() || (fn->kinds().size() == 1 && fn->kinds()[0] == ProcKind::cpu())) &&
              options_->scope.is_any()) {}

ThunkNode::~ThunkNode() {
  if (options().cache) result_cache().forget(id);
  // Dropping the last reference to a dependency would destroy it from inside
  // this destructor, and so on down a chain of 100,000 thunks. Instead the
  // outermost destructor on this thread drains a worklist.
  thread_local bool draining = false;
  thread_local std::vector<NodePtr> deferred;
  for (Dep& dep : deps) {
    if (dep.thunk) deferred.push_back(std::move(dep.thunk));
  }
  if (draining) return;
  draining = true;
  while (!deferred.empty()) {
    NodePtr next = std::move(deferred.back());
    deferred.pop_back();
    next.reset();
  }
  draining = false;
}

std::string ThunkNode::name() const {
  return options().name.empty() ? fn->name() : options().name;
}

}  // namespace dagger::detail
