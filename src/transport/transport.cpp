#include "transport/transport.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>
#include <ucp/api/ucp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <future>
#include <iostream>
#include <mutex>
#include <new>
#include <thread>
#include <unordered_map>

#include "dagger/config.hpp"
#include "dagger/errors.hpp"
#include "transport/batch.hpp"

namespace dagger::detail {
namespace {

constexpr unsigned kAmId = 0;

// The active message's header is the message's header and then the body's
// small leading parts: [u16 header size][header][prefix].
constexpr std::size_t kMaxPrefix = 1024;
// A body's last part at least this large is sent alone, contiguous.
constexpr std::size_t kContiguousBulk = 64 * 1024;
// Bodies this large are received into their own mapping, page aligned.
constexpr std::size_t kMappedBody = 1 << 20;
// Small messages queued together for one connection travel as one active
// message (a batch, marked by an empty header): one send and one wake-up
// of the receiver for all of them (see batch.hpp).
constexpr std::size_t kBatchableBody = 4096;
constexpr std::size_t kMaxBatchBody = 64 * 1024;

std::size_t body_size(const OutgoingMessage& m) {
  std::size_t n = 0;
  for (auto part : m.body) n += part.size();
  return n;
}

// Large receive buffers that were let go (by the message, or by the block
// that kept it), kept for the next large message of the same size: fresh
// pages cost the kernel a fault and zeroing each, which made a fetch over
// loopback tcp about 1.5x slower. At most two, of at most 256 MiB together
// and an eighth of the memory limit: memory the chunk store does not count.
// (Marking them MADV_FREE instead costs a fault per page on reuse again.)
class MappingCache {
 public:
  // A mapping of exactly `bytes`, reused or new.
  void* take(std::size_t bytes) {
    // Read here, not when a buffer comes back: that may be during exit.
    const std::size_t most = std::min(kMaxBytes, config().memory_limit / 8);
    {
      std::lock_guard lock(mutex_);
      most_ = most;
      for (std::size_t i = 0; i < free_.size(); ++i) {
        if (free_[i].bytes == bytes) {
          void* p = free_[i].address;
          held_ -= bytes;
          free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(i));
          return p;
        }
      }
    }
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    ::madvise(p, bytes, MADV_HUGEPAGE);
    return p;
  }
  void give_back(void* address, std::size_t bytes) {
    {
      std::lock_guard lock(mutex_);
      if (free_.size() < kMaxMappings && held_ + bytes <= most_) {
        free_.push_back({address, bytes});
        held_ += bytes;
        return;
      }
    }
    ::munmap(address, bytes);
  }

 private:
  static constexpr std::size_t kMaxMappings = 2;
  static constexpr std::size_t kMaxBytes = std::size_t{256} << 20;
  struct Mapping {
    void* address;
    std::size_t bytes;
  };
  std::mutex mutex_;
  std::vector<Mapping> free_;
  std::size_t held_ = 0;
  std::size_t most_ = 0;
};

MappingCache& mapping_cache() {
  static auto* cache = new MappingCache();  // never destroyed: blocks may outlive static destruction
  return *cache;
}

// Memory for a received body of `prefix` + `bulk` bytes, placed so that the
// bulk starts on a 64-byte boundary (a page for large bodies, mapped with
// huge pages where offered, like Block buffers): a block read from it can
// keep it as its own buffer.
std::shared_ptr<std::byte[]> allocate_body(std::size_t prefix, std::size_t bulk) {
  const std::size_t total = prefix + bulk;
  if (total >= kMappedBody) {
    const std::size_t pad = (4096 - prefix % 4096) % 4096;
    const std::size_t mapped = pad + total;
    auto* p = static_cast<std::byte*>(mapping_cache().take(mapped));
    std::shared_ptr<std::byte[]> owner(p, [mapped](std::byte* q) { mapping_cache().give_back(q, mapped); });
    return std::shared_ptr<std::byte[]>(owner, owner.get() + pad);
  }
  const std::size_t pad = (64 - prefix % 64) % 64;
  std::shared_ptr<std::byte[]> owner(static_cast<std::byte*>(::operator new(pad + total + 1, std::align_val_t{64})),
                                     [](std::byte* q) { ::operator delete(q, std::align_val_t{64}); });
  return std::shared_ptr<std::byte[]>(owner, owner.get() + pad);
}

[[noreturn]] void throw_ucx(const char* call, ucs_status_t status) {
  throw Error(std::string("UCX: ") + call + " failed: " + ucs_status_string(status));
}

sockaddr_storage resolve(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0 || found == nullptr) {
    throw Error("cannot resolve host '" + host + "': " + ::gai_strerror(rc));
  }
  sockaddr_storage out{};
  std::memcpy(&out, found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);
  reinterpret_cast<sockaddr_in*>(&out)->sin_port = htons(static_cast<std::uint16_t>(port));
  return out;
}

}  // namespace

