// A worker process: connects to the driver, presents the cookie and its
// executable's fingerprint, then runs the calls it is sent on its own
// threads and keeps their results until the driver releases them.
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "dagger/detail/wire_adopt.hpp"
#include "dagger/errors.hpp"
#include "dagger/processor.hpp"
#include "memory/chunk_store.hpp"
#include "transport/launch.hpp"
#include "transport/messages.hpp"
#include "transport/worker_tasks.hpp"
#include "core/wire_tables.hpp"

namespace dagger::detail {
namespace {

[[noreturn]] void leave(int code) {
  std::fflush(nullptr);
  std::_Exit(code);
}

std::string demangled_type(const std::exception& e) { return demangle(typeid(e).name()); }

// The inputs of one call, held by this worker.
class HeldArgs final : public InvokeArgs {
 public:
  explicit HeldArgs(std::vector<ChunkPtr> inputs) : inputs_(std::move(inputs)) {
    for (const ChunkPtr& c : inputs_) pinned_.add(*c);
  }
  Value& value(std::uint32_t dep) override { return at(dep)->value; }
  const ChunkPtr& chunk(std::uint32_t dep) override { return at(dep); }
  bool may_take(std::uint32_t) override { return false; }  // the driver may ask for it again

 private:
  const ChunkPtr& at(std::uint32_t dep) {
    if (dep >= inputs_.size()) throw ProtocolError("a call reads input " + std::to_string(dep) + " of " + std::to_string(inputs_.size()));
    return inputs_[dep];
  }
  std::vector<ChunkPtr> inputs_;
  PinnedInputs pinned_;
};

class WorkerServer final : private WorkerTasks::Server {
 public:
  WorkerServer(const std::string& host, int port, const std::string& cookie) : tasks_(*this) {
    set_remote_tasks(&tasks_);
    Transport::Handlers handlers;
    handlers.on_message = [this](ConnectionId, std::string header, Bytes body) {
      on_message(std::move(header), std::move(body));
    };
    handlers.on_lost = [](ConnectionId, const std::string& why) {
      std::cerr << "dagger worker " << ::getpid() << ": the driver is gone (" << why << "); exiting\n";
      leave(0);
    };
    transport_ = std::make_unique<Transport>(std::move(handlers), std::size_t{16} << 30);
    driver_ = transport_->connect(host, port);
    int threads = 0;
    for (Processor* p : all_processors()) threads += p->kind() == ProcKind::cpu() && p->executes() ? 1 : 0;
    threads = std::max(threads, 1);
    for (int i = 0; i < threads; ++i) pool_.emplace_back([this] { work(); });
    char hostname[256] = {};
    ::gethostname(hostname, sizeof(hostname) - 1);
    Hello hello{cookie, executable_fingerprint(), ::getpid(), hostname, static_cast<std::uint32_t>(threads)};
    transport_->send(driver_, encode_message(0, hello));
  }

  [[noreturn]] void serve() {
    std::unique_lock lock(mutex_);
    if (!welcomed_.wait_for(lock, std::chrono::seconds(60), [&] { return welcome_ != 0; })) {
      std::cerr << "dagger worker " << ::getpid() << ": the driver did not answer within 60 s\n";
      leave(1);
    }
    stopped_.wait(lock, [&] { return stopping_; });
    leave(0);
  }

 private:
  void on_message(std::string header, Bytes body) {
    try {
      auto shared_body = std::make_shared<Bytes>(std::move(body));
      DecodedMessage m = decode_message(header, shared_body->view());
      std::visit([&](auto& message) { handle(m.request, message, shared_body); }, m.message);
    } catch (const ProtocolError& e) {
      std::cerr << "dagger worker " << ::getpid() << ": dropped the driver's connection: " << e.what() << "\n";
      leave(1);
    }
  }

