// How the chunk store writes a value to disk and brings it back. A type
// opts in by declaring `const dagger::detail::SpillCodec* dagger_spill_codec(const T*)`
// (found by ADL); values of other types stay in memory. The codec moves only
// the value's large contiguous payload: the small rest of the object (shape,
// element type) stays in memory, so a spilled value keeps its description.
// The store only touches a spilled value's payload after restoring it.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

namespace dagger::detail {

// A value's payload is up to kSpillParts byte ranges (a dense block has
// one, a sparse block three), written one after the other.
inline constexpr std::size_t kSpillParts = 3;
using SpillParts = std::array<std::span<const std::byte>, kSpillParts>;
using SpillSizes = std::array<std::size_t, kSpillParts>;
using SpillTargets = std::array<std::span<std::byte>, kSpillParts>;

struct SpillCodec {
  // The byte ranges to write; unused parts are empty.
  SpillParts (*payload)(const void* object);
  // Whether dropping the payload frees its memory (nobody else shares it).
  bool (*sole_owner)(const void* object);
  // Frees the payload; the object keeps everything else.
  void (*drop)(void* object);
  // Gives the object fresh parts of these sizes and returns them, to be filled.
  SpillTargets (*restore)(void* object, const SpillSizes& sizes);
  // Optional (may be null): whether the payload can be read again from where
  // it came from (so spilling it writes nothing), and reading it from there
  // into a fresh payload: an empty string, or what went wrong.
  bool (*rereadable)(const void* object);
  std::string (*reread)(void* object, const SpillSizes& sizes);
};

inline std::size_t payload_bytes(const SpillParts& parts) {
  std::size_t n = 0;
  for (const auto& p : parts) n += p.size();
  return n;
}

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