class Transport::Impl {
  // Work for the transport thread: a task, or else a message to send.
  struct Posted {
    std::function<void()> task;
    ConnectionId to;
    std::shared_ptr<OutgoingMessage> message;
  };
  struct Batch {
    std::vector<std::shared_ptr<OutgoingMessage>> messages;
    std::size_t bytes = 0;
  };

 public:
  Impl(Handlers handlers, std::size_t max_body) : handlers_(std::move(handlers)), max_body_(max_body) {
    // A restarted listener may reuse its port at once.
    ::setenv("UCX_TCP_CM_REUSEADDR", "y", 0);
    ucp_config_t* config = nullptr;
    if (auto s = ucp_config_read(nullptr, nullptr, &config); s != UCS_OK) throw_ucx("ucp_config_read", s);
    ucp_params_t params{};
    params.field_mask = UCP_PARAM_FIELD_FEATURES;
    params.features = UCP_FEATURE_AM | UCP_FEATURE_WAKEUP;
    ucs_status_t s = ucp_init(&params, config, &context_);
    ucp_config_release(config);
    if (s != UCS_OK) throw_ucx("ucp_init", s);
    ucp_worker_params_t wp{};
    wp.field_mask = UCP_WORKER_PARAM_FIELD_THREAD_MODE;
    wp.thread_mode = UCS_THREAD_MODE_SINGLE;  // only the transport thread touches it
    if (s = ucp_worker_create(context_, &wp, &worker_); s != UCS_OK) throw_ucx("ucp_worker_create", s);
    if (s = ucp_worker_get_efd(worker_, &worker_fd_); s != UCS_OK) throw_ucx("ucp_worker_get_efd", s);
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    ucp_am_handler_param_t hp{};
    hp.field_mask = UCP_AM_HANDLER_PARAM_FIELD_ID | UCP_AM_HANDLER_PARAM_FIELD_CB | UCP_AM_HANDLER_PARAM_FIELD_ARG;
    hp.id = kAmId;
    hp.cb = &Impl::on_active_message;
    hp.arg = this;
    if (s = ucp_worker_set_am_recv_handler(worker_, &hp); s != UCS_OK) throw_ucx("ucp_worker_set_am_recv_handler", s);
    thread_ = std::thread([this] { loop(); });
  }

  ~Impl() {
    stop();
    ::close(wake_fd_);
  }

  // Closes every connection, ends the transport thread and releases UCX.
  // Work posted from then on is dropped. Only one thread may call it.
  void stop() {
    if (!thread_.joinable()) return;
    post([this] {
      stopping_ = true;
      std::lock_guard lock(mutex_);
      stopped_ = true;  // so nothing is queued that the ending thread would not run
    });
    thread_.join();
    ucp_worker_destroy(worker_);
    ucp_cleanup(context_);
  }

  // Runs `task` on the transport thread and waits for its result.
  template <class R>
  R call(std::function<R()> task) {
    std::packaged_task<R()> packaged(std::move(task));
    auto result = packaged.get_future();
    if (!post([&packaged] { packaged(); })) throw Error("the transport is shut down");
    return result.get();
  }

  bool post(std::function<void()> task) { return post(Posted{std::move(task), 0, nullptr}); }

  // False if the transport has stopped, and the work was dropped.
  bool post(Posted posted) {
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return false;
      tasks_.push_back(std::move(posted));
    }
    // Only a sleeping transport thread needs the wake-up (a system call):
    // an awake one looks at the queue again before it sleeps.
    if (sleeping_.load(std::memory_order_seq_cst)) {
      const std::uint64_t one = 1;
      [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
    }
    return true;
  }

