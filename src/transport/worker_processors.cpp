// The processors and memory of worker processes as the driver sees them,
// running thunks there, and moving chunks between processes.
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

#include "dagger/detail/wire_adopt.hpp"
#include "dagger/errors.hpp"
#include "transport/cluster.hpp"

namespace dagger {
namespace {

const ProcKind& worker_memory_kind() {
  static const ProcKind kind = ProcKind::named("worker-host");
  return kind;
}

// UCX with peer failure detection moves data over tcp, even between
// processes of one host: 2-3 GB/s for a large chunk on loopback
// (bench_distributed), less between hosts.
constexpr double kNetworkBytesPerSecond = 2e9;

}  // namespace

WorkerMemory::WorkerMemory(std::string name, WorkerLink& link)
    : RemoteMemory(std::move(name), worker_memory_kind()), link_(&link) {}

double WorkerMemory::bandwidth_to(const MemorySpace& to) const {
  return &to == this ? 1e30 : kNetworkBytesPerSecond;
}

bool WorkerMemory::lost() const { return link_->lost(); }

WorkerProc::WorkerProc(WorkerLink& link, std::uint32_t index, std::int64_t pid, std::string host, int threads)
    : link_(&link), index_(index), pid_(pid), host_(std::move(host)), threads_(threads) {
  memory_ = std::make_unique<WorkerMemory>("worker " + std::to_string(index_) + " host", link);
}

ProcKind WorkerProc::kind() const { return ProcKind::named("os"); }
MemorySpace& WorkerProc::memory() const { return *memory_; }
std::string WorkerProc::name() const {
  return "WorkerProc(" + std::to_string(index_) + ", pid " + std::to_string(pid_) + "@" + host_ + ")";
}
bool WorkerProc::lost() const { return link_->lost(); }

std::string WorkerThreadProc::name() const {
  return "ThreadProc(worker " + std::to_string(owner_->index()) + ", " + std::to_string(index_) + ")";
}

namespace detail {
namespace {

WorkerLink& link_of(const MemorySpace& space) { return static_cast<const WorkerMemory&>(space).link(); }

// The value a worker sent in answer to a fetch.
Value value_of(const WorkerLink::Reply& reply, const WorkerLink& link) {
  DecodedMessage m = reply.decode();
  const auto* v = std::get_if<ValueReply>(&m.message);
  if (v == nullptr) throw ProtocolError(link.name() + " answered a fetch with another message");
  ReceivedBuffer received(reply.body.data, reply.body.view());  // a block keeps it: no copy
  WireReader in(v->value);
  Value out = Value::wire_load(in);
  in.expect_end();
  return out;
}

// The driver's handle to a chunk that worker `link` keeps as `id`, with the
// value's wire form when it came along.
Value remote_value(WorkerLink& link, std::uint64_t id, std::uint64_t bytes,
                   std::span<const std::byte> wire_form = {}) {
  return Value::make<RemoteValue>(RemoteValue{std::shared_ptr<RemoteChunk>(
      new RemoteChunk{&link, id, bytes, std::vector<std::byte>(wire_form.begin(), wire_form.end())})});
}

// The value of a chunk whose wire form came with its task's reply.
Value value_of(const RemoteChunk& chunk) {
  WireReader in(chunk.wire_form);
  Value out = Value::wire_load(in);
  in.expect_end();
  return out;
}

std::shared_ptr<WireWriter> get_request(const RemoteChunk& chunk) {
  auto body = std::make_shared<WireWriter>();
  body->u64(chunk.id);
  return body;
}

// Fetches a value from the worker that holds it.
Value fetch(const Value& value) {
  const RemoteChunk& chunk = *value.get<RemoteValue>().chunk;
  if (!chunk.wire_form.empty()) return value_of(chunk);
  return value_of(chunk.link->call(MessageType::get, get_request(chunk)), *chunk.link);
}

// Sends a value to a worker, which keeps it; returns the handle to it there.
Value store(const Value& value, WorkerLink& link) {
  auto body = std::make_shared<WireWriter>();
  value.wire_save(*body);
  // UCX reads large payloads from where they lie until the send completes,
  // which can outlive this call when the worker is lost meanwhile: hold a
  // (shallow) copy of the value until then.
  std::shared_ptr<const void> keep;
  if (value.copyable()) keep = std::make_shared<Value>(value.copy());
  if (!keep) {
    auto flat = std::make_shared<WireWriter>();
    for (auto part : body->parts()) flat->bytes(part.data(), part.size());
    body = flat;
  }
  auto reply = link.call(MessageType::put, std::move(body), std::move(keep));
  DecodedMessage m = reply.decode();
  const auto* stored = std::get_if<Stored>(&m.message);
  if (stored == nullptr) throw ProtocolError(link.name() + " answered a store with another message");
  return remote_value(link, stored->chunk, stored->bytes);
}

// The remote fetcher of dagger/detail/remote_processor.hpp.
void fetch_from_worker_memories(std::vector<ChunkPtr>& chunks) {
  struct Fetches {
    std::mutex mutex;
    std::condition_variable done;
    std::size_t waiting = 0;
    std::vector<std::optional<WorkerLink::Reply>> replies;
    std::exception_ptr error;
  };
  auto fetches = std::make_shared<Fetches>();
  fetches->replies.resize(chunks.size());
  std::vector<std::size_t> remote;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    if (!chunks[i] || !is_worker_memory(*chunks[i]->space)) continue;
    const RemoteChunk& chunk = *chunks[i]->value.get<RemoteValue>().chunk;
    if (chunk.wire_form.empty()) {
      remote.push_back(i);
    } else {
      chunks[i] = std::make_shared<ChunkData>(value_of(chunk), host_memory(), chunks[i]->producer);
    }
  }
  fetches->waiting = remote.size();
  for (std::size_t i : remote) {
    const RemoteChunk& chunk = *chunks[i]->value.get<RemoteValue>().chunk;
    chunk.link->call_async(MessageType::get, get_request(chunk), [fetches, i](WorkerLink::Reply* reply, std::exception_ptr error) {
      std::lock_guard lock(fetches->mutex);
      if (reply != nullptr) {
        fetches->replies[i] = std::move(*reply);
      } else if (!fetches->error) {
        fetches->error = error;
      }
      if (--fetches->waiting == 0) fetches->done.notify_all();
    });
  }
  {
    std::unique_lock lock(fetches->mutex);
    fetches->done.wait(lock, [&] { return fetches->waiting == 0; });
    if (fetches->error) std::rethrow_exception(fetches->error);
  }
  for (std::size_t i : remote) {
    const WorkerLink& link = *chunks[i]->value.get<RemoteValue>().chunk->link;
    chunks[i] = std::make_shared<ChunkData>(value_of(*fetches->replies[i], link), host_memory(), chunks[i]->producer);
  }
}

}  // namespace
}  // namespace detail

