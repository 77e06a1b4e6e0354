#include "dashboard/sampler.hpp"

#include "dagger/config.hpp"
#include "dagger/cuda.hpp"
#include "dagger/distributed.hpp"
#include "scheduler/recomputations.hpp"
#include "transport/cluster.hpp"

namespace dagger::detail {

void Sampler::ask(WorkerProc& worker, Seen& seen, std::int64_t now_ns) {
  std::shared_ptr<Asked> asked = seen.asked;
  {
    std::lock_guard lock(asked->mutex);
    if (asked->waiting || now_ns - asked->asked_ns < kAskEveryNs) return;
    asked->waiting = true;
    asked->asked_ns = now_ns;
  }
  worker.link().call_async(MessageType::stats, std::make_shared<WireWriter>(),
                           [asked](WorkerLink::Reply* reply, std::exception_ptr) {
                             std::optional<StatsReply> stats;
                             if (reply != nullptr) {
                               try {
                                 auto decoded = reply->decode();
                                 if (auto* s = std::get_if<StatsReply>(&decoded.message)) stats = *s;
                               } catch (...) {
                                 // a malformed reply: keep the last good one
                               }
                             }
                             std::lock_guard lock(asked->mutex);
                             asked->waiting = false;
                             if (stats) asked->last = stats;
                           });
}

Samples Sampler::sample(std::int64_t now_ns) {
  Samples out;
  const MemoryStats here = memory_stats();
  out.memory.push_back(MemoryRow{"driver", false, here.resident_bytes, here.spilled_bytes, here.limit,
                                 here.peak_resident_bytes, here.spills, here.reloads});
  for (Processor* p : all_processors()) {
    const auto* gpu = dynamic_cast<const CudaProc*>(p);
    if (gpu == nullptr) continue;
    const DeviceMemoryStats d = gpu->memory_stats();
    out.memory.push_back(MemoryRow{gpu->name(), true, d.resident_bytes, d.evicted_bytes, d.limit,
                                   d.peak_resident_bytes, d.evictions, d.reloads});
  }
  if (Cluster* cluster = cluster_if_created()) {
    for (WorkerProc* w : cluster->joined_workers()) {
      WorkerLink& link = w->link();
      Seen& seen = seen_[w];
      const std::uint64_t sent = link.sent_bytes(), received = link.received_bytes();
      if (seen.at_ns != 0 && now_ns > seen.at_ns) {
        const double dt = static_cast<double>(now_ns - seen.at_ns) * 1e-9;
        seen.sent_rate = static_cast<double>(sent - seen.sent) / dt;
        seen.received_rate = static_cast<double>(received - seen.received) / dt;
      }
      seen.sent = sent;
      seen.received = received;
      seen.at_ns = now_ns;
      WorkerRow row;
      row.name = w->name();
      row.host = w->host();
      row.pid = w->pid();
      row.threads = w->threads();
      row.lost = link.lost();
      row.reason = row.lost ? link.lost_reason() : std::string();
      row.sent_bytes = sent;
      row.received_bytes = received;
      row.sent_rate = row.lost ? 0 : seen.sent_rate;
      row.received_rate = row.lost ? 0 : seen.received_rate;
      if (!row.lost) ask(*w, seen, now_ns);
      std::optional<StatsReply> last;
      {
        std::lock_guard lock(seen.asked->mutex);
        last = seen.asked->last;
      }
      if (last) {
        row.live_chunks = last->live_chunks;
        if (!row.lost) {
          out.memory.push_back(MemoryRow{row.name, false, last->resident_bytes, last->spilled_bytes, last->memory_limit,
                                         last->peak_resident_bytes, last->spills, last->reloads});
        }
      }
      out.workers.push_back(std::move(row));
    }
  }
  out.recomputed = recomputed_tasks();
  return out;
}

}  // namespace dagger::detail
