// Reading a large payload from a received message without copying it.
//
// While a ReceivedBuffer is alive on a thread, a value loaded there may keep
// a share of the received buffer as its own memory instead of copying the
// payload out of it (Block does). The scope says which buffer the reader's
// bytes live in; without one, or for a payload outside it, readers copy.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

namespace dagger::detail {

class ReceivedBuffer {
 public:
  ReceivedBuffer(std::shared_ptr<std::byte[]> owner, std::span<const std::byte> bytes);
  ~ReceivedBuffer();
  ReceivedBuffer(const ReceivedBuffer&) = delete;
  ReceivedBuffer& operator=(const ReceivedBuffer&) = delete;

  // A share of the current scope's buffer that points at `payload`, or null
  // when there is no scope, `payload` lies outside it, does not start on a
  // 64-byte boundary, or is too small a part of it to be worth keeping the
  // whole buffer alive for.
  static std::shared_ptr<std::byte[]> share(std::span<const std::byte> payload);

 private:
  std::shared_ptr<std::byte[]> owner_;
  std::span<const std::byte> bytes_;
  ReceivedBuffer* outer_;
};

}  // namespace dagger::detail