  int listen(const std::string& host, int port) {
    return call<int>([&] {
      sockaddr_storage address = resolve(host, port);
      ucp_listener_params_t lp{};
      lp.field_mask = UCP_LISTENER_PARAM_FIELD_SOCK_ADDR | UCP_LISTENER_PARAM_FIELD_CONN_HANDLER;
      lp.sockaddr.addr = reinterpret_cast<const sockaddr*>(&address);
      lp.sockaddr.addrlen = sizeof(sockaddr_in);
      lp.conn_handler.cb = &Impl::on_connection_request;
      lp.conn_handler.arg = this;
      if (listener_ != nullptr) throw UsageError("this process already listens");
      if (auto s = ucp_listener_create(worker_, &lp, &listener_); s != UCS_OK) {
        listener_ = nullptr;
        throw Error("cannot listen on " + host + ":" + std::to_string(port) + ": " + ucs_status_string(s));
      }
      ucp_listener_attr_t attr{};
      attr.field_mask = UCP_LISTENER_ATTR_FIELD_SOCKADDR;
      if (auto s = ucp_listener_query(listener_, &attr); s != UCS_OK) throw_ucx("ucp_listener_query", s);
      return static_cast<int>(ntohs(reinterpret_cast<const sockaddr_in*>(&attr.sockaddr)->sin_port));
    });
  }

  ConnectionId connect(const std::string& host, int port) {
    sockaddr_storage address = resolve(host, port);
    const ConnectionId id = next_id_++;
    const bool posted = post([this, id, address] {
      ucp_ep_params_t ep{};
      ep.field_mask = UCP_EP_PARAM_FIELD_FLAGS | UCP_EP_PARAM_FIELD_SOCK_ADDR | UCP_EP_PARAM_FIELD_ERR_HANDLER |
                      UCP_EP_PARAM_FIELD_ERR_HANDLING_MODE;
      ep.flags = UCP_EP_PARAMS_FLAGS_CLIENT_SERVER;
      ep.sockaddr.addr = reinterpret_cast<const sockaddr*>(&address);
      ep.sockaddr.addrlen = sizeof(sockaddr_in);
      ep.err_mode = UCP_ERR_HANDLING_MODE_PEER;
      ep.err_handler.cb = &Impl::on_endpoint_error;
      ep.err_handler.arg = this;
      ucp_ep_h handle = nullptr;
      if (auto s = ucp_ep_create(worker_, &ep, &handle); s != UCS_OK) {
        handlers_.on_lost(id, std::string("cannot connect: ") + ucs_status_string(s));
        return;
      }
      add(id, handle);
    });
    if (!posted) throw Error("cannot connect to " + host + ":" + std::to_string(port) + ": the transport is shut down");
    return id;
  }

  void send(ConnectionId to, OutgoingMessage message) {
    post(Posted{nullptr, to, std::make_shared<OutgoingMessage>(std::move(message))});
  }

  void close(ConnectionId id) {
    post([this, id] { drop(id, nullptr); });
  }

 private:
  struct SendState {
    Impl* impl;
    ConnectionId to;
    std::shared_ptr<OutgoingMessage> message;
    std::string am_header;  // UCX reads it until the send completes
    std::vector<ucp_dt_iov_t> iov;
  };
  struct ReceiveState {
    Impl* impl;
    ConnectionId from;
    std::string header;
    Bytes body;
  };

  void add(ConnectionId id, ucp_ep_h ep) {
    connections_[id] = ep;
    ids_[ep] = id;
  }

  ConnectionId id_of(ucp_ep_h ep) const {
    auto it = ids_.find(ep);
    return it == ids_.end() ? 0 : it->second;
  }

