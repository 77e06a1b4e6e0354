// The wire form of values and calls, and the message decoder, in one process.
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "dagger/array.hpp"
#include "dagger/cereal.hpp"
#include "dagger/dagger.hpp"
#include "dagger/detail/wire_adopt.hpp"
#include "transport/batch.hpp"
#include "transport/messages.hpp"
#include "transport/transport.hpp"

namespace {

using dagger::detail::ProtocolError;
using dagger::detail::Value;
using dagger::detail::WireReader;
using dagger::detail::WireWriter;

template <class T>
T round_trip(const T& v) {
  WireWriter out;
  Value::make<T>(v).wire_save(out);
  const std::string bytes = out.flat();
  WireReader in(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size());
  Value back = Value::wire_load(in);
  in.expect_end();
  return back.get<T>();
}

struct Point {
  double x, y;
  bool operator==(const Point&) const = default;
};
struct WithCereal {
  std::string name;
  std::vector<int> values;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(name, values);
  }
};

// Private functions reached by cereal through its friend: the type says so.
class PrivateCereal {
 public:
  PrivateCereal() = default;
  explicit PrivateCereal(std::string secret) : secret_(std::move(secret)) {}
  const std::string& secret() const { return secret_; }

 private:
  friend class cereal::access;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(secret_);
  }
  std::string secret_;
};
// Free save/load, found by argument-dependent lookup.
struct FreeSaveLoad {
  std::vector<std::string> words;
};
template <class Archive>
void save(Archive& ar, const FreeSaveLoad& v) {
  ar(v.words);
}
template <class Archive>
void load(Archive& ar, FreeSaveLoad& v) {
  ar(v.words);
}

}  // namespace

template <>
struct dagger::uses_cereal<PrivateCereal> : std::true_type {};

