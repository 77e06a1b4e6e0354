// The wire form of values and calls, and the message decoder, in one process.
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "dagger/array.hpp"
#include "dagger/dagger.hpp"
#include "transport/messages.hpp"

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
