// Several small messages in one active message: a batch is a sequence of
// frames [u16 header size][u64 body size][header][body]. The transport
// sends small messages queued together for one connection this way, so the
// receiver wakes once for all of them. The splitter reads any bytes at all
// without undefined behaviour (fuzzed by tests/fuzz/message_fuzzer.cpp).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace dagger::detail {

inline constexpr std::size_t kFrameHead = 2 + 8;

struct BatchedMessage {
  std::string_view header;          // never empty
  std::span<const std::byte> body;  // both point into the batch
};

void append_frame(std::vector<std::byte>& batch, std::string_view header,
                  const std::vector<std::span<const std::byte>>& body);
// The batch's messages, in order; false when it is malformed (a frame cut
// short, an empty or oversized header, or no frame at all).
bool split_batch(std::span<const std::byte> batch, std::vector<BatchedMessage>& out);

}  // namespace dagger::detail