  // Forgets a connection and closes its endpoint; reports it unless `why` is null.
  void drop(ConnectionId id, const char* why) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    ucp_ep_h ep = it->second;
    connections_.erase(it);
    ids_.erase(ep);
    ucp_request_param_t rp{};
    rp.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS;
    rp.flags = UCP_EP_CLOSE_FLAG_FORCE;
    ucs_status_ptr_t request = ucp_ep_close_nbx(ep, &rp);
    if (UCS_PTR_IS_PTR(request)) closing_.push_back(request);
    if (why != nullptr && handlers_.on_lost) handlers_.on_lost(id, why);
  }

  void start_send(ConnectionId to, const std::shared_ptr<OutgoingMessage>& message) {
    auto it = connections_.find(to);
    if (it == connections_.end()) return;  // already lost: its owner was told
    auto* state = new SendState{this, to, message, {}, {}};
    std::vector<std::span<const std::byte>> parts;
    for (auto part : message->body) {
      if (!part.empty()) parts.push_back(part);
    }
    // Small leading parts before one large last part go in the header.
    std::size_t leading = 0, leading_bytes = 0;
    if (parts.size() >= 2 && parts.back().size() >= kContiguousBulk) {
      for (std::size_t i = 0; i + 1 < parts.size(); ++i) leading_bytes += parts[i].size();
      if (leading_bytes <= kMaxPrefix) leading = parts.size() - 1;
    }
    const auto header_size = static_cast<std::uint16_t>(message->header.size());
    state->am_header.reserve(2 + header_size + leading_bytes);
    state->am_header.append(reinterpret_cast<const char*>(&header_size), 2);
    state->am_header.append(message->header);
    for (std::size_t i = 0; i < leading; ++i) {
      state->am_header.append(reinterpret_cast<const char*>(parts[i].data()), parts[i].size());
    }
    for (std::size_t i = leading; i < parts.size(); ++i) {
      state->iov.push_back({const_cast<std::byte*>(parts[i].data()), parts[i].size()});
    }
    ucp_request_param_t rp{};
    rp.op_attr_mask = UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA | UCP_OP_ATTR_FIELD_FLAGS |
                      UCP_OP_ATTR_FIELD_DATATYPE;
    rp.flags = UCP_AM_SEND_FLAG_REPLY;
    // Eager messages arrive in the order they were sent; a rendezvous one is
    // delivered when its data is in, after later eager ones. Up to the batch
    // size, messages (and batches) go eagerly, so they keep their order.
    std::size_t bytes = state->am_header.size();
    for (const ucp_dt_iov_t& part : state->iov) bytes += part.length;
    if (bytes <= kMaxBatchBody) rp.flags |= UCP_AM_SEND_FLAG_EAGER;
    rp.cb.send = &Impl::on_send_done;
    rp.user_data = state;
    // One range goes as a contiguous buffer, several as an io vector.
    rp.datatype = ucp_dt_make_contig(1);
    const void* data = nullptr;
    std::size_t count = 0;
    if (state->iov.size() == 1) {
      data = state->iov.front().buffer;
      count = state->iov.front().length;
    } else if (state->iov.size() > 1) {
      rp.datatype = static_cast<ucp_datatype_t>(UCP_DATATYPE_IOV);
      data = state->iov.data();
      count = state->iov.size();
    }
    ucs_status_ptr_t request =
        ucp_am_send_nbx(it->second, kAmId, state->am_header.data(), state->am_header.size(), data, count, &rp);
    if (request == nullptr) {
      delete state;
    } else if (UCS_PTR_IS_ERR(request)) {
      delete state;
      drop(to, ucs_status_string(UCS_PTR_STATUS(request)));
    }
  }

  static void on_send_done(void* request, ucs_status_t status, void* user_data) {
    auto* state = static_cast<SendState*>(user_data);
    if (status != UCS_OK && status != UCS_ERR_CANCELED) state->impl->drop(state->to, ucs_status_string(status));
    ucp_request_free(request);
    delete state;
  }

  static ucs_status_t on_active_message(void* arg, const void* header, std::size_t header_length, void* data,
                                        std::size_t length, const ucp_am_recv_param_t* param) {
    auto* self = static_cast<Impl*>(arg);
    const ConnectionId from =
        (param->recv_attr & UCP_AM_RECV_ATTR_FIELD_REPLY_EP) != 0 ? self->id_of(param->reply_ep) : 0;
    if (from == 0) {
      std::cerr << "dagger: dropped a message from an unknown endpoint\n";
      return UCS_OK;
    }
    const auto* am_header = static_cast<const char*>(header);
    std::uint16_t header_size = 0;
    if (header_length >= 2) std::memcpy(&header_size, am_header, 2);
    const std::size_t prefix = header_length >= 2u + header_size ? header_length - 2 - header_size : 0;
    if (header_length < 2u + header_size || header_size > kMaxHeader || prefix > kMaxPrefix ||
        length > self->max_body_ || prefix + length > self->max_body_) {
      std::cerr << "dagger: dropped connection " << from << ": a message of " << header_length << " + " << length
                << " bytes exceeds the limits\n";
      self->drop(from, "sent an oversized message");
      return UCS_OK;
    }
    auto* state = new ReceiveState{self, from, std::string(am_header + 2, header_size),
                                   Bytes{allocate_body(prefix, length), prefix + length}};
    std::memcpy(state->body.data.get(), am_header + 2 + header_size, prefix);
    std::byte* bulk = state->body.data.get() + prefix;
    if ((param->recv_attr & UCP_AM_RECV_ATTR_FLAG_RNDV) == 0) {
      if (length > 0) std::memcpy(bulk, data, length);
      self->deliver(state);
      return UCS_OK;
    }
    ucp_request_param_t rp{};
    rp.op_attr_mask = UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA | UCP_OP_ATTR_FIELD_DATATYPE;
    rp.datatype = ucp_dt_make_contig(1);
    rp.cb.recv_am = &Impl::on_receive_done;
    rp.user_data = state;
    ucs_status_ptr_t request = ucp_am_recv_data_nbx(self->worker_, data, bulk, length, &rp);
    if (request == nullptr) {
      self->deliver(state);
    } else if (UCS_PTR_IS_ERR(request)) {
      self->drop(from, ucs_status_string(UCS_PTR_STATUS(request)));
      delete state;
    }
    return UCS_OK;
  }

  static void on_receive_done(void* request, ucs_status_t status, std::size_t, void* user_data) {
    auto* state = static_cast<ReceiveState*>(user_data);
    if (status == UCS_OK) {
      state->impl->deliver(state);
    } else {
      state->impl->drop(state->from, ucs_status_string(status));
      delete state;
    }
    ucp_request_free(request);
  }

  void deliver(ReceiveState* state) {
    std::unique_ptr<ReceiveState> owned(state);
    if (connections_.count(state->from) == 0) return;  // dropped meanwhile
    if (!state->header.empty()) {
      handlers_.on_message(state->from, std::move(state->header), std::move(state->body));
      return;
    }
    std::vector<BatchedMessage> messages;
    if (!split_batch(state->body.view(), messages)) {
      std::cerr << "dagger: dropped connection " << state->from << ": a malformed batch of messages\n";
      drop(state->from, "sent a malformed batch of messages");
      return;
    }
    for (const BatchedMessage& m : messages) {
      if (connections_.count(state->from) == 0) return;  // a handler dropped it
      // Each body is a share of the batch's buffer.
      Bytes body{std::shared_ptr<std::byte[]>(state->body.data, const_cast<std::byte*>(m.body.data())), m.body.size()};
      handlers_.on_message(state->from, std::string(m.header), std::move(body));
    }
  }

  static void on_connection_request(ucp_conn_request_h request, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    ucp_ep_params_t ep{};
    ep.field_mask = UCP_EP_PARAM_FIELD_CONN_REQUEST | UCP_EP_PARAM_FIELD_ERR_HANDLER |
                    UCP_EP_PARAM_FIELD_ERR_HANDLING_MODE;
    ep.conn_request = request;
    ep.err_mode = UCP_ERR_HANDLING_MODE_PEER;
    ep.err_handler.cb = &Impl::on_endpoint_error;
    ep.err_handler.arg = self;
    ucp_ep_h handle = nullptr;
    if (auto s = ucp_ep_create(self->worker_, &ep, &handle); s != UCS_OK) {
      std::cerr << "dagger: refused a connection: " << ucs_status_string(s) << "\n";
      return;
    }
    const ConnectionId id = self->next_id_++;
    self->add(id, handle);
    if (self->handlers_.on_accept) self->handlers_.on_accept(id);
  }

  static void on_endpoint_error(void* arg, ucp_ep_h ep, ucs_status_t status) {
    auto* self = static_cast<Impl*>(arg);
    const ConnectionId id = self->id_of(ep);
    if (id != 0) self->drop(id, ucs_status_string(status));
  }

  // Runs posted work in order; small messages for one connection that were
  // queued together go as one batch, in their order.
  void run_posted(std::deque<Posted>& posted) {
    std::unordered_map<ConnectionId, Batch> batches;
    auto flush = [&](ConnectionId to) {
      auto it = batches.find(to);
      if (it == batches.end()) return;
      send_batch(to, it->second);
      batches.erase(it);
    };
    auto flush_all = [&] {
      for (auto& [to, batch] : batches) send_batch(to, batch);
      batches.clear();
    };
    for (Posted& p : posted) {
      if (p.task) {
        flush_all();  // the task may close or open a connection
        p.task();
        continue;
      }
      const std::size_t body = body_size(*p.message);
      const std::size_t bytes = kFrameHead + p.message->header.size() + body;
      if (body > kBatchableBody) {
        flush(p.to);
        start_send(p.to, p.message);
        continue;
      }
      Batch& batch = batches[p.to];
      if (batch.bytes + bytes > kMaxBatchBody) {
        send_batch(p.to, batch);
        batch = Batch{};
      }
      batch.messages.push_back(std::move(p.message));
      batch.bytes += bytes;
    }
    flush_all();
  }

  void send_batch(ConnectionId to, Batch& batch) {
    if (batch.messages.size() == 1) {
      start_send(to, batch.messages.front());
      return;
    }
    auto frames = std::make_shared<std::vector<std::byte>>();
    frames->reserve(batch.bytes);
    for (const auto& m : batch.messages) append_frame(*frames, m->header, m->body);
    auto combined = std::make_shared<OutgoingMessage>();
    combined->body.emplace_back(frames->data(), frames->size());
    combined->keep_alive = frames;
    start_send(to, combined);  // an empty header marks a batch
  }

  void loop() {
    // After activity the thread polls a little before it sleeps: a reply
    // usually follows a request within tens of microseconds, and waking
    // from the event descriptor costs as much again.
    constexpr auto kSpin = std::chrono::microseconds(40);
    auto active = std::chrono::steady_clock::now();
    while (!stopping_) {
      std::deque<Posted> tasks;
      {
        std::lock_guard lock(mutex_);
        tasks.swap(tasks_);
      }
      run_posted(tasks);
      bool progressed = !tasks.empty();
      while (ucp_worker_progress(worker_) != 0) progressed = true;
      reap_closing();
      const auto now = std::chrono::steady_clock::now();
      if (progressed) active = now;
      {
        std::lock_guard lock(mutex_);
        if (!tasks_.empty() || stopping_) continue;
      }
      if (now - active < kSpin) {
        std::this_thread::yield();
        continue;
      }
      if (ucp_worker_arm(worker_) == UCS_ERR_BUSY) continue;
      sleeping_.store(true, std::memory_order_seq_cst);
      {
        std::lock_guard lock(mutex_);
        if (!tasks_.empty()) {  // posted before it saw us asleep
          sleeping_.store(false, std::memory_order_seq_cst);
          continue;
        }
      }
      pollfd fds[2] = {{worker_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
      ::poll(fds, 2, closing_.empty() ? 200 : 1);
      sleeping_.store(false, std::memory_order_seq_cst);
      if (fds[1].revents & POLLIN) {
        std::uint64_t count;
        [[maybe_unused]] ssize_t n = ::read(wake_fd_, &count, sizeof(count));
      }
    }
    // Close every endpoint and give the closes a moment to finish.
    while (!connections_.empty()) drop(connections_.begin()->first, nullptr);
    if (listener_ != nullptr) ucp_listener_destroy(listener_);
    for (int i = 0; i < 1000 && !closing_.empty(); ++i) {
      ucp_worker_progress(worker_);
      reap_closing();
    }
  }

  void reap_closing() {
    for (std::size_t i = 0; i < closing_.size();) {
      if (ucp_request_check_status(closing_[i]) != UCS_INPROGRESS) {
        ucp_request_free(closing_[i]);
        closing_[i] = closing_.back();
        closing_.pop_back();
      } else {
        ++i;
      }
    }
  }

  Handlers handlers_;
  std::size_t max_body_;
  ucp_context_h context_ = nullptr;
  ucp_worker_h worker_ = nullptr;
  ucp_listener_h listener_ = nullptr;
  int worker_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  bool stopping_ = false;  // transport thread only

  std::mutex mutex_;
  std::deque<Posted> tasks_;
  bool stopped_ = false;  // under mutex_
  std::atomic<bool> sleeping_{false};  // the transport thread is (about to be) in poll

  // Transport thread only.
  std::unordered_map<ConnectionId, ucp_ep_h> connections_;
  std::unordered_map<ucp_ep_h, ConnectionId> ids_;
  std::vector<void*> closing_;
  std::atomic<ConnectionId> next_id_{1};
};

Transport::Transport(Handlers handlers, std::size_t max_body)
    : impl_(std::make_unique<Impl>(std::move(handlers), max_body)) {}
Transport::~Transport() = default;
int Transport::listen(const std::string& host, int port) { return impl_->listen(host, port); }
ConnectionId Transport::connect(const std::string& host, int port) { return impl_->connect(host, port); }
void Transport::send(ConnectionId to, OutgoingMessage message) { impl_->send(to, std::move(message)); }
void Transport::close(ConnectionId id) { impl_->close(id); }
void Transport::stop() { impl_->stop(); }

}  // namespace dagger::detail
