#include "transport/batch.hpp"

#include <cstdint>
#include <cstring>

#include "transport/transport.hpp"

namespace dagger::detail {

void append_frame(std::vector<std::byte>& batch, std::string_view header,
                  const std::vector<std::span<const std::byte>>& body) {
  const auto header_size = static_cast<std::uint16_t>(header.size());
  std::uint64_t body_size = 0;
  for (auto part : body) body_size += part.size();
  const std::size_t at = batch.size();
  batch.resize(at + kFrameHead + header.size() + body_size);
  std::byte* out = batch.data() + at;
  std::memcpy(out, &header_size, 2);
  std::memcpy(out + 2, &body_size, 8);
  std::memcpy(out + kFrameHead, header.data(), header.size());
  out += kFrameHead + header.size();
  for (auto part : body) {
    if (part.empty()) continue;
    std::memcpy(out, part.data(), part.size());
    out += part.size();
  }
}

bool split_batch(std::span<const std::byte> batch, std::vector<BatchedMessage>& out) {
  std::size_t at = 0;
  while (at < batch.size()) {
    if (batch.size() - at < kFrameHead) return false;
    std::uint16_t header_size;
    std::uint64_t body_size;
    std::memcpy(&header_size, batch.data() + at, 2);
    std::memcpy(&body_size, batch.data() + at + 2, 8);
    at += kFrameHead;
    if (header_size == 0 || header_size > Transport::kMaxHeader || batch.size() - at < header_size) return false;
    std::string_view header(reinterpret_cast<const char*>(batch.data() + at), header_size);
    at += header_size;
    if (batch.size() - at < body_size) return false;
    out.push_back({header, batch.subspan(at, body_size)});
    at += body_size;
  }
  return !out.empty();
}

}  // namespace dagger::detail