  void handle(std::uint64_t, Welcome& m, const std::shared_ptr<Bytes>&) {
    std::lock_guard lock(mutex_);
    welcome_ = m.worker;
    welcomed_.notify_all();
  }
  void handle(std::uint64_t, Refuse& m, const std::shared_ptr<Bytes>&) {
    std::cerr << "dagger worker " << ::getpid() << ": the driver refused this worker: " << m.reason << "\n";
    leave(1);
  }
  void handle(std::uint64_t request, RunCall& m, const std::shared_ptr<Bytes>& body) {
    std::vector<ChunkPtr> inputs = held(m.inputs);
    Invoker invoker = invoker_of(m.invoker);  // unknown: ProtocolError, the connection is dropped
    queue([this, request, m, body, inputs = std::move(inputs), invoker]() mutable {
      try {
        const auto start = std::chrono::steady_clock::now();
        HeldArgs args(std::move(inputs));
        WireReader call(m.call);
        Value result = invoker(m.version, call, args);
        const auto run_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start);
        ChunkPtr chunk = std::make_shared<ChunkData>(std::move(result), host_memory(), 0);
        const std::uint64_t bytes = chunk->bytes;
        const std::vector<std::byte> inline_value = small_wire_form(chunk->value, bytes);
        reply(request, Done{keep(std::move(chunk)), bytes, static_cast<std::uint64_t>(run_ns.count()), inline_value});
      } catch (const ProtocolError& e) {
        std::cerr << "dagger worker " << ::getpid() << ": dropped the driver's connection: " << e.what() << "\n";
        leave(1);
      } catch (const std::exception& e) {
        reply(request, Failed{demangled_type(e), e.what()});
      } catch (...) {
        reply(request, Failed{"unknown", "an exception that is not a std::exception"});
      }
    });
  }
  void handle(std::uint64_t request, Put& m, const std::shared_ptr<Bytes>& body) {
    queue([this, request, m, body] {
      ReceivedBuffer received(body->data, body->view());  // a block keeps it: no copy
      WireReader in(m.value);
      Value value = Value::wire_load(in);  // ProtocolError propagates to the pool: the connection is dropped
      in.expect_end();
      ChunkPtr chunk = std::make_shared<ChunkData>(std::move(value), host_memory(), 0);
      const std::uint64_t bytes = chunk->bytes;
      reply(request, Stored{keep(std::move(chunk)), bytes});
    });
  }
  void handle(std::uint64_t request, Get& m, const std::shared_ptr<Bytes>&) {
    ChunkPtr chunk = held({m.chunk}).front();
    auto send_value = [this, request, chunk] {
      auto body = std::make_shared<WireWriter>();
      chunk->value.wire_save(*body);
      // Sent from the chunk's own buffer; the message keeps the chunk alive.
      transport_->send(driver_, encode_message(MessageType::value, request, std::move(body), chunk));
    };
    // A value in memory is answered at once (sending it copies nothing); a
    // spilled one by the pool, so that the transport thread never waits on
    // a disk. Either way it stays in memory from now on.
    if (chunk->store_entry == nullptr || chunk_store().hold_if_resident(*chunk)) {
      send_value();
    } else {
      queue([chunk, send_value] {
        hold_in_memory(*chunk);
        send_value();
      });
    }
  }
  void handle(std::uint64_t, Release& m, const std::shared_ptr<Bytes>&) {
    std::vector<ChunkPtr> released;
    std::lock_guard lock(mutex_);
    for (std::uint64_t id : m.chunks) {
      auto it = chunks_.find(id);
      if (it == chunks_.end()) continue;  // released twice: harmless
      released.push_back(std::move(it->second));
      chunks_.erase(it);
    }
  }
  void handle(std::uint64_t request, Stats&, const std::shared_ptr<Bytes>&) {
    std::int64_t held_count;
    {
      std::lock_guard lock(mutex_);
      held_count = static_cast<std::int64_t>(chunks_.size());
    }
    const MemoryStats memory = memory_stats();
    reply(request, StatsReply{live_chunks(), held_count, memory.limit, memory.resident_bytes,
                              memory.peak_resident_bytes, memory.spilled_bytes, memory.spills, memory.reloads});
  }
  // Answers to this worker's fetches of tasks it spawned.
  void handle(std::uint64_t request, ValueReply& m, const std::shared_ptr<Bytes>& body) { tasks_.answer(request, m, body); }
  void handle(std::uint64_t request, Stored& m, const std::shared_ptr<Bytes>& body) { tasks_.answer(request, m, body); }
  void handle(std::uint64_t request, Failed& m, const std::shared_ptr<Bytes>& body) { tasks_.answer(request, m, body); }
  void handle(std::uint64_t, Shutdown&, const std::shared_ptr<Bytes>&) {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    stopped_.notify_all();
  }
  template <class M>
  void handle(std::uint64_t, M&, const std::shared_ptr<Bytes>&) {
    throw ProtocolError("the driver sent a message only workers send");
  }

