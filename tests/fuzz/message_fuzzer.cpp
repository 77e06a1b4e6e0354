// libFuzzer target: the decoder of messages between a driver and its
// workers, of the values they carry, and of batches of messages. Any input
// must end in a decoded message or a ProtocolError (or a batch refused),
// never in a crash, a hang or a huge allocation.
//
// Input layout: one byte n, then an n-byte header (clamped to what is
// there), then the body. scripts/fuzz.sh builds and runs it; with
// DAGGER_FUZZ_WRITE_SEEDS=DIR it first writes well-formed seed messages.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "dagger/array/block.hpp"
#include "dagger/detail/callable.hpp"
#include "dagger/detail/value.hpp"
#include "transport/batch.hpp"
#include "transport/messages.hpp"

namespace {

using namespace dagger::detail;

void write_seed(const std::string& dir, const std::string& name, const OutgoingMessage& m) {
  std::string bytes(1, static_cast<char>(m.header.size()));
  bytes += m.header;
  for (auto part : m.body) bytes.append(reinterpret_cast<const char*>(part.data()), part.size());
  std::ofstream(dir + "/" + name, std::ios::binary) << bytes;
}

OutgoingMessage value_message(MessageType type, const Value& v) {
  auto body = std::make_shared<WireWriter>();
  v.wire_save(*body);
  auto flat = std::make_shared<WireWriter>();
  const std::string bytes = body->flat();
  flat->bytes(bytes.data(), bytes.size());
  return encode_message(type, 3, flat);
}

void write_seeds(const std::string& dir) {
  write_seed(dir, "hello", encode_message(1, Hello{"0123456789abcdef", 42, 1234, "host", 2}));
  write_seed(dir, "welcome", encode_message(1, Welcome{1}));
  write_seed(dir, "refuse", encode_message(0, Refuse{"wrong cookie"}));
  write_seed(dir, "done", encode_message(7, Done{5, 800, 1000}));
  const std::byte small_value[12] = {std::byte{1}, std::byte{2}, std::byte{3}};
  write_seed(dir, "done_with_value", encode_message(7, Done{5, 8, 1000, small_value}));
  write_seed(dir, "failed", encode_message(7, Failed{"std::runtime_error", "boom"}));
  write_seed(dir, "get", encode_message(8, Get{5}));
  write_seed(dir, "release", encode_message(0, Release{{1, 2, 3}}));
  write_seed(dir, "stats", encode_message(9, Stats{}));
  write_seed(dir, "stats_reply", encode_message(9, StatsReply{3, 2}));
  write_seed(dir, "shutdown", encode_message(0, Shutdown{}));
  auto call = std::make_shared<WireWriter>();
  call->u64(12345);
  call->pod<std::uint32_t>(0);
  call->string("add1");
  call->u64(1);
  call->u64(5);
  call->pod<std::int32_t>(4);
  write_seed(dir, "run", encode_message(MessageType::run, 4, call));
  const std::byte constants[4] = {std::byte{4}, std::byte{0}, std::byte{0}, std::byte{0}};
  write_seed(dir, "spawn", encode_message(0, SpawnTask{3, 12345, "add1", {1, 2}, constants}));
  write_seed(dir, "fetch", encode_message(10, FetchTask{3}));
  write_seed(dir, "cancel", encode_message(0, CancelTask{3}));
  write_seed(dir, "forget", encode_message(0, ForgetTasks{{1, 3}}));
  write_seed(dir, "put_vector", value_message(MessageType::put, Value::make<std::vector<double>>(std::vector<double>{1, 2, 3})));
  write_seed(dir, "put_string", value_message(MessageType::put, Value::make<std::string>("text")));
  dagger::Block b = dagger::Block::make(dagger::DType::f64, 2, 3);
  for (int i = 0; i < 6; ++i) b.mutable_data<double>()[i] = i;
  write_seed(dir, "value_block", value_message(MessageType::value, Value::make<dagger::Block>(b)));
  // A batch: an empty header, then frames.
  auto frames = std::make_shared<std::vector<std::byte>>();
  for (const OutgoingMessage& m : {encode_message(7, Done{5, 800, 1000}), encode_message(0, Release{{1, 2}})}) {
    append_frame(*frames, m.header, m.body);
  }
  OutgoingMessage batch;
  batch.body.emplace_back(frames->data(), frames->size());
  write_seed(dir, "batch", batch);
}

// Makes sure these value types are in the table, as in a real program.
[[maybe_unused]] const Value kRegistered[] = {Value::make<std::vector<double>>(), Value::make<std::string>(),
                                              Value::make<dagger::Block>()};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("DAGGER_FUZZ_WRITE_SEEDS"); dir && *dir) write_seeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t header_size = std::min<std::size_t>(data[0], size - 1);
  const std::string_view header(reinterpret_cast<const char*>(data + 1), header_size);
  const std::span<const std::byte> body(reinterpret_cast<const std::byte*>(data + 1 + header_size),
                                        size - 1 - header_size);
  if (header.empty()) {
    std::vector<BatchedMessage> frames;
    if (split_batch(body, frames)) {
      for (const BatchedMessage& f : frames) {
        try {
          decode_message(f.header, f.body);
        } catch (const ProtocolError&) {
        }
      }
    }
    return 0;
  }
  try {
    DecodedMessage m = decode_message(header, body);
    std::span<const std::byte> value;
    if (const auto* put = std::get_if<Put>(&m.message)) value = put->value;
    if (const auto* reply = std::get_if<ValueReply>(&m.message)) value = reply->value;
    if (!value.empty()) {
      WireReader in(value);
      Value v = Value::wire_load(in);
      in.expect_end();
    }
    if (const auto* run = std::get_if<RunCall>(&m.message)) (void)invoker_of(run->invoker);
  } catch (const ProtocolError&) {
  }
  return 0;
}
