#include "dagger/detail/wire_adopt.hpp"

#include <cstdint>
#include <functional>

namespace dagger::detail {
namespace {
thread_local ReceivedBuffer* current_scope = nullptr;
constexpr std::size_t kMinShared = 64 * 1024;  // smaller payloads are cheaper to copy
}  // namespace

ReceivedBuffer::ReceivedBuffer(std::shared_ptr<std::byte[]> owner, std::span<const std::byte> bytes)
    : owner_(std::move(owner)), bytes_(bytes), outer_(current_scope) {
  current_scope = this;
}

ReceivedBuffer::~ReceivedBuffer() { current_scope = outer_; }

std::shared_ptr<std::byte[]> ReceivedBuffer::share(std::span<const std::byte> payload) {
  const ReceivedBuffer* scope = current_scope;
  if (scope == nullptr || !scope->owner_ || payload.size() < kMinShared) return nullptr;
  // Half the buffer at least: a small part must not pin a large message.
  if (payload.size() < scope->bytes_.size() / 2) return nullptr;
  const std::less_equal<const std::byte*> not_after;
  const bool inside = not_after(scope->bytes_.data(), payload.data()) &&
                      not_after(payload.data() + payload.size(), scope->bytes_.data() + scope->bytes_.size());
  if (!inside || reinterpret_cast<std::uintptr_t>(payload.data()) % 64 != 0) return nullptr;
  return std::shared_ptr<std::byte[]>(scope->owner_, const_cast<std::byte*>(payload.data()));
}

}  // namespace dagger::detail
