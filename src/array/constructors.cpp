// Random and constant arrays. They are element sources: a lazy array with no
// source blocks whose kernel makes each tile where it is consumed, so
// sum(randn(...) .^ 2) generates tile by tile inside the fold and never holds
// a random block; only a consumer that needs whole blocks (a product, a
// transpose, collect) makes one.
#include <atomic>
#include <random>

#include "array/seeding.hpp"
#include "array/transposed_draws.hpp"
#include "dagger/array.hpp"
#include "kernels/cpu/random_fill.hpp"

namespace dagger::detail {
namespace {

const char* fill_name(Fill fill) {
  switch (fill) {
    case Fill::zeros: return "zeros";
    case Fill::ones: return "ones";
    case Fill::uniform: return "rand";
    case Fill::normal: return "randn";
  }
  return "fill";
}

// Elements first, first + step, ... of the random array.
template <class T>
void fill_random(kernels::RandomKind kind, std::uint64_t seed, std::uint64_t first, std::uint64_t step, std::int64_t n,
                 T* out) {
  // Doubles down a column of a transposed block, when each draw's other
  // half lies in the next column (an even step).
  if constexpr (std::is_same_v<T, double>) {
    if (step % 2 == 0) return draw_transposed_run(kind, seed, first, step, n, out);
  }
  if constexpr (std::is_floating_point_v<T>) {
    if (kind == kernels::RandomKind::normal) {
      return step == 1 ? kernels::fill_normal(seed, first, n, out) : kernels::fill_normal_strided(seed, first, step, n, out);
    }
  }
  if (step == 1) return kernels::fill_uniform(seed, first, n, out);
  kernels::fill_uniform_strided(seed, first, step, n, out);
}

// The n elements of a tile, as runs down the block's columns: within a
// column, array indices are `step` apart (1, or a whole column of the
// source when the block is one of its transpose's).
template <class T>
void generate_tile(kernels::RandomKind kind, std::uint64_t seed, const TileAt& at, std::int64_t n, T* out) {
  const kernels::ElementSpot& spot = at.block;
  std::int64_t row = at.offset % spot.height, col = at.offset / spot.height;
  for (std::int64_t done = 0; done < n; ++col, row = 0) {
    const std::int64_t run = std::min(n - done, spot.height - row);
    fill_random(kind, seed, kernels::array_index(spot, row + col * spot.height), static_cast<std::uint64_t>(spot.step),
                run, out + done);
    done += run;
  }
}

template <class T>
TileKernel random_kernel(kernels::RandomKind kind, std::uint64_t seed) {
  return [kind, seed](const std::byte* const*, std::byte* out, std::int64_t n, const TileAt& at) {
    generate_tile(kind, seed, at, n, reinterpret_cast<T*>(out));
  };
}

template <class T>
TileKernel constant_kernel(T value) {
  return [value](const std::byte* const*, std::byte* out, std::int64_t n, const TileAt&) {
    std::fill_n(reinterpret_cast<T*>(out), n, value);
  };
}

template <class T>
std::pair<TileKernel, ProgramPtr> source_of(Fill fill, std::uint64_t seed) {
  switch (fill) {
    case Fill::zeros:
    case Fill::ones: {
      const T value = fill == Fill::ones ? T(1) : T(0);
      return {constant_kernel(value), scalar_program(value)};
    }
    case Fill::uniform:
    case Fill::normal: {
      const auto kind = fill == Fill::normal ? kernels::RandomKind::normal : kernels::RandomKind::uniform;
      return {random_kernel<T>(kind, seed), generate_program(kind, seed, dtype_of<T>())};
    }
  }
  throw ArrayError("unknown fill");
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

ArrayPtr filled_array(Layout layout, DType dtype, Fill fill, std::optional<Seed> seed, const Assignment& assignment) {
  const std::uint64_t key = array_seed(seed);
  std::pair<TileKernel, ProgramPtr> source = visit_dtype(dtype, [&]<class T>() { return source_of<T>(fill, key); });
  // An assigned array is made where assigned, so it is no longer a source a
  // consumer could generate in its own thunks.
  return placed(make_lazy(std::move(layout), dtype, {}, std::move(source.first), std::move(source.second), fill_name(fill)),
                assignment);
}

}  // namespace dagger::detail