void WorkerThreadProc::start(const detail::ThunkNode& node, std::size_t version,
                             const std::vector<const detail::ChunkPtr*>& inputs, detail::RemoteResult on_result) const {
  using namespace detail;
  const WorkerThreadProc& thread = *this;
  WorkerLink& link = thread.worker().link();
  auto body = std::make_shared<WireWriter>();
  body->u64(node.fn->invoker_key());
  body->pod(static_cast<std::uint32_t>(version));
  body->string(node.name());
  body->u64(inputs.size());
  for (const ChunkPtr* input : inputs) {
    const RemoteValue& remote = (*input)->value.get<RemoteValue>();
    if (remote.chunk->link != &link) throw Error("an input of thunk " + std::to_string(node.id) + " is in another worker");
    body->u64(remote.chunk->id);
  }
  WireWriter call;
  node.fn->save_call(version, call);
  for (auto part : call.parts()) body->bytes(part.data(), part.size());  // copied: the message owns its constants
  link.call_async(MessageType::run, std::move(body),
                  [&link, &memory = thread.memory(), id = node.id, on_result = std::move(on_result)](
                      WorkerLink::Reply* reply, std::exception_ptr error) {
                    RemoteOutcome outcome;
                    try {
                      if (error) std::rethrow_exception(error);
                      DecodedMessage m = reply->decode();
                      if (const auto* failed = std::get_if<Failed>(&m.message)) {
                        throw RemoteError(failed->type, failed->message);
                      }
                      const auto* done = std::get_if<Done>(&m.message);
                      if (done == nullptr) throw ProtocolError(link.name() + " answered a run with another message");
                      outcome.result = std::make_shared<ChunkData>(
                          remote_value(link, done->chunk, done->bytes, done->value), memory, id);
                      outcome.run_ns = static_cast<std::int64_t>(done->run_ns);
                    } catch (...) {
                      outcome.error = std::current_exception();
                    }
                    on_result(std::move(outcome));
                  });
}

namespace detail {

void register_worker_moves() {
  set_remote_fetcher(&fetch_from_worker_memories);
  const ProcKind host = host_memory().kind();
  const ProcKind worker = worker_memory_kind();
  register_move(worker, host, [](const Value& v, const MemorySpace&, const MemorySpace&) { return fetch(v); });
  register_move(host, worker, [](const Value& v, const MemorySpace&, const MemorySpace& to) {
    return store(v, link_of(to));
  });
  // Between two workers the value passes through the driver.
  register_move(worker, worker, [](const Value& v, const MemorySpace&, const MemorySpace& to) {
    return store(fetch(v), link_of(to));
  });
}

}  // namespace detail
}  // namespace dagger
