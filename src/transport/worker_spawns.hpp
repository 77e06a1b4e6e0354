// The tasks that task bodies in a worker spawn, as the driver keeps them:
// each runs here as an ordinary eager task under the worker's name for it,
// placed on the driver's CPU threads or on that worker's threads, whichever
// has less queued; the worker's fetch is answered once it is final.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "dagger/detail/thunk_node.hpp"
#include "transport/messages.hpp"

namespace dagger {
class WorkerLink;
}

namespace dagger::detail {

class WorkerSpawns {
 public:
  explicit WorkerSpawns(WorkerLink& link) : link_(link) {}

  // A spawn, fetch, cancel or forget from the worker (transport thread).
  // Throws ProtocolError for one that names tasks it never spawned.
  void handle(std::uint64_t request, const Message& message, const std::shared_ptr<Bytes>& body);
  // The worker is gone: nobody will fetch its tasks.
  void lose();

 private:
  void spawn(const SpawnTask& m, const std::shared_ptr<Bytes>& body);
  void answer_when_final(std::uint64_t request, const NodePtr& node);
  void answer(std::uint64_t request, const NodePtr& node);
  NodePtr task(std::uint64_t id);

  WorkerLink& link_;
  std::mutex mutex_;
  std::unordered_map<std::uint64_t, NodePtr> tasks_;  // the worker's name → the task
};

}  // namespace dagger::detail
