#include "transport/cluster.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>

#include "dagger/errors.hpp"
#include "dagger/detail/remote_processor.hpp"
#include "transport/launch.hpp"
#include "core/wire_tables.hpp"

extern char** environ;

namespace dagger {

// ---------------------------------------------------------------- links

detail::DecodedMessage WorkerLink::Reply::decode() const {
  // The reply's header was checked on arrival; rebuild one for the decoder.
  return detail::decode_message(detail::encode_header(type, 0), body.view());
}

void WorkerLink::call_async(detail::MessageType type, std::shared_ptr<detail::WireWriter> body, ReplyHandler on_reply,
                            std::shared_ptr<const void> keep) {
  const std::uint64_t request = next_request_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(mutex_);
    if (!lost_.load()) {
      waiting_.emplace(request, std::move(on_reply));
      on_reply = nullptr;
    }
  }
  if (on_reply) {
    on_reply(nullptr, std::make_exception_ptr(WorkerLost(name(), lost_reason())));
    return;
  }
  send_counted(detail::encode_message(type, request, std::move(body), std::move(keep)));
}

void WorkerLink::send_counted(detail::OutgoingMessage message) {
  std::size_t bytes = message.header.size();
  for (const auto& part : message.body) bytes += part.size();
  sent_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  transport_.send(connection_, std::move(message));
}

WorkerLink::Reply WorkerLink::call(detail::MessageType type, std::shared_ptr<detail::WireWriter> body,
                                   std::shared_ptr<const void> keep) {
  auto promise = std::make_shared<std::promise<Reply>>();
  auto reply = promise->get_future();
  call_async(
      type, std::move(body),
      [promise](Reply* r, std::exception_ptr error) {
        if (r != nullptr) {
          promise->set_value(std::move(*r));
        } else {
          promise->set_exception(error);
        }
      },
      std::move(keep));
  return reply.get();
}

void WorkerLink::send(const detail::Message& message) { reply(0, message); }

void WorkerLink::reply(std::uint64_t request, const detail::Message& message) {
  if (lost()) return;
  send_counted(detail::encode_message(request, message));
}

void WorkerLink::reply(detail::OutgoingMessage message) {
  if (lost()) return;
  send_counted(std::move(message));
}

void WorkerLink::answer(std::uint64_t request, detail::MessageType type, detail::Bytes body) {
  ReplyHandler handler;
  {
    std::lock_guard lock(mutex_);
    auto it = waiting_.find(request);
    if (it == waiting_.end()) throw detail::ProtocolError("a reply to request " + std::to_string(request) + ", which nobody asked");
    handler = std::move(it->second);
    waiting_.erase(it);
  }
  Reply reply{type, std::move(body)};
  handler(&reply, nullptr);
}

void WorkerLink::lose(const std::string& why) {
  std::unordered_map<std::uint64_t, ReplyHandler> waiting;
  {
    std::lock_guard lock(mutex_);
    if (lost_.exchange(true)) return;
    lost_reason_ = why;
    waiting.swap(waiting_);
  }
  for (auto& [request, handler] : waiting) handler(nullptr, std::make_exception_ptr(WorkerLost(name(), why)));
}

std::string WorkerLink::lost_reason() const {
  std::lock_guard lock(mutex_);
  return lost_reason_;
}

std::string WorkerLink::name() const {
  return proc ? proc->name() : "connection " + std::to_string(connection_);
}

