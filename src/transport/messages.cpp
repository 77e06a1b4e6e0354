#include "transport/messages.hpp"

#include <cstring>

namespace dagger::detail {
namespace {

constexpr std::uint32_t kMagic = 0x31524744;  // "DGR1"
constexpr std::size_t kHeaderBytes = 4 + 1 + 8;

std::string header_of(MessageType type, std::uint64_t request) {
  std::string out(kHeaderBytes, '\0');
  std::memcpy(out.data(), &kMagic, 4);
  out[4] = static_cast<char>(type);
  std::memcpy(out.data() + 5, &request, 8);
  return out;
}

std::vector<std::uint64_t> read_ids(WireReader& in) {
  const std::size_t n = in.count(sizeof(std::uint64_t));
  std::vector<std::uint64_t> ids(n);
  for (auto& id : ids) id = in.u64();
  return ids;
}

void write_ids(WireWriter& out, const std::vector<std::uint64_t>& ids) {
  out.u64(ids.size());
  for (std::uint64_t id : ids) out.u64(id);
}

Message read_body(MessageType type, WireReader& in) {
  switch (type) {
    case MessageType::hello: {
      Hello m;
      m.cookie = in.string();
      m.fingerprint = in.u64();
      m.pid = in.pod<std::int64_t>();
      m.host = in.string();
      m.threads = in.pod<std::uint32_t>();
      if (m.threads == 0 || m.threads > 4096) throw ProtocolError("a worker with " + std::to_string(m.threads) + " threads");
      return m;
    }
    case MessageType::welcome: return Welcome{in.pod<std::uint32_t>()};
    case MessageType::refuse: return Refuse{in.string()};
    case MessageType::run: {
      RunCall m;
      m.invoker = in.u64();
      m.version = in.pod<std::uint32_t>();
      m.function = in.string();
      m.inputs = read_ids(in);
      m.call = in.take(in.remaining());
      return m;
    }
    case MessageType::done: {
      Done m;
      m.chunk = in.u64();
      m.bytes = in.u64();
      m.run_ns = in.u64();
      m.value = in.take(in.remaining());
      if (m.value.size() > kInlineResultBytes) {
        throw ProtocolError("a done message carrying a result of " + std::to_string(m.value.size()) + " bytes");
      }
      return m;
    }
    case MessageType::failed: {
      Failed m;
      m.type = in.string();
      m.message = in.string();
      return m;
    }
    case MessageType::put: return Put{in.take(in.remaining())};
    case MessageType::stored: {
      Stored m;
      m.chunk = in.u64();
      m.bytes = in.u64();
      return m;
    }
    case MessageType::get: return Get{in.u64()};
    case MessageType::value: return ValueReply{in.take(in.remaining())};
    case MessageType::release: return Release{read_ids(in)};
    case MessageType::stats: return Stats{};
    case MessageType::stats_reply: {
      StatsReply m;
      m.live_chunks = in.pod<std::int64_t>();
      m.held = in.pod<std::int64_t>();
      m.memory_limit = in.u64();
      m.resident_bytes = in.u64();
      m.peak_resident_bytes = in.u64();
      m.spilled_bytes = in.u64();
      m.spills = in.u64();
      m.reloads = in.u64();
      return m;
    }
    case MessageType::shutdown: return Shutdown{};
    case MessageType::spawn: {
      SpawnTask m;
      m.task = in.u64();
      m.invoker = in.u64();
      m.function = in.string();
      m.inputs = read_ids(in);
      m.call = in.take(in.remaining());
      return m;
    }
    case MessageType::fetch: return FetchTask{in.u64()};
    case MessageType::cancel: return CancelTask{in.u64()};
    case MessageType::forget: return ForgetTasks{read_ids(in)};
  }
  throw ProtocolError("unknown message type " + std::to_string(static_cast<int>(type)));
}

MessageType type_of(const Message& m) { return static_cast<MessageType>(m.index() + 1); }

void write_body(const Message& message, WireWriter& out) {
  std::visit(
      [&](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, Hello>) {
          out.string(m.cookie);
          out.u64(m.fingerprint);
          out.pod(m.pid);
          out.string(m.host);
          out.pod(m.threads);
        } else if constexpr (std::is_same_v<M, Welcome>) {
          out.pod(m.worker);
        } else if constexpr (std::is_same_v<M, Refuse>) {
          out.string(m.reason);
        } else if constexpr (std::is_same_v<M, RunCall>) {
          out.u64(m.invoker);
          out.pod(m.version);
          out.string(m.function);
          write_ids(out, m.inputs);
          out.bytes(m.call.data(), m.call.size());
        } else if constexpr (std::is_same_v<M, Done>) {
          out.u64(m.chunk);
          out.u64(m.bytes);
          out.u64(m.run_ns);
          out.bytes(m.value.data(), m.value.size());
        } else if constexpr (std::is_same_v<M, Stored>) {
          out.u64(m.chunk);
          out.u64(m.bytes);
        } else if constexpr (std::is_same_v<M, Failed>) {
          out.string(m.type);
          out.string(m.message);
        } else if constexpr (std::is_same_v<M, Put> || std::is_same_v<M, ValueReply>) {
          out.bytes(m.value.data(), m.value.size());
        } else if constexpr (std::is_same_v<M, Get>) {
          out.u64(m.chunk);
        } else if constexpr (std::is_same_v<M, Release>) {
          write_ids(out, m.chunks);
        } else if constexpr (std::is_same_v<M, StatsReply>) {
          out.pod(m.live_chunks);
          out.pod(m.held);
          for (std::uint64_t n : {m.memory_limit, m.resident_bytes, m.peak_resident_bytes, m.spilled_bytes, m.spills,
                                  m.reloads}) {
            out.u64(n);
          }
        } else if constexpr (std::is_same_v<M, SpawnTask>) {
          out.u64(m.task);
          out.u64(m.invoker);
          out.string(m.function);
          write_ids(out, m.inputs);
          out.bytes(m.call.data(), m.call.size());
        } else if constexpr (std::is_same_v<M, FetchTask> || std::is_same_v<M, CancelTask>) {
          out.u64(m.task);
        } else if constexpr (std::is_same_v<M, ForgetTasks>) {
          write_ids(out, m.tasks);
        }
      },
      message);
}

}  // namespace

