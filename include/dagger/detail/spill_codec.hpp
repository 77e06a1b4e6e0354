// How the chunk store writes a value to disk and brings it back. A type
// opts in by declaring `const dagger::detail::SpillCodec* dagger_spill_codec(const T*)`
// (found by ADL); values of other types stay in memory. The codec moves only
// the value's large contiguous payload: the small rest of the object (shape,
// element type) stays in memory, so a spilled value keeps its description.
#pragma once

#include <cstddef>
#include <span>
#include <type_traits>
#include <utility>

namespace dagger::detail {

struct SpillCodec {
  // The bytes to write. Empty: nothing worth spilling.
  std::span<const std::byte> (*payload)(const void* object);
  // Whether dropping the payload frees its memory (nobody else shares it).
  bool (*sole_owner)(const void* object);
  // Frees the payload; the object keeps everything else.
  void (*drop)(void* object);
  // Gives the object a fresh payload of `bytes` and returns it, to be filled.
  std::span<std::byte> (*restore)(void* object, std::size_t bytes);
};

template <class T, class = void>
struct has_spill_codec : std::false_type {};
template <class T>
struct has_spill_codec<T, std::void_t<decltype(dagger_spill_codec(std::declval<const T*>()))>>
    : std::true_type {};

template <class T>
const SpillCodec* spill_codec_of() {
  if constexpr (has_spill_codec<T>::value) {
    return dagger_spill_codec(static_cast<const T*>(nullptr));
  } else {
    return nullptr;
  }
}

}  // namespace dagger::detail