namespace detail {

RemoteChunk::~RemoteChunk() {
  if (!link->lost()) link->send(Release{{id}});
}

// ---------------------------------------------------------------- cluster

namespace {

std::string random_cookie() {
  if (const char* env = std::getenv("DAGGER_COOKIE"); env && *env) return env;
  std::ifstream random("/dev/urandom", std::ios::binary);
  unsigned char bytes[16] = {};
  random.read(reinterpret_cast<char*>(bytes), sizeof(bytes));
  if (!random) throw Error("cannot read /dev/urandom for the cluster cookie");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

// Compares without stopping at the first difference: how long it takes
// says nothing about the secret.
bool same_secret(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i % (b.empty() ? 1 : b.size())]);
  return diff == 0;
}

std::size_t max_message_bytes() {
  if (const char* env = std::getenv("DAGGER_MAX_MESSAGE_BYTES"); env && *env) return std::strtoull(env, nullptr, 10);
  return std::size_t{16} << 30;
}

}  // namespace

Cluster::Cluster() : cookie_(random_cookie()) {
  worker_timeout();  // a malformed DAGGER_WORKER_TIMEOUT is a UsageError here, not in the watchdog
  Transport::Handlers handlers;
  handlers.on_accept = [this](ConnectionId id) { on_accept(id); };
  handlers.on_message = [this](ConnectionId id, std::string header, Bytes body) {
    on_message(id, std::move(header), std::move(body));
  };
  handlers.on_lost = [this](ConnectionId id, const std::string& why) { on_lost(id, why); };
  transport_ = std::make_unique<Transport>(std::move(handlers), max_message_bytes());
  register_worker_moves();
  watchdog_ = std::thread([this] { watch_workers(); });
}

Cluster::~Cluster() { stop_watchdog(); }

int Cluster::listen(const std::string& host, int port) {
  std::lock_guard lock(mutex_);
  if (port_ >= 0) return port_;
  port_ = transport_->listen(host, port);
  return port_;
}

int Cluster::port() const {
  std::lock_guard lock(mutex_);
  return port_;
}

WorkerLink* Cluster::link_of(ConnectionId id) {
  std::lock_guard lock(mutex_);
  for (auto& l : links_) {
    if (l->connection() == id) return l.get();
  }
  return nullptr;
}

std::vector<WorkerProc*> Cluster::live_locked() const {
  std::vector<WorkerProc*> out;
  for (WorkerProc* w : workers_) {
    if (!w->lost()) out.push_back(w);
  }
  return out;
}

void Cluster::on_accept(ConnectionId id) {
  std::lock_guard lock(mutex_);
  links_.push_back(std::make_unique<WorkerLink>(*transport_, id));
}

void Cluster::on_message(ConnectionId id, std::string header, Bytes body) {
  WorkerLink* link = link_of(id);
  if (link == nullptr || link->lost()) return;
  link->count_received(header.size() + body.view().size());
  try {
    if (link->proc == nullptr) {
      // Before it joined, a worker may only say hello.
      DecodedMessage m = decode_message(header, body.view());
      const auto* hello = std::get_if<Hello>(&m.message);
      if (hello == nullptr) throw ProtocolError("a message before the handshake");
      admit(*link, m.request, *hello);
      return;
    }
    // Replies are decoded by the thread that waits for them.
    const MessageHeader h = decode_header(header);
    switch (h.type) {
      case MessageType::done:
      case MessageType::failed:
      case MessageType::stored:
      case MessageType::value:
      case MessageType::stats_reply:
        link->answer(h.request, h.type, std::move(body));
        return;
      case MessageType::spawn:
      case MessageType::fetch:
      case MessageType::cancel:
      case MessageType::forget: {
        auto shared_body = std::make_shared<Bytes>(std::move(body));
        DecodedMessage m = decode_message(header, shared_body->view());
        link->spawns.handle(m.request, m.message, shared_body);
        return;
      }
      default:
        throw ProtocolError("a worker sent a message of type " + std::to_string(static_cast<int>(h.type)));
    }
  } catch (const ProtocolError& e) {
    std::cerr << "dagger: dropped " << link->name() << ": " << e.what() << "\n";
    transport_->close(id);
    on_lost(id, std::string("sent a malformed message: ") + e.what());
  }
}

