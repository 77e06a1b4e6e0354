// Seeds of random arrays. Dense ones key one counter-based generator with
// the array's seed (dagger/kernels/random.hpp); sparse ones draw one
// generator per block, seeded from the array's seed and the block's
// position, so values never depend on scheduling.
#pragma once

#include <cstdint>
#include <optional>

#include "dagger/array/constructors.hpp"

namespace dagger::detail {

// A strong 64-bit mix (splitmix64's finalizer).
std::uint64_t mix_bits(std::uint64_t x);
// The seed of block k of an array seeded with `seed` (or a fresh one).
std::uint64_t array_seed(std::optional<Seed> seed);
inline std::uint64_t block_seed(std::uint64_t array_seed, std::size_t k) {
  return mix_bits(array_seed ^ mix_bits(k));
}

}  // namespace dagger::detail
