#include "transport/worker_tasks.hpp"

#include <string>
#include <vector>

#include "dagger/detail/wire_adopt.hpp"
#include "dagger/errors.hpp"
#include "dagger/processor.hpp"

namespace dagger::detail {
namespace {

std::string task_words(const ThunkNode& node) { return "task " + std::to_string(node.id) + " (" + node.name() + ")"; }

}  // namespace

void WorkerTasks::start(const NodePtr& node) {
  const Callable& fn = *node->fn;
  const std::string what = "dagger::spawn in a worker process: " + task_words(*node);
  if (!node->options().scope.is_any()) {
    throw UsageError(what + " has a scope, but the driver places the tasks a worker spawns, and processors of "
                            "this process mean nothing there: spawn it without one");
  }
  if (fn.meta() || fn.kinds().empty() || fn.kinds()[0] != ProcKind::cpu() || !fn.remote_capable(0)) {
    throw UsageError(what + " cannot travel to the driver: its function, its constant arguments and the values "
                            "it reads and returns must travel (see wire.hpp), and it needs a CPU version");
  }
  SpawnTask m;
  for (const Dep& dep : node->deps) {
    if (!dep.thunk || !dep.thunk->task || dep.thunk->task->remote_id == 0) {
      throw UsageError(what + " reads a Chunk or a lazy result of this process; in a worker a spawned task may "
                              "read Tasks spawned there and plain values");
    }
    m.inputs.push_back(dep.thunk->task->remote_id);
  }
  WireWriter call;
  fn.save_call(0, call);
  std::vector<std::byte> bytes;
  for (std::span<const std::byte> part : call.parts()) bytes.insert(bytes.end(), part.begin(), part.end());
  m.task = next_task_.fetch_add(1, std::memory_order_relaxed);
  m.invoker = fn.invoker_key();
  m.function = node->name();
  m.call = bytes;
  node->task->remote_id = m.task;
  server_.send(0, m);
  // The driver holds the inputs now; the proxy here needs nothing of them
  // (a handle that goes after this tells the driver after the spawn).
  node->deps.clear();
}

void WorkerTasks::request(ThunkNode& node) {
  const std::uint64_t id = node.task->remote_id;
  std::uint64_t request;
  {
    std::lock_guard lock(mutex_);
    if (asked_.count(id) != 0 || is_final(node.task->status.load(std::memory_order_acquire))) return;
    request = next_request_.fetch_add(1, std::memory_order_relaxed);
    asked_.emplace(id, request);
    fetching_.emplace(request, node.task->self);
  }
  server_.send(request, FetchTask{id});
}

void WorkerTasks::wait(ThunkNode& node) {
  TaskState& state = *node.task;
  request(node);
  server_.help_until([&] { return is_final(state.status.load(std::memory_order_acquire)); });
}

void WorkerTasks::cancel(ThunkNode& node) {
  node.task->cancel_requested.store(true, std::memory_order_seq_cst);
  server_.send(0, CancelTask{node.task->remote_id});
}

void WorkerTasks::forget(std::uint64_t remote_id) noexcept {
  try {
    {
      // A fetch in flight is abandoned: the driver drops its watch with
      // the task, so no answer may ever come to clear the entry.
      std::lock_guard lock(mutex_);
      if (auto it = asked_.find(remote_id); it != asked_.end()) {
        fetching_.erase(it->second);
        asked_.erase(it);
      }
    }
    server_.send(0, ForgetTasks{{remote_id}});
  } catch (...) {
    // The driver is gone: the worker ends soon, and the driver forgot it all.
  }
}

void WorkerTasks::answer(std::uint64_t request, const Message& reply, const std::shared_ptr<Bytes>& body) {
  NodePtr node;
  {
    std::lock_guard lock(mutex_);
    auto it = fetching_.find(request);
    if (it == fetching_.end()) {
      // An abandoned fetch answered after all; any other is the peer's error.
      if (request < next_request_.load(std::memory_order_relaxed)) return;
      throw ProtocolError("an answer to fetch " + std::to_string(request) + ", which nobody asked");
    }
    node = it->second.lock();
    fetching_.erase(it);
    if (node) asked_.erase(node->task->remote_id);
  }
  if (!node) return;  // every handle went meanwhile
  if (const auto* v = std::get_if<ValueReply>(&reply)) {
    ReceivedBuffer received(body->data, body->view());  // a block keeps it: no copy
    WireReader in(v->value);
    Value value = Value::wire_load(in);
    in.expect_end();
    settle(*node, std::make_shared<ChunkData>(std::move(value), host_memory(), node->id), nullptr, TaskStatus::done);
  } else if (const auto* s = std::get_if<Stored>(&reply)) {
    // Made in this worker: the driver names the chunk it told this worker to keep.
    ChunkPtr chunk = s->chunk == 0 ? std::make_shared<ChunkData>(Value::make<Void>(), host_memory(), node->id)
                                   : server_.held_chunk(s->chunk);
    settle(*node, std::move(chunk), nullptr, TaskStatus::done);
  } else if (const auto* f = std::get_if<Failed>(&reply)) {
    if (f->type == "cancelled") {
      settle(*node, nullptr, std::make_exception_ptr(Cancelled(node->id, node->name(), " (in the driver: " + f->message + ")")),
             TaskStatus::cancelled);
    } else {
      auto original = std::make_exception_ptr(Error(f->message));
      settle(*node, nullptr, std::make_exception_ptr(ThunkError(node->id, node->name(), "the driver's placement", f->message, original)),
             TaskStatus::failed);
    }
  } else {
    throw ProtocolError("the driver answered a fetch with another message");
  }
}

void WorkerTasks::settle(ThunkNode& node, ChunkPtr result, std::exception_ptr error, TaskStatus status) {
  if (node.task->settle(status, std::move(result), std::move(error), [] {})) server_.wake_helpers();
}

}  // namespace dagger::detail