MessageHeader decode_header(std::string_view header) {
  if (header.size() != kHeaderBytes) {
    throw ProtocolError("a message header of " + std::to_string(header.size()) + " bytes");
  }
  std::uint32_t magic;
  std::memcpy(&magic, header.data(), 4);
  if (magic != kMagic) throw ProtocolError("a message without dagger's magic number");
  const auto type = static_cast<std::uint8_t>(header[4]);
  if (type < static_cast<std::uint8_t>(MessageType::hello) || type > static_cast<std::uint8_t>(kLastMessageType)) {
    throw ProtocolError("unknown message type " + std::to_string(type));
  }
  MessageHeader out{static_cast<MessageType>(type), 0};
  std::memcpy(&out.request, header.data() + 5, 8);
  return out;
}

std::string encode_header(MessageType type, std::uint64_t request) { return header_of(type, request); }

DecodedMessage decode_message(std::string_view header, std::span<const std::byte> body) {
  const MessageHeader h = decode_header(header);
  DecodedMessage out;
  out.request = h.request;
  WireReader in(body);
  out.message = read_body(h.type, in);
  in.expect_end();
  return out;
}

OutgoingMessage encode_message(std::uint64_t request, const Message& message) {
  auto body = std::make_shared<WireWriter>();
  write_body(message, *body);
  return encode_message(type_of(message), request, std::move(body));
}

OutgoingMessage encode_message(MessageType type, std::uint64_t request, std::shared_ptr<WireWriter> body,
                               std::shared_ptr<const void> keep) {
  OutgoingMessage out;
  out.header = header_of(type, request);
  out.body = body->parts();
  struct Owned {
    std::shared_ptr<WireWriter> body;
    std::shared_ptr<const void> keep;
  };
  out.keep_alive = std::make_shared<Owned>(Owned{std::move(body), std::move(keep)});
  return out;
}

}  // namespace dagger::detail
