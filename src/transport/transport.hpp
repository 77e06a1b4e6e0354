// Connections between the processes of a cluster, over UCX active messages.
//
// One thread per process owns the UCX worker: it progresses sends and
// receives and sleeps on the worker's event descriptor when there is
// nothing to do. Other threads hand it messages through a queue. A message
// is a small header (sent eagerly) and a body of byte ranges sent from where
// they lie; large bodies go by rendezvous straight from those ranges.
//
// Endpoints use UCX's peer error handling, so a peer that dies is reported
// (as `on_lost`) instead of leaving requests hanging. With it, UCX 1.13 uses
// its tcp transport even between processes of one host.
//
// A body whose bulk is one large range after a few small ones travels as
// that range alone, contiguous, with the small ones in the active message's
// header: UCX's rendezvous over tcp moves a contiguous buffer about 1.5x
// faster than an io vector (ucx_perftest -D contig against -D iov).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace dagger::detail {

using ConnectionId = std::uint64_t;

// A received message body, in memory the receiver owns. Its bulk (the last
// large range the sender gave) starts on a 64-byte boundary, a page boundary
// when it is at least 1 MiB, so a value read from it may keep a share of the
// buffer instead of copying it (see detail/wire_adopt.hpp).
struct Bytes {
  std::shared_ptr<std::byte[]> data;
  std::size_t size = 0;
  std::span<const std::byte> view() const { return {data.get(), size}; }
};

struct OutgoingMessage {
  std::string header;                               // at most Transport::kMaxHeader bytes
  std::vector<std::span<const std::byte>> body;     // sent in order, from where they lie
  std::shared_ptr<const void> keep_alive;           // owns what `body` points into
};

class Transport {
 public:
  static constexpr std::size_t kMaxHeader = 1024;

  struct Handlers {
    // On the transport thread: return quickly.
    std::function<void(ConnectionId, std::string header, Bytes body)> on_message;
    std::function<void(ConnectionId, const std::string& why)> on_lost;
    std::function<void(ConnectionId)> on_accept;  // a peer connected to our listener
  };

  // `max_body`: larger incoming bodies are refused and their connection dropped.
  Transport(Handlers handlers, std::size_t max_body);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Listens on host:port (port 0: any free port); returns the port.
  int listen(const std::string& host, int port);
  // Connects to a listener; failures arrive as on_lost of the returned id.
  ConnectionId connect(const std::string& host, int port);
  // Queues a message; a failed send drops the connection (on_lost).
  // Once a connection has carried a message each way, its messages of up
  // to 64 KiB arrive in the order they were sent; a larger one arrives once
  // its data is in, possibly after smaller ones sent later. (While UCX
  // connects, queued sends may be overtaken; the handshake waits for the
  // driver's answer, so no other message is sent then.)
  void send(ConnectionId to, OutgoingMessage message);
  // Drops a connection (its pending sends are cancelled); no on_lost for it.
  void close(ConnectionId id);
  // Closes every connection and releases UCX, before the process exits:
  // UCX's own teardown at exit must not meet a transport thread still
  // polling. Sends after it are dropped; listen fails.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dagger::detail