namespace {

// Found without cereal's headers: public member and free functions.
static_assert(dagger::uses_cereal<WithCereal>::value);
static_assert(dagger::uses_cereal<FreeSaveLoad>::value);
static_assert(!dagger::uses_cereal<Point>::value);
static_assert(!dagger::uses_cereal<std::string>::value);

TEST(Wire, ValuesRoundTrip) {
  EXPECT_EQ(round_trip(42), 42);
  EXPECT_EQ(round_trip(std::string("hello")), "hello");
  EXPECT_EQ(round_trip(std::vector<double>{1, 2, 3}), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(round_trip(std::vector<bool>{true, false, true}), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(round_trip(std::vector<std::string>{"a", "bc"}), (std::vector<std::string>{"a", "bc"}));
  EXPECT_EQ(round_trip(std::map<std::string, int>{{"a", 1}, {"b", 2}}), (std::map<std::string, int>{{"a", 1}, {"b", 2}}));
  EXPECT_EQ(round_trip(std::optional<std::string>("x")), std::optional<std::string>("x"));
  EXPECT_EQ(round_trip(std::tuple<int, std::string>(1, "one")), (std::tuple<int, std::string>(1, "one")));
  EXPECT_EQ(round_trip(Point{1, 2}), (Point{1, 2}));
  WithCereal c{"n", {1, 2}};
  WithCereal back = round_trip(c);
  EXPECT_EQ(back.name, "n");
  EXPECT_EQ(back.values, (std::vector<int>{1, 2}));
  EXPECT_EQ(round_trip(PrivateCereal("kept")).secret(), "kept");
  EXPECT_EQ(round_trip(FreeSaveLoad{{"free", "functions"}}).words, (std::vector<std::string>{"free", "functions"}));
}

TEST(Wire, CorruptCerealBytesAreAProtocolError) {
  dagger::detail::WireWriter out;
  out.string("\x05");  // a string length with no characters after it
  const std::string body = out.flat();
  WireReader in(reinterpret_cast<const std::byte*>(body.data()), body.size());
  WithCereal v;
  EXPECT_THROW(dagger::detail::wire_load(v, in), ProtocolError);
}

TEST(Wire, BlocksTravelWithTheirBytes) {
  dagger::Block b = dagger::Block::make(dagger::DType::f64, 300, 200);
  for (std::int64_t i = 0; i < b.size(); ++i) b.mutable_data<double>()[i] = static_cast<double>(i) * 0.5;
  dagger::Block back = round_trip(b);
  ASSERT_EQ(back.rows, 300);
  ASSERT_EQ(back.cols, 200);
  EXPECT_NE(back.buffer.get(), b.buffer.get());
  EXPECT_EQ(std::memcmp(back.buffer.get(), b.buffer.get(), b.bytes()), 0);
  // The large payload is sent from the block's own buffer, not copied.
  WireWriter out;
  Value::make<dagger::Block>(b).wire_save(out);
  bool borrowed = false;
  for (auto part : out.parts()) borrowed = borrowed || part.data() == b.buffer.get();
  EXPECT_TRUE(borrowed);
}

TEST(Wire, ValuesThatCannotTravelSaySo) {
  EXPECT_FALSE(dagger::detail::wire_capable<std::function<int()>>);
  EXPECT_FALSE(dagger::detail::wire_capable<std::shared_ptr<int>>);
  EXPECT_FALSE(dagger::detail::wire_capable<int*>);
  EXPECT_TRUE(dagger::detail::wire_capable<int (*)(int)>);
  WireWriter out;
  try {
    Value::make<std::shared_ptr<int>>(nullptr).wire_save(out);
    FAIL();
  } catch (const dagger::Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot be sent to another process"), std::string::npos);
  }
}

TEST(Wire, CorruptValuesAreProtocolErrors) {
  WireWriter out;
  Value::make<std::vector<double>>(std::vector<double>(10, 1.0)).wire_save(out);
  std::string bytes = out.flat();
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    WireReader in(reinterpret_cast<const std::byte*>(bytes.data()), cut);
    EXPECT_THROW(
        {
          Value v = Value::wire_load(in);
          in.expect_end();
        },
        ProtocolError)
        << cut;
  }
  bytes[0] ^= 0x5a;  // an unknown type key
  WireReader in(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size());
  EXPECT_THROW(Value::wire_load(in), ProtocolError);
}

TEST(Wire, MessagesRoundTripAndGarbageIsRejected) {
  using namespace dagger::detail;
  Hello hello{"cookie", 7, 1234, "host", 2};
  OutgoingMessage m = encode_message(5, hello);
  std::string body;
  for (auto p : m.body) body.append(reinterpret_cast<const char*>(p.data()), p.size());
  DecodedMessage d = decode_message(m.header, std::as_bytes(std::span(body)));
  EXPECT_EQ(d.request, 5u);
  const auto& back = std::get<Hello>(d.message);
  EXPECT_EQ(back.cookie, "cookie");
  EXPECT_EQ(back.threads, 2u);
  EXPECT_THROW(decode_message("short", {}), ProtocolError);
  std::string bad_type = m.header;
  bad_type[4] = 99;
  EXPECT_THROW(decode_message(bad_type, std::as_bytes(std::span(body))), ProtocolError);
  body += "x";  // trailing bytes
  EXPECT_THROW(decode_message(m.header, std::as_bytes(std::span(body))), ProtocolError);
  // A count far larger than the message cannot make the decoder allocate it.
  Release release{{1, 2, 3}};
  OutgoingMessage r = encode_message(0, release);
  std::string rb;
  for (auto p : r.body) rb.append(reinterpret_cast<const char*>(p.data()), p.size());
  rb[7] = 0x7f;
  EXPECT_THROW(decode_message(r.header, std::as_bytes(std::span(rb))), ProtocolError);
}

TEST(Wire, UnknownInvokersAreRejected) {
  EXPECT_THROW(dagger::detail::invoker_of(12345), ProtocolError);
  auto t = dagger::delayed([](int v) { return v + 1; })(1);
  EXPECT_NO_THROW(dagger::detail::invoker_of(t.node()->fn->invoker_key()));
}

}  // namespace

// A transport that receives with `on_message`, another one connected to it.
struct LoopbackPair {
  using Transport = dagger::detail::Transport;
  explicit LoopbackPair(std::function<void(dagger::detail::ConnectionId, std::string, dagger::detail::Bytes)> on_message)
      : receiver(handlers(std::move(on_message)), std::size_t{1} << 30),
        sender(handlers([](dagger::detail::ConnectionId, std::string, dagger::detail::Bytes) {}), std::size_t{1} << 30),
        to(sender.connect("127.0.0.1", receiver.listen("127.0.0.1", 0))) {}

  static Transport::Handlers handlers(
      std::function<void(dagger::detail::ConnectionId, std::string, dagger::detail::Bytes)> on_message) {
    Transport::Handlers h;
    h.on_message = std::move(on_message);
    h.on_lost = [](dagger::detail::ConnectionId, const std::string&) {};
    return h;
  }

