// Eager tasks in a worker process. A task body running here that spawns
// sends the call to the driver, which places it (on its own threads or on
// this worker's) like any task; the Task handle here is a proxy whose
// outcome the driver sends when it is first fetched or waited for. A
// thread that waits runs this worker's other queued work meanwhile, so a
// parent waiting for a child placed on this same worker does not deadlock.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "dagger/detail/task_state.hpp"
#include "transport/messages.hpp"

namespace dagger::detail {

class WorkerTasks final : public RemoteTasks {
 public:
  // What the worker's server provides.
  class Server {
   public:
    virtual ~Server() = default;
    virtual void send(std::uint64_t request, const Message& message) = 0;
    // Runs queued work until done() is true, sleeping while there is none.
    virtual void help_until(const std::function<bool()>& done) = 0;
    // Something a helper waits for may have happened.
    virtual void wake_helpers() = 0;
    // A chunk the driver told this worker to keep; throws ProtocolError.
    virtual ChunkPtr held_chunk(std::uint64_t id) = 0;
  };

  explicit WorkerTasks(Server& server) : server_(server) {}

  void start(const NodePtr& node) override;
  void request(ThunkNode& node) override;
  void wait(ThunkNode& node) override;
  void cancel(ThunkNode& node) override;
  void forget(std::uint64_t remote_id) noexcept override;

  // The driver answered fetch `request` (transport thread): with the value
  // (ValueReply, `body` holds its bytes), the chunk it left here (Stored)
  // or the failure (Failed). Throws ProtocolError for a reply nobody asked.
  void answer(std::uint64_t request, const Message& reply, const std::shared_ptr<Bytes>& body);

 private:
  void settle(ThunkNode& node, ChunkPtr result, std::exception_ptr error, TaskStatus status);

  Server& server_;
  std::atomic<std::uint64_t> next_task_{1};
  std::atomic<std::uint64_t> next_request_{1};
  std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::uint64_t> asked_;  // remote id → its fetch request
  std::unordered_map<std::uint64_t, std::weak_ptr<ThunkNode>> fetching_;  // request → task
};

}  // namespace dagger::detail
