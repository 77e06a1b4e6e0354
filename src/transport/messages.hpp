// The messages between a driver and its workers, and their checked decoder.
//
// A message is a 13-byte header (magic, type, request id) and a body. The
// decoder reads any bytes at all without undefined behaviour: it returns a
// message or throws ProtocolError (fuzzed by tests/fuzz/message_fuzzer.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dagger/detail/wire.hpp"
#include "transport/transport.hpp"

namespace dagger::detail {

enum class MessageType : std::uint8_t {
  hello = 1,    // worker → driver: who it is, the cookie
  welcome,      // driver → worker: accepted, its index
  refuse,       // driver → worker: why not
  run,          // driver → worker: run a call on chunks it holds
  done,         // worker → driver: the result's chunk id and size
  failed,       // worker → driver: the call threw
  put,          // driver → worker: keep this value
  stored,       // worker → driver: its chunk id
  get,          // driver → worker: send me this chunk's value
  value,        // worker → driver: the value
  release,      // driver → worker: these chunks are no longer needed
  stats,        // driver → worker: how many chunks do you hold
  stats_reply,  // worker → driver
  shutdown,     // driver → worker: exit
  // A task body running in a worker spawns and fetches through the driver:
  spawn,        // worker → driver: start this call as a task (the worker names it)
  fetch,        // worker → driver: answer with the task's value (value), its chunk
                //   held here (stored) or its error (failed), once it is final
  cancel,       // worker → driver: cancel this task
  forget,       // worker → driver: no handle to these tasks is left here
};
inline constexpr MessageType kLastMessageType = MessageType::forget;

struct Hello {
  std::string cookie;
  std::uint64_t fingerprint = 0;
  std::int64_t pid = 0;
  std::string host;
  std::uint32_t threads = 0;
};
struct Welcome {
  std::uint32_t worker = 0;
};
struct Refuse {
  std::string reason;
};
struct RunCall {
  std::uint64_t invoker = 0;
  std::uint32_t version = 0;
  std::string function;                // for messages
  std::vector<std::uint64_t> inputs;   // chunk ids, in dependency order
  std::span<const std::byte> call;     // what Callable::save_call wrote
};
struct Done {
  std::uint64_t chunk = 0;
  std::uint64_t bytes = 0;
  std::uint64_t run_ns = 0;  // how long the call ran in the worker
  // A small result's Value::wire_save, sent with the reply so that fetching
  // it costs no round trip (empty: fetch it with a get). The worker keeps
  // the chunk all the same, for the tasks there that read it.
  std::span<const std::byte> value;
};
// The largest result (in wire bytes) a Done carries.
inline constexpr std::size_t kInlineResultBytes = 1024;
struct Failed {
  std::string type;  // of the exception
  std::string message;
};
struct Put {
  std::span<const std::byte> value;  // Value::wire_save
};
struct Stored {
  std::uint64_t chunk = 0;
  std::uint64_t bytes = 0;
};
struct Get {
  std::uint64_t chunk = 0;
};
struct ValueReply {
  std::span<const std::byte> value;
};
struct Release {
  std::vector<std::uint64_t> chunks;
};
struct Stats {};
struct StatsReply {
  std::int64_t live_chunks = 0;
  std::int64_t held = 0;  // chunks the driver asked the worker to keep
  // The worker's memory_stats().
  std::uint64_t memory_limit = 0;
  std::uint64_t resident_bytes = 0;
  std::uint64_t peak_resident_bytes = 0;
  std::uint64_t spilled_bytes = 0;
  std::uint64_t spills = 0;
  std::uint64_t reloads = 0;
};
struct Shutdown {};
struct SpawnTask {
  std::uint64_t task = 0;              // the worker's name for it, unique per worker
  std::uint64_t invoker = 0;
  std::string function;                // for messages
  std::vector<std::uint64_t> inputs;   // tasks this worker spawned, in dependency order
  std::span<const std::byte> call;     // what Callable::save_call wrote (version 0, the CPU one)
};
struct FetchTask {
  std::uint64_t task = 0;
};
struct CancelTask {
  std::uint64_t task = 0;
};
struct ForgetTasks {
  std::vector<std::uint64_t> tasks;
};

// In MessageType's order.
using Message = std::variant<Hello, Welcome, Refuse, RunCall, Done, Failed, Put, Stored, Get, ValueReply, Release,
                             Stats, StatsReply, Shutdown, SpawnTask, FetchTask, CancelTask, ForgetTasks>;

struct DecodedMessage {
  std::uint64_t request = 0;
  Message message;
};

struct MessageHeader {
  MessageType type;
  std::uint64_t request;
};
// Throws ProtocolError for anything that is not a well-formed header.
MessageHeader decode_header(std::string_view header);
std::string encode_header(MessageType type, std::uint64_t request);

// Throws ProtocolError for anything that is not a well-formed message.
DecodedMessage decode_message(std::string_view header, std::span<const std::byte> body);

// Encoding. The body's large parts are sent from where they lie; `keep`
// owns them until the message is sent.
OutgoingMessage encode_message(std::uint64_t request, const Message& message);
OutgoingMessage encode_message(MessageType type, std::uint64_t request, std::shared_ptr<WireWriter> body,
                               std::shared_ptr<const void> keep = nullptr);

}  // namespace dagger::detail
