#include "transport/worker_spawns.hpp"

#include <string>
#include <vector>

#include "dagger/detail/remote_processor.hpp"
#include "dagger/detail/task_state.hpp"
#include "dagger/errors.hpp"
#include "dagger/processor.hpp"
#include "dagger/spawn.hpp"
#include "core/exception_text.hpp"
#include "memory/chunk_store.hpp"
#include "transport/worker_link.hpp"

namespace dagger::detail {
namespace {

// A call that a worker wrote with Callable::save_call, as a task's function
// here: run in this process by its invoker, or sent on to a worker as is.
class WireCall final : public Callable {
 public:
  WireCall(std::uint64_t invoker, std::string function, std::shared_ptr<Bytes> body, std::span<const std::byte> call)
      // No name key: names differ per call, so none is cached.
      : Callable(nullptr), invoker_(invoker), function_(std::move(function)), body_(std::move(body)), call_(call) {}

  std::string name() const override { return function_; }
  std::span<const ProcKind> kinds() const override {
    static const ProcKind cpu[] = {ProcKind::cpu()};
    return cpu;
  }
  const std::type_info& key() const override { return typeid(WireCall); }
  bool meta() const override { return false; }
  Value invoke(std::size_t, InvokeArgs& args) override {
    WireReader call(call_);
    return invoker_of(invoker_)(0, call, args);
  }
  bool remote_capable(std::size_t) const override { return true; }
  std::uint64_t invoker_key() const override { return invoker_; }
  void save_call(std::size_t, WireWriter& out) const override { out.bytes(call_.data(), call_.size()); }

 private:
  std::uint64_t invoker_;
  std::string function_;
  std::shared_ptr<Bytes> body_;  // holds call_
  std::span<const std::byte> call_;
};

}  // namespace

void WorkerSpawns::handle(std::uint64_t request, const Message& message, const std::shared_ptr<Bytes>& body) {
  if (const auto* m = std::get_if<SpawnTask>(&message)) {
    spawn(*m, body);
  } else if (const auto* m = std::get_if<FetchTask>(&message)) {
    answer_when_final(request, task(m->task));
  } else if (const auto* m = std::get_if<CancelTask>(&message)) {
    cancel_task(*task(m->task));
  } else if (const auto* m = std::get_if<ForgetTasks>(&message)) {
    std::vector<NodePtr> forgotten;  // freed outside the lock
    std::lock_guard lock(mutex_);
    for (std::uint64_t id : m->tasks) {
      auto it = tasks_.find(id);
      if (it == tasks_.end()) continue;  // forgotten after the worker was lost and back: harmless
      forgotten.push_back(std::move(it->second));
      tasks_.erase(it);
    }
  } else {
    throw ProtocolError("a worker sent a driver's message");
  }
}

NodePtr WorkerSpawns::task(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = tasks_.find(id);
  if (it == tasks_.end()) throw ProtocolError("the worker names task " + std::to_string(id) + ", which it did not spawn");
  return it->second;
}

void WorkerSpawns::spawn(const SpawnTask& m, const std::shared_ptr<Bytes>& body) {
  invoker_of(m.invoker);  // an unknown function: ProtocolError
  std::vector<Dep> deps;
  for (std::uint64_t input : m.inputs) deps.push_back(Dep{task(input), nullptr});
  // The driver's threads and the spawning worker's: where its inputs most
  // likely are, and never another worker's that it would have to reach.
  std::vector<const Processor*> allowed;
  for (Processor* p : all_processors()) {
    if (p->kind() != ProcKind::cpu() || !p->executes() || p->lost()) continue;
    const auto* remote = dynamic_cast<const WorkerThreadProc*>(p);
    if (remote == nullptr || &remote->worker() == link_.proc) allowed.push_back(p);
  }
  Options options;
  options.name = m.function;
  options.scope = Scope::processors(std::move(allowed));
  auto node = std::make_shared<TaskNodeWith<WireCall>>(WireCall(m.invoker, m.function, body, m.call), std::move(deps),
                                                       std::move(options));
  {
    std::lock_guard lock(mutex_);
    if (!tasks_.emplace(m.task, node).second) {
      throw ProtocolError("the worker spawned task " + std::to_string(m.task) + " twice");
    }
  }
  start_task(node);
}

void WorkerSpawns::answer_when_final(std::uint64_t request, const NodePtr& node) {
  when_final(*node, [this, request, weak = std::weak_ptr<ThunkNode>(node)] {
    if (NodePtr n = weak.lock()) answer(request, n);
  });
}

// Runs on the thread that finished the task, which may be the transport's:
// what needs a wait (a result in another worker or on a device) is brought
// here by a task of its own.
void WorkerSpawns::answer(std::uint64_t request, const NodePtr& node) {
  TaskState& state = *node->task;
  TaskStatus status;
  ChunkPtr result;
  std::exception_ptr error;
  {
    std::lock_guard lock(state.mutex);
    status = state.status.load(std::memory_order_acquire);
    result = state.result;
    error = state.error;
  }
  if (status != TaskStatus::done) {
    link_.reply(request, Failed{status == TaskStatus::cancelled ? "cancelled" : "failed", message_of(error)});
    return;
  }
  if (!result) {
    link_.reply(request, Stored{0, 0});  // void: nothing to send
    return;
  }
  if (link_.proc != nullptr && result->space == &link_.proc->memory()) {
    // Made in the worker that asks: it holds the chunk already.
    link_.reply(request, Stored{result->value.get<RemoteValue>().chunk->id, result->bytes});
    return;
  }
  // Sent from its own buffer, which must stay in memory from now on (as a
  // worker's answer to a get): a spilled one is read back by a task.
  if (result->space == &host_memory() && (result->store_entry == nullptr || chunk_store().hold_if_resident(*result))) {
    auto body = std::make_shared<WireWriter>();
    result->value.wire_save(*body);
    link_.reply(encode_message(MessageType::value, request, std::move(body), result));
    return;
  }
  WorkerLink* link = &link_;
  dagger::spawn([link, request, node] {
    try {
      ChunkPtr here = task_result_here(*node);
      hold_in_memory(*here);
      auto body = std::make_shared<WireWriter>();
      here->value.wire_save(*body);
      link->reply(encode_message(MessageType::value, request, std::move(body), here));
    } catch (...) {
      link->reply(request, Failed{"failed", message_of(std::current_exception())});
    }
  });
}

void WorkerSpawns::lose() {
  std::unordered_map<std::uint64_t, NodePtr> tasks;
  std::lock_guard lock(mutex_);
  tasks.swap(tasks_);
}

}  // namespace dagger::detail
