// The driver's side of one worker's connection: requests and their replies,
// the worker's processors, and whether it is lost.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "dagger/distributed.hpp"
#include "transport/messages.hpp"
#include "transport/transport.hpp"
#include "transport/worker_spawns.hpp"

namespace dagger {

class WorkerLink {
 public:
  using MessageType = detail::MessageType;
  using Bytes = detail::Bytes;
  struct Reply {
    MessageType type;
    Bytes body;
    detail::DecodedMessage decode() const;
  };

  WorkerLink(detail::Transport& transport, detail::ConnectionId connection)
      : spawns(*this), transport_(transport), connection_(connection) {}

  detail::ConnectionId connection() const noexcept { return connection_; }
  // What a request's reply is handed to: the reply, or (reply null) the
  // exception that ends the request, WorkerLost when the worker is lost.
  // Runs on the transport thread, or on the caller's when the worker is
  // already lost; it must not throw.
  using ReplyHandler = std::function<void(Reply* reply, std::exception_ptr error)>;
  // Sends a request; its reply goes to `on_reply`.
  void call_async(MessageType type, std::shared_ptr<detail::WireWriter> body, ReplyHandler on_reply,
                  std::shared_ptr<const void> keep = nullptr);
  // Sends a request and waits for its reply; throws WorkerLost if the worker
  // is or gets lost first.
  Reply call(MessageType type, std::shared_ptr<detail::WireWriter> body, std::shared_ptr<const void> keep = nullptr);
  // Sends a message that has no reply (a lost worker: nothing happens).
  void send(const detail::Message& message);
  // Answers the worker's request (a lost worker: nothing happens).
  void reply(std::uint64_t request, const detail::Message& message);
  void reply(detail::OutgoingMessage message);
  // A reply arrived (transport thread).
  void answer(std::uint64_t request, MessageType type, Bytes body);
  // The connection broke: every waiting call throws WorkerLost.
  void lose(const std::string& why);
  bool lost() const noexcept { return lost_.load(std::memory_order_acquire); }
  std::string lost_reason() const;
  // Bytes of messages (headers and bodies) sent to the worker and received
  // from it, since it connected: the dashboard's transfer rates.
  std::uint64_t sent_bytes() const noexcept { return sent_bytes_.load(std::memory_order_relaxed); }
  std::uint64_t received_bytes() const noexcept { return received_bytes_.load(std::memory_order_relaxed); }
  // Counts a message from the worker, which is also a sign of life.
  void count_received(std::size_t bytes) noexcept {
    received_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    last_heard_ns_.store(detail::now_ns(), std::memory_order_relaxed);
  }
  // When the worker last sent anything (steady ns; its connection's
  // creation before its first message).
  std::int64_t last_heard_ns() const noexcept { return last_heard_ns_.load(std::memory_order_relaxed); }
  // A heartbeat (a stats request) is out and not yet answered.
  std::atomic<bool> heartbeat_out{false};

  // Set once the worker joined.
  WorkerProc* proc = nullptr;
  // The tasks its task bodies spawned.
  detail::WorkerSpawns spawns;
  std::string name() const;

 private:
  detail::Transport& transport_;
  const detail::ConnectionId connection_;
  void send_counted(detail::OutgoingMessage message);

  std::atomic<bool> lost_{false};
  std::atomic<std::uint64_t> next_request_{1};
  std::atomic<std::uint64_t> sent_bytes_{0};
  std::atomic<std::uint64_t> received_bytes_{0};
  std::atomic<std::int64_t> last_heard_ns_{detail::now_ns()};
  mutable std::mutex mutex_;
  std::string lost_reason_;
  std::unordered_map<std::uint64_t, ReplyHandler> waiting_;
};

namespace detail {

// A chunk that lives in a worker, as the driver holds it: released there
// when the last driver-side handle goes.
struct RemoteChunk {
  WorkerLink* link;
  std::uint64_t id;
  std::uint64_t bytes;
  // A small value's wire form, sent with the task's reply: fetched from
  // here, without asking the worker (empty: ask).
  std::vector<std::byte> wire_form = {};
  ~RemoteChunk();
};
struct RemoteValue {
  std::shared_ptr<RemoteChunk> chunk;
};
inline std::size_t dagger_byte_size(const RemoteValue& v) { return v.chunk->bytes; }

// The driver's cluster state; created on first use.
class Cluster;
Cluster& cluster();
// The cluster if something created it, else null (creates nothing).
Cluster* cluster_if_created();

}  // namespace detail
}  // namespace dagger