  // ---- WorkerTasks::Server
  void send(std::uint64_t request, const Message& message) override { reply(request, message); }
  ChunkPtr held_chunk(std::uint64_t id) override { return held({id}).front(); }
  void wake_helpers() override {
    { std::lock_guard lock(jobs_mutex_); }  // a helper between its check and its sleep sees this
    jobs_ready_.notify_all();
  }
  void help_until(const std::function<bool()>& done) override {
    std::unique_lock lock(jobs_mutex_);
    while (!done()) {
      if (jobs_.empty()) {
        jobs_ready_.wait(lock, [&] { return !jobs_.empty() || done(); });
        continue;
      }
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      run(job);
      lock.lock();
    }
  }

  std::vector<ChunkPtr> held(const std::vector<std::uint64_t>& ids) {
    std::vector<ChunkPtr> out;
    std::lock_guard lock(mutex_);
    for (std::uint64_t id : ids) {
      auto it = chunks_.find(id);
      if (it == chunks_.end()) throw ProtocolError("no chunk " + std::to_string(id) + " in this worker");
      out.push_back(it->second);
    }
    return out;
  }

  std::uint64_t keep(ChunkPtr chunk) {
    std::lock_guard lock(mutex_);
    const std::uint64_t id = next_chunk_++;
    chunks_.emplace(id, std::move(chunk));
    return id;
  }

  // A result small enough to travel with its Done: its wire form, else
  // nothing.
  static std::vector<std::byte> small_wire_form(const Value& value, std::uint64_t bytes) {
    if (bytes > kInlineResultBytes || !value.wire_capable()) return {};
    WireWriter out;
    value.wire_save(out);
    if (out.size() > kInlineResultBytes) return {};
    std::vector<std::byte> flat;
    flat.reserve(out.size());
    for (auto part : out.parts()) flat.insert(flat.end(), part.begin(), part.end());
    return flat;
  }

  void reply(std::uint64_t request, const Message& message) { transport_->send(driver_, encode_message(request, message)); }

  void queue(std::function<void()> job) {
    {
      std::lock_guard lock(jobs_mutex_);
      jobs_.push_back(std::move(job));
    }
    jobs_ready_.notify_one();
  }

  void work() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(jobs_mutex_);
        jobs_ready_.wait(lock, [&] { return !jobs_.empty(); });
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      run(job);
    }
  }

  static void run(const std::function<void()>& job) {
    try {
      job();
    } catch (const std::exception& e) {
      std::cerr << "dagger worker " << ::getpid() << ": dropped the driver's connection: " << e.what() << "\n";
      leave(1);
    }
  }

  WorkerTasks tasks_;
  std::unique_ptr<Transport> transport_;
  ConnectionId driver_ = 0;

  std::mutex mutex_;
  std::condition_variable welcomed_, stopped_;
  std::uint32_t welcome_ = 0;
  bool stopping_ = false;
  std::unordered_map<std::uint64_t, ChunkPtr> chunks_;
  std::uint64_t next_chunk_ = 1;

  std::mutex jobs_mutex_;
  std::condition_variable jobs_ready_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> pool_;
};

}  // namespace

void serve_driver(const std::string& host, int port, const std::string& cookie) {
  // Never destroyed: the process ends inside serve().
  auto* server = new WorkerServer(host, port, cookie);
  server->serve();
}

}  // namespace dagger::detail
