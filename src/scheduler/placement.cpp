// Where a task runs. A plain CPU function goes to any CPU thread of this
// process; a task with several versions, a restricted scope, or a context
// with workers is pinned to one processor, chosen among its candidates by
// the cost model: queued work, plus moving the inputs it lacks, plus the
// learned runtime of the function on that kind of processor.
#include <algorithm>
#include <cstdlib>
#include <limits>
#include <span>
#include <string>

#include "dagger/errors.hpp"
#include "dagger/detail/remote_processor.hpp"
#include "scheduler/cost_model.hpp"
#include "scheduler/run.hpp"

namespace dagger::detail {
namespace {

std::string kinds_text(std::span<const ProcKind> kinds) {
  std::string out;
  for (ProcKind k : kinds) out += (out.empty() ? "" : ", ") + k.name();
  return "[" + out + "]";
}

// A call to a worker costs a round trip on top of its run time: about
// 50 us over UCX's tcp transport (bench_distributed). DAGGER_WORKER_ROUND_TRIP_NS
// overrides it (0: place by load alone).
double worker_round_trip_ns() {
  static const double ns = [] {
    const char* env = std::getenv("DAGGER_WORKER_ROUND_TRIP_NS");
    return env && *env ? std::strtod(env, nullptr) : 50'000.0;
  }();
  return ns;
}

}  // namespace

void Run::classify(RunRecord& record) {
  const ThunkNode& node = *record.node;
  const Callable& fn = *node.fn;
  const Scope& scope = node.options().scope;
  // Thunks that can run in a worker are placed by the cost model when the
  // context has workers; others stay with this process's CPU threads.
  const bool to_workers = !worker_slots_.empty() && !fn.meta() && fn.remote_capable(0);
  if (node.any_cpu && !to_workers) {
    record.placement = Placement::any_cpu;
    if (stealing_slots_.empty()) {
      throw_no_processor(record, worker_slots_.empty() || fn.meta()
                                     ? "the context has no CPU thread of this process"
                                     : "the context has no CPU thread of this process, and its function, "
                                       "arguments or result cannot be sent to a worker (see README: what can "
                                       "run in a worker)");
    }
    return;
  }
  record.placement = Placement::pinned;
  std::vector<std::uint16_t> candidates;
  for (std::size_t s = 0; s < slot_count_; ++s) {
    const Processor& p = *slots_[s].processor;
    if (!scope.allows(p)) continue;
    if (fn.meta()) {
      if (slots_[s].steals) candidates.push_back(static_cast<std::uint16_t>(s));
      continue;
    }
    const auto version = std::find(fn.kinds().begin(), fn.kinds().end(), p.kind());
    if (version == fn.kinds().end()) continue;
    if (slots_[s].in_worker && !fn.remote_capable(static_cast<std::size_t>(version - fn.kinds().begin()))) continue;
    candidates.push_back(static_cast<std::uint16_t>(s));
  }
  if (candidates.empty()) {
    throw_no_processor(record, "no processor of the context is both allowed by its scope and "
                               "of a kind it has a version for");
  }
  record.candidates = static_cast<std::uint32_t>(candidates_.size());
  candidates_.push_back(std::move(candidates));
}

void Run::throw_no_processor(const RunRecord& record, const char* why) const {
  std::string processors;
  for (std::size_t s = 0; s < slot_count_; ++s) {
    processors += (s ? ", " : "") + slots_[s].processor->name();
  }
  if (!lost_processors_.empty()) {
    std::string lost;
    for (const std::string& name : lost_processors_) lost += (lost.empty() ? "" : ", ") + name;
    throw WorkerLost(lost, "no processor that is left can run thunk " + std::to_string(record.node->id) + " (" +
                               record.node->name() + "): " + why + "; left: [" + processors + "]");
  }
  throw NoProcessorError("no processor can run thunk " + std::to_string(record.node->id) + " (" +
                         record.node->name() + "): " + why + "; versions for " +
                         kinds_text(record.node->fn->kinds()) + ", context [" + processors + "]");
}

// Estimated finish time on each candidate: work already queued there, plus
// moving the inputs it lacks, plus the learned runtime of this function on
// that kind of processor. A kind never tried is estimated at zero, so every
// kind gets measured.
int Run::choose_slot(RunRecord& record) {
  const auto& candidates = candidates_[record.candidates];
  const Callable& fn = *record.node->fn;
  int best = candidates.front();
  double best_cost = std::numeric_limits<double>::infinity();
  double best_transfer = best_cost;
  double best_estimate = 0;
  for (std::uint16_t s : candidates) {
    const Slot& slot = slots_[s];
    double transfer = 0;
    for (std::uint32_t k = 0; k < record.node->deps.size(); ++k) {
      const ChunkPtr& chunk = plan_.input(record, k);
      if (chunk->space != slot.memory) {
        transfer += static_cast<double>(chunk->bytes) / chunk->space->bandwidth_to(*slot.memory) * 1e9;
      }
    }
    const double estimate = fn.meta() ? 0 : cost_model().estimate(fn.key(), slot.processor->kind()).value_or(0);
    const double cost = static_cast<double>(slot.load_ns.load(std::memory_order_relaxed)) + transfer + estimate +
                        (slot.in_worker ? worker_round_trip_ns() : 0);
    if (cost < best_cost || (cost == best_cost && transfer < best_transfer)) {
      best = s;
      best_cost = cost;
      best_transfer = transfer;
      best_estimate = estimate;
    }
  }
  const auto charge = static_cast<std::int64_t>(std::max(best_estimate, 1.0));
  record.estimate_ns = charge;
  slots_[best].load_ns.fetch_add(charge, std::memory_order_relaxed);
  return best;
}

// Plain CPU functions and meta functions have one version; others run the
// version of the slot's processor kind (placement made sure it exists).
std::size_t Run::version_for(int slot, const ThunkNode& node) const {
  if (node.any_cpu || node.fn->meta()) return 0;
  const auto kinds = node.fn->kinds();
  return static_cast<std::size_t>(std::find(kinds.begin(), kinds.end(), slots_[slot].processor->kind()) -
                                  kinds.begin());
}

}  // namespace dagger::detail