void Cluster::admit(WorkerLink& link, std::uint64_t request, const Hello& hello) {
  if (!same_secret(hello.cookie, cookie_)) {
    refuse(link, "wrong cookie (the worker must present the driver's cluster cookie: DAGGER_COOKIE or "
                 "DAGGER_COOKIE_FILE)");
    return;
  }
  if (hello.fingerprint != executable_fingerprint()) {
    refuse(link, "the worker runs a different executable than the driver (every process of a cluster must run "
                 "the same build)");
    return;
  }
  std::uint32_t index;
  {
    std::lock_guard lock(mutex_);
    index = static_cast<std::uint32_t>(workers_.size() + 1);
  }
  auto proc = std::make_unique<WorkerProc>(link, index, hello.pid, hello.host, static_cast<int>(hello.threads));
  WorkerProc* worker = proc.get();
  link.proc = worker;  // before other threads can see its processors
  add_processor(std::move(proc));
  for (std::uint32_t t = 0; t < hello.threads; ++t) add_processor(std::make_unique<WorkerThreadProc>(*worker, static_cast<int>(t)));
  transport_->send(link.connection(), encode_message(request, Welcome{index}));
  {
    std::lock_guard lock(mutex_);
    workers_.push_back(worker);
  }
  joined_.notify_all();
}

void Cluster::refuse(WorkerLink& link, const std::string& why) {
  std::cerr << "dagger: refused a worker (connection " << link.connection() << "): " << why << "\n";
  transport_->send(link.connection(), encode_message(0, Refuse{why}));
  link.lose("refused: " + why);
}

void Cluster::on_lost(ConnectionId id, const std::string& why) {
  WorkerLink* link = link_of(id);
  if (link == nullptr || link->lost()) return;
  if (link->proc != nullptr && !shutting_down_) std::cerr << "dagger: lost " << link->name() << ": " << why << "\n";
  link->lose(why);
  link->spawns.lose();
  joined_.notify_all();
}

std::vector<WorkerProc*> Cluster::wait_for(std::size_t n, std::chrono::seconds timeout) {
  std::unique_lock lock(mutex_);
  if (!joined_.wait_for(lock, timeout, [&] { return live_locked().size() >= n; })) {
    throw Error("only " + std::to_string(live_locked().size()) + " of " + std::to_string(n) +
                " workers joined within " + std::to_string(timeout.count()) + " s");
  }
  return live_locked();
}

std::vector<WorkerProc*> Cluster::live_workers() {
  std::lock_guard lock(mutex_);
  return live_locked();
}

std::vector<WorkerProc*> Cluster::joined_workers() {
  std::lock_guard lock(mutex_);
  return workers_;
}

std::vector<WorkerProc*> Cluster::add_local(int n) {
  if (n <= 0) throw UsageError("add_local_workers: n must be positive, not " + std::to_string(n));
  const int port = listen("127.0.0.1", 0);
  std::size_t before;
  {
    std::lock_guard lock(mutex_);
    before = workers_.size();
  }
  const std::string address = "DAGGER_WORKER_OF=127.0.0.1:" + std::to_string(port);
  const std::string cookie = "DAGGER_COOKIE=" + cookie_;
  std::vector<std::string> env_strings{address, cookie};
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "DAGGER_WORKER_OF=", 17) != 0 && std::strncmp(*e, "DAGGER_COOKIE=", 14) != 0) {
      env_strings.emplace_back(*e);
    }
  }
  std::vector<char*> env;
  for (auto& s : env_strings) env.push_back(s.data());
  env.push_back(nullptr);
  std::vector<std::string> args = saved_arguments();
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (int i = 0; i < n; ++i) {
    pid_t pid = 0;
    if (int rc = ::posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(), env.data()); rc != 0) {
      throw Error(std::string("add_local_workers: cannot start a worker process: ") + std::strerror(rc));
    }
    std::lock_guard lock(mutex_);
    children_.push_back(pid);
  }
  std::unique_lock lock(mutex_);
  const std::size_t wanted = before + static_cast<std::size_t>(n);
  if (!joined_.wait_for(lock, std::chrono::seconds(60), [&] { return workers_.size() >= wanted; })) {
    throw Error("add_local_workers: only " + std::to_string(workers_.size() - before) + " of " + std::to_string(n) +
                " workers joined within 60 s");
  }
  return std::vector<WorkerProc*>(workers_.begin() + static_cast<std::ptrdiff_t>(before), workers_.end());
}

