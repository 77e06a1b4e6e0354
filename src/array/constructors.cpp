// Random and constant arrays, one generating thunk per block.
#include <atomic>
#include <cmath>
#include <random>

#include "array/seeding.hpp"
#include "dagger/array/device_kernels.hpp"
#include "dagger/array.hpp"

namespace dagger::detail {
namespace {

// Uniform in [0, 1) from the top 53 bits.
double unit(std::mt19937_64& g) { return static_cast<double>(g() >> 11) * 0x1.0p-53; }

template <class T>
void fill_block(Block& b, Fill fill, std::uint64_t block_seed) {
  T* out = b.mutable_data<T>();
  const std::int64_t n = b.size();
  switch (fill) {
    case Fill::zeros:
      std::fill(out, out + n, T(0));
      return;
    case Fill::ones:
      std::fill(out, out + n, T(1));
      return;
    case Fill::uniform: {
      std::mt19937_64 g(block_seed);
      for (std::int64_t i = 0; i < n; ++i) {
        if constexpr (std::is_same_v<T, bool>) {
          out[i] = (g() >> 63) != 0;
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          out[i] = static_cast<std::int64_t>(g());
        } else {
          out[i] = static_cast<T>(unit(g));
        }
      }
      return;
    }
    case Fill::normal: {
      // Box-Muller, written out so that values are the same on every
      // standard library.
      if constexpr (std::is_floating_point_v<T>) {
        std::mt19937_64 g(block_seed);
        for (std::int64_t i = 0; i < n; i += 2) {
          const double u1 = 1.0 - unit(g), u2 = unit(g);
          const double radius = std::sqrt(-2.0 * std::log(u1));
          out[i] = static_cast<T>(radius * std::cos(2 * kernels::kPi * u2));
          if (i + 1 < n) out[i + 1] = static_cast<T>(radius * std::sin(2 * kernels::kPi * u2));
        }
      }
      return;
    }
  }
}

Block make_block(DType dtype, std::int64_t h, std::int64_t w, Fill fill, std::uint64_t block_seed) {
  Block b = Block::make(dtype, h, w);
  switch (dtype) {
    case DType::f64: fill_block<double>(b, fill, block_seed); break;
    case DType::f32: fill_block<float>(b, fill, block_seed); break;
    case DType::i64: fill_block<std::int64_t>(b, fill, block_seed); break;
    case DType::b8: fill_block<bool>(b, fill, block_seed); break;
  }
  return b;
}

const char* fill_name(Fill fill) {
  switch (fill) {
    case Fill::zeros: return "zeros";
    case Fill::ones: return "ones";
    case Fill::uniform: return "rand";
    case Fill::normal: return "randn";
  }
  return "fill";
}

}  // namespace

std::optional<Seed> no_seed() { return std::nullopt; }

std::uint64_t mix_bits(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::uint64_t array_seed(std::optional<Seed> seed) {
  static std::atomic<std::uint64_t> fresh{std::random_device{}()};
  return seed ? seed->value : mix_bits(fresh.fetch_add(1));
}

// The CUDA module's name for a fill (cuda_module_abi.h).
int gpu_fill_kind(Fill fill) {
  switch (fill) {
    case Fill::zeros: return 0;
    case Fill::ones: return 1;
    case Fill::uniform: return 2;
    case Fill::normal: return 3;
  }
  return 0;
}

ArrayPtr filled_array(Layout layout, DType dtype, Fill fill, std::optional<Seed> seed) {
  const std::uint64_t base = array_seed(seed);
  std::vector<Thunk<Block>> blocks;
  blocks.reserve(layout.block_count());
  for (std::size_t k = 0; k < layout.block_count(); ++k) {
    const std::int64_t h = layout.block_height(layout.grid_row_of(k));
    const std::int64_t w = layout.block_width(layout.grid_col_of(k));
    const std::uint64_t seed_k = block_seed(base, k);
    blocks.push_back(cpu_or_gpu(
        {.name = fill_name(fill)}, [dtype, h, w, fill, seed_k] { return make_block(dtype, h, w, fill, seed_k); },
        [dtype, h, w, fill, seed_k] { return gpu_fill(dtype, h, w, gpu_fill_kind(fill), seed_k); }));
  }
  return make_array(std::move(layout), dtype, std::move(blocks));
}

}  // namespace dagger::detail
