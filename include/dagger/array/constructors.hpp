// Making arrays: random, constant, or cut from data the caller has.
#pragma once

#include <Eigen/Core>
#include <concepts>
#include <optional>
#include <vector>

#include "dagger/array/darray.hpp"
#include "dagger/delayed.hpp"

namespace dagger {

// The seed of a random array. Each block draws from its own generator,
// seeded from this seed and the block's position, so the values do not
// depend on how many processors there are or in which order blocks run.
// Without a seed, every call draws a fresh one.
struct Seed {
  std::uint64_t value;
};

namespace detail {
enum class Fill { zeros, ones, uniform, normal };
ArrayPtr filled_array(Layout layout, DType dtype, Fill fill, std::optional<Seed> seed, const Assignment& assignment);
std::optional<Seed> no_seed();
}  // namespace detail

#define DAGGER_CONSTRUCTOR(name, fill, requirement)                                                     \
  template <class T = double>                                                                          \
    requires(requirement)                                                                              \
  DArray<T> name(const Blocks& blocks, std::int64_t n, const Assignment& assignment = {}) {            \
    return DArray<T>(                                                                                  \
        detail::filled_array(Layout({n}, blocks), dtype_of<T>(), fill, detail::no_seed(), assignment));  \
  }                                                                                                    \
  template <class T = double>                                                                          \
    requires(requirement)                                                                              \
  DArray<T> name(const Blocks& blocks, std::int64_t m, std::int64_t n, const Assignment& assignment = {}) { \
    return DArray<T>(                                                                                  \
        detail::filled_array(Layout({m, n}, blocks), dtype_of<T>(), fill, detail::no_seed(), assignment)); \
  }

// Any rank: zeros(Blocks(2, 2, 2), {4, 4, 4}), or zeros(Blocks(2, 2, 2), 4, 4, 4).
#define DAGGER_CONSTRUCTOR_ANY_RANK(name, fill, requirement)                                            \
  template <class T = double>                                                                          \
    requires(requirement)                                                                              \
  DArray<T> name(const Blocks& blocks, std::vector<std::int64_t> shape, const Assignment& assignment = {}) { \
    return DArray<T>(detail::filled_array(Layout(std::move(shape), blocks), dtype_of<T>(), fill, detail::no_seed(), \
                                          assignment));                                                \
  }                                                                                                    \
  template <class T = double, std::integral... More>                                                   \
    requires(requirement)                                                                              \
  DArray<T> name(const Blocks& blocks, std::int64_t d0, std::int64_t d1, std::int64_t d2, More... more) {  \
    return name<T>(blocks, std::vector<std::int64_t>{d0, d1, d2, static_cast<std::int64_t>(more)...});  \
  }

#define DAGGER_RANDOM(name, fill, requirement)                                                          \
  DAGGER_CONSTRUCTOR(name, fill, requirement)                                                          \
  DAGGER_CONSTRUCTOR_ANY_RANK(name, fill, requirement)                                                 \
  template <class T = double>                                                                          \
    requires(requirement)                                                                              \
  DArray<T> name(const Blocks& blocks, std::vector<std::int64_t> shape, Seed seed,                     \
                 const Assignment& assignment = {}) {                                                  \
    return DArray<T>(detail::filled_array(Layout(std::move(shape), blocks), dtype_of<T>(), fill, seed, assignment)); \
  }                                                                                                    \
  template <class T = double>                                                                          \
    requires(requirement)                                                                              \
  DArray<T> name(const Blocks& blocks, std::int64_t n, Seed seed, const Assignment& assignment = {}) { \
    return DArray<T>(detail::filled_array(Layout({n}, blocks), dtype_of<T>(), fill, seed, assignment)); \
  }                                                                                                    \
  template <class T = double>                                                                          \
    requires(requirement)                                                                              \
  DArray<T> name(const Blocks& blocks, std::int64_t m, std::int64_t n, Seed seed,                      \
                 const Assignment& assignment = {}) {                                                  \
    return DArray<T>(detail::filled_array(Layout({m, n}, blocks), dtype_of<T>(), fill, seed, assignment)); \
  }

// Each constructor takes an Assignment last (assignment.hpp): by default
// its blocks are made wherever and whenever a consumer needs them.
// Uniform in [0, 1) (any integer for int64, a fair coin for bool).
DAGGER_RANDOM(rand, detail::Fill::uniform, is_element_type_v<T>)
// Standard normal (floating types only).
DAGGER_RANDOM(randn, detail::Fill::normal, std::is_floating_point_v<T>)
DAGGER_CONSTRUCTOR(ones, detail::Fill::ones, is_element_type_v<T>)
DAGGER_CONSTRUCTOR_ANY_RANK(ones, detail::Fill::ones, is_element_type_v<T>)
DAGGER_CONSTRUCTOR(zeros, detail::Fill::zeros, is_element_type_v<T>)
DAGGER_CONSTRUCTOR_ANY_RANK(zeros, detail::Fill::zeros, is_element_type_v<T>)
#undef DAGGER_RANDOM
#undef DAGGER_CONSTRUCTOR_ANY_RANK
#undef DAGGER_CONSTRUCTOR

namespace detail {

// One thunk per block, each holding a copy of its part of `at(row, col)`.
template <class T, class At>
ArrayPtr cut_into_blocks(Layout layout, At at, const Assignment& assignment) {
  std::vector<Thunk<Block>> blocks;
  for (std::size_t k = 0; k < layout.block_count(); ++k) {
    const std::int64_t gi = layout.grid_row_of(k), gj = layout.grid_col_of(k);
    const std::int64_t h = layout.block_height(gi), w = layout.block_width(gj);
    std::vector<T> part(static_cast<std::size_t>(h * w));
    for (std::int64_t c = 0; c < w; ++c) {
      for (std::int64_t r = 0; r < h; ++r) {
        part[static_cast<std::size_t>(r + c * h)] = at(layout.row_start(gi) + r, layout.col_start(gj) + c);
      }
    }
    blocks.push_back(delayed([h, w](const std::vector<T>& values) {
      Block b = Block::make(dtype_of<T>(), h, w);
      std::copy(values.begin(), values.end(), b.mutable_data<T>());
      return b;
    }, {.scope = assignment.scope(layout, k), .name = "distribute"})(std::move(part)));
  }
  return make_array(std::move(layout), dtype_of<T>(), std::move(blocks));
}

}  // namespace detail

// An Eigen matrix or vector cut into blocks (a vector gives a 1-D array).
// Its blocks live where `assignment` puts them (arbitrary: where the
// scheduler places them).
template <class Derived>
auto distribute(const Blocks& blocks, const Eigen::MatrixBase<Derived>& data, const Assignment& assignment = {}) {
  using T = typename Derived::Scalar;
  const auto& m = data.derived();
  const bool vector = Derived::ColsAtCompileTime == 1;
  Layout layout = vector ? Layout({m.rows()}, blocks) : Layout({m.rows(), m.cols()}, blocks);
  return DArray<T>(detail::cut_into_blocks<T>(std::move(layout),
                                              [&m](std::int64_t r, std::int64_t c) { return m(r, c); },
                                              assignment));
}

// A std::vector cut into blocks (a 1-D array).
template <class T>
DArray<T> distribute(const Blocks& blocks, const std::vector<T>& data, const Assignment& assignment = {}) {
  return DArray<T>(detail::cut_into_blocks<T>(
      Layout({static_cast<std::int64_t>(data.size())}, blocks),
      [&data](std::int64_t r, std::int64_t) { return data[static_cast<std::size_t>(r)]; }, assignment));
}

}  // namespace dagger