void Cluster::shutdown() {
  shutting_down_ = true;
  std::vector<WorkerProc*> workers = live_workers();
  for (WorkerProc* w : workers) w->link().send(Shutdown{});
  std::vector<int> children;
  {
    std::lock_guard lock(mutex_);
    children.swap(children_);
  }
  // Give local workers a moment to exit on their own, then end them.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (int pid : children) {
    while (::waitpid(pid, nullptr, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
}

void Cluster::end_of_process() {
  shutdown();
  stop_watchdog();
  transport_->stop();
  std::vector<WorkerLink*> links;
  {
    std::lock_guard lock(mutex_);
    for (auto& l : links_) links.push_back(l.get());
  }
  for (WorkerLink* link : links) {
    if (link->lost()) continue;
    link->lose("the driver is exiting");
    link->spawns.lose();
  }
  joined_.notify_all();
}

namespace {
std::atomic<Cluster*> created_cluster{nullptr};
}

Cluster& cluster() {
  // Lives as long as the process: processors and chunks point into it.
  static Cluster* instance = [] {
    auto* c = new Cluster();
    std::atexit([] { cluster().end_of_process(); });
    created_cluster.store(c, std::memory_order_release);
    return c;
  }();
  return *instance;
}

Cluster* cluster_if_created() { return created_cluster.load(std::memory_order_acquire); }

}  // namespace detail

// ---------------------------------------------------------------- public API

int listen(const std::string& host, int port) {
  if (!is_driver()) throw UsageError("listen: only the driver listens for workers");
  return detail::cluster().listen(host, port);
}

std::vector<WorkerProc*> add_local_workers(int n) {
  if (!is_driver()) throw UsageError("add_local_workers: only the driver starts workers");
  if (!detail::init_was_called()) {
    throw UsageError("add_local_workers: call dagger::init(argc, argv) first in main (the workers run this "
                     "executable's main and become workers there)");
  }
  return detail::cluster().add_local(n);
}

std::vector<WorkerProc*> wait_for_workers(int n, std::chrono::seconds timeout) {
  return detail::cluster().wait_for(static_cast<std::size_t>(std::max(n, 0)), timeout);
}

std::vector<WorkerProc*> workers() { return detail::cluster().live_workers(); }

const std::string& cluster_cookie() { return detail::cluster().cookie(); }

namespace {
detail::StatsReply worker_stats(WorkerProc& worker) {
  auto reply = worker.link().call(detail::MessageType::stats, std::make_shared<detail::WireWriter>());
  auto decoded = reply.decode();
  const auto* stats = std::get_if<detail::StatsReply>(&decoded.message);
  if (stats == nullptr) throw detail::ProtocolError("a wrong reply to stats");
  return *stats;
}
}  // namespace

std::int64_t live_chunks(WorkerProc& worker) { return worker_stats(worker).live_chunks; }

MemoryStats memory_stats(WorkerProc& worker) {
  const detail::StatsReply s = worker_stats(worker);
  MemoryStats out;
  out.limit = s.memory_limit;
  out.resident_bytes = s.resident_bytes;
  out.peak_resident_bytes = s.peak_resident_bytes;
  out.spilled_bytes = s.spilled_bytes;
  out.spills = s.spills;
  out.reloads = s.reloads;
  return out;
}

void shutdown_workers() { detail::cluster().shutdown(); }

}  // namespace dagger