  Transport receiver;
  Transport sender;
  dagger::detail::ConnectionId to;
};

// A body of a small part and a large one crosses a real UCX connection on
// loopback as one contiguous range (the small part in the header), arrives
// with its bulk page aligned, and a block read from it keeps the received
// buffer instead of copying it.
TEST(Wire, AReceivedBlockKeepsTheMessageBuffer) {
  using namespace dagger::detail;
  dagger::Block sent = dagger::Block::make(dagger::DType::f32, 1024, 700);  // 2.8 MB
  for (std::int64_t i = 0; i < sent.size(); ++i) sent.mutable_data<float>()[i] = static_cast<float>(i % 977);

  std::promise<std::pair<std::string, Bytes>> arrived;
  LoopbackPair pair([&](ConnectionId, std::string header, Bytes body) {
    arrived.set_value({std::move(header), std::move(body)});
  });
  auto body = std::make_shared<WireWriter>();
  Value::make<dagger::Block>(sent).wire_save(*body);
  pair.sender.send(pair.to, encode_message(MessageType::value, 42, body, std::make_shared<dagger::Block>(sent)));

  auto future = arrived.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  auto [header, received] = future.get();
  DecodedMessage m = decode_message(header, received.view());
  EXPECT_EQ(m.request, 42u);
  const auto& reply = std::get<ValueReply>(m.message);
  ASSERT_EQ(reply.value.size(), body->size());
  EXPECT_EQ(std::memcmp(reply.value.data(), body->flat().data(), body->size()), 0);

  dagger::Block copied, kept;
  {
    WireReader in(reply.value);
    copied = Value::wire_load(in).get<dagger::Block>();  // no received buffer in scope: a copy
  }
  {
    ReceivedBuffer scope(received.data, received.view());
    WireReader in(reply.value);
    kept = Value::wire_load(in).get<dagger::Block>();
  }
  const std::byte* begin = received.data.get();
  EXPECT_TRUE(kept.buffer.get() > begin && kept.buffer.get() < begin + received.size);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(kept.buffer.get()) % 4096, 0u);
  EXPECT_TRUE(copied.buffer.get() < begin || copied.buffer.get() >= begin + received.size);
  for (const dagger::Block* b : {&copied, &kept}) {
    ASSERT_EQ(b->rows, 1024);
    ASSERT_EQ(b->cols, 700);
    EXPECT_EQ(std::memcmp(b->buffer.get(), sent.buffer.get(), sent.bytes()), 0);
  }
  // The block outlives the message it came in.
  received = Bytes{};
  EXPECT_EQ(kept.data<float>()[976], 976.0f);
}

// Shares are given only for what lies in the scope's buffer, aligned, and
// large enough.
TEST(Wire, OnlyAlignedLargePayloadsInTheScopeAreShared) {
  using dagger::detail::ReceivedBuffer;
  constexpr std::size_t kBytes = 1 << 20;
  std::shared_ptr<std::byte[]> owner(static_cast<std::byte*>(::operator new(kBytes, std::align_val_t{64})),
                                     [](std::byte* p) { ::operator delete(p, std::align_val_t{64}); });
  std::span<const std::byte> all(owner.get(), kBytes);
  EXPECT_EQ(ReceivedBuffer::share(all), nullptr);  // no scope
  ReceivedBuffer scope(owner, all);
  EXPECT_EQ(ReceivedBuffer::share(all).get(), owner.get());
  EXPECT_EQ(ReceivedBuffer::share(all.subspan(64, kBytes - 64)).get(), owner.get() + 64);
  EXPECT_EQ(ReceivedBuffer::share(all.subspan(8, kBytes - 64)), nullptr);       // misaligned
  EXPECT_EQ(ReceivedBuffer::share(all.subspan(0, 4096)), nullptr);              // too small a part
  std::vector<std::byte> elsewhere(kBytes);
  EXPECT_EQ(ReceivedBuffer::share(std::span<const std::byte>(elsewhere)), nullptr);  // outside
  const long before = owner.use_count();
  {
    auto share = ReceivedBuffer::share(all);
    EXPECT_EQ(owner.use_count(), before + 1);
  }
  EXPECT_EQ(owner.use_count(), before);
}

