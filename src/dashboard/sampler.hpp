// Reads what the dashboard's memory and worker panels show: this process's
// memory, each GPU's, and each worker's (asked over its connection without
// waiting: a slow or hung worker shows its last answer), workers' states
// and the bytes moved to and from them.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "dashboard/dashboard_state.hpp"
#include "transport/messages.hpp"

namespace dagger {
class WorkerProc;
}

namespace dagger::detail {

class Sampler {
 public:
  // Each worker is asked for its memory at most this often.
  static constexpr std::int64_t kAskEveryNs = 1'000'000'000;

  Samples sample(std::int64_t now_ns);

 private:
  struct Asked {
    std::mutex mutex;
    std::optional<StatsReply> last;
    bool waiting = false;
    std::int64_t asked_ns = 0;
  };
  struct Seen {
    std::uint64_t sent = 0, received = 0;
    std::int64_t at_ns = 0;
    double sent_rate = 0, received_rate = 0;
    std::shared_ptr<Asked> asked = std::make_shared<Asked>();
  };
  void ask(WorkerProc& worker, Seen& seen, std::int64_t now_ns);

  std::unordered_map<const WorkerProc*, Seen> seen_;
};

}  // namespace dagger::detail