// Small messages queued together travel as batches; larger ones between
// them go alone. Whatever the mix, every message arrives once and whole,
// and those of up to 64 KiB in the order they were sent (a larger one may
// be overtaken by later small ones: it arrives when its data is in).
TEST(Wire, MessagesArriveWholeAndInOrderThroughBatches) {
  using namespace dagger::detail;
  constexpr std::uint64_t kMessages = 3000;
  auto large = [](std::uint64_t i) { return i % 501 == 500; };
  auto body_of = [&](std::uint64_t i) {
    // Mostly small, every 97th over the batching limit, every 501st large
    // (not the first).
    const std::size_t size = large(i) ? 200000 : i % 97 == 0 ? 9000 : i % 13;
    std::vector<std::byte> bytes(size);
    for (std::size_t k = 0; k < size; ++k) bytes[k] = static_cast<std::byte>((i * 31 + k) & 0xff);
    return bytes;
  };
  std::mutex mutex;
  std::condition_variable all_in;
  std::uint64_t arrived = 0, next_ordered = 0;
  std::vector<int> times_arrived(kMessages, 0);
  std::string first_wrong;
  LoopbackPair pair([&](ConnectionId, std::string header, Bytes body) {
    const MessageHeader h = decode_header(header);
    const std::vector<std::byte> expected = body_of(h.request);
    std::lock_guard lock(mutex);
    bool bad = h.request >= kMessages || body.size != expected.size() ||
               (body.size > 0 && std::memcmp(body.data.get(), expected.data(), body.size) != 0);
    if (!bad && !large(h.request)) {
      while (large(next_ordered)) ++next_ordered;
      bad = h.request != next_ordered++;
    }
    if (bad && first_wrong.empty()) {
      first_wrong = "message " + std::to_string(h.request) + " arrived as number " + std::to_string(arrived) +
                    " with " + std::to_string(body.size) + " bytes of " + std::to_string(expected.size());
    }
    if (h.request < kMessages) ++times_arrived[h.request];
    ++arrived;
    all_in.notify_all();
  });
  for (std::uint64_t i = 0; i < kMessages; ++i) {
    if (i == 1) {
      // While UCX connects, sends wait in its queue and may be overtaken:
      // the runtime's handshake makes every connection wait for the
      // peer's first reply. So does this test.
      std::unique_lock lock(mutex);
      ASSERT_TRUE(all_in.wait_for(lock, std::chrono::seconds(30), [&] { return arrived == 1; }));
    }
    auto bytes = std::make_shared<std::vector<std::byte>>(body_of(i));
    OutgoingMessage m;
    m.header = encode_header(MessageType::release, i);
    m.body.emplace_back(bytes->data(), bytes->size());
    m.keep_alive = bytes;
    pair.sender.send(pair.to, std::move(m));
  }
  std::unique_lock lock(mutex);
  ASSERT_TRUE(all_in.wait_for(lock, std::chrono::seconds(30), [&] { return arrived == kMessages; })) << arrived;
  EXPECT_TRUE(first_wrong.empty()) << first_wrong;
  EXPECT_EQ(std::count(times_arrived.begin(), times_arrived.end(), 1), static_cast<long>(kMessages));
}

TEST(Wire, BatchesSplitIntoTheirMessagesAndBrokenOnesAreRefused) {
  using namespace dagger::detail;
  std::vector<std::byte> batch;
  const std::string small(5, 'x');
  const std::vector<std::span<const std::byte>> body{std::as_bytes(std::span(small)), {}};
  append_frame(batch, encode_header(MessageType::get, 1), body);
  append_frame(batch, encode_header(MessageType::stats, 2), {});
  std::vector<BatchedMessage> out;
  ASSERT_TRUE(split_batch(batch, out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(decode_header(out[0].header).request, 1u);
  EXPECT_EQ(out[0].body.size(), 5u);
  EXPECT_EQ(decode_header(out[1].header).type, MessageType::stats);
  EXPECT_TRUE(out[1].body.empty());
  // Every cut inside a frame, an empty batch, a zero-length header and a
  // body longer than what follows are refused.
  for (std::size_t cut = 0; cut < batch.size(); ++cut) {
    if (cut == kFrameHead + 13 + 5) continue;  // between the two frames: a valid batch of one
    std::vector<BatchedMessage> partial;
    EXPECT_FALSE(split_batch(std::span(batch).first(cut), partial)) << cut;
  }
  std::vector<std::byte> zero_header(kFrameHead, std::byte{0});
  EXPECT_FALSE(split_batch(zero_header, out));
  std::vector<std::byte> too_long = batch;
  const std::uint64_t huge = ~std::uint64_t{0};
  std::memcpy(too_long.data() + 2, &huge, 8);
  EXPECT_FALSE(split_batch(too_long, out));
}
