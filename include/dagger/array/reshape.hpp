// Rearranging an array's dimensions: permutedims (the general transpose),
// reshape (the same elements in column-major order under a new shape) and
// rechunk (the same elements in other blocks).
#pragma once

#include <cstdint>
#include <vector>

#include "dagger/array/darray.hpp"
#include "dagger/array/linalg.hpp"

namespace dagger {

namespace detail {
// Throws ArrayError unless `perm` is a permutation of 1..ndims.
void check_permutation(const Layout& layout, const std::vector<int>& perm);
// Dimension perm[i] (from 1) of `array` becomes dimension i + 1, for any
// rank: each block of the result is one block of the array, permuted.
ArrayPtr permuted(const ArrayPtr& array, const std::vector<int>& perm);
ArrayPtr reshape_array(const ArrayPtr& a, const std::vector<std::int64_t>& shape);
}  // namespace detail

// The same values cut into other blocks (dask's rechunk). An output block
// that reads a few input blocks (merging, splitting, shifting) is one task
// that copies from them; an all-to-all re-blocking (row blocks to column
// blocks) goes through pieces, each input block cut once into the parts
// each output block needs, so no task holds more than about a block's worth
// of data and the memory limit holds for any size. Blocks of another rank
// than a's are an ArrayError naming both.
template <class T>
DArray<T> rechunk(const DArray<T>& a, const Blocks& blocks) {
  if (blocks.sizes.size() != a.shape().size()) {
    throw ArrayError("rechunk of a " + a.layout().shape_text() + " array into blocks of " +
                     std::to_string(blocks.sizes.size()) + " dimensions");
  }
  if (Layout(a.shape(), blocks).same_blocking(a.layout())) return a;
  return DArray<T>(detail::rechunk(a.impl(), blocks));
}

// permutedims(a, {2, 1}): dimension perm[d] of a becomes dimension d of
// the result (1-based, as sum(a, dim)); blocks are permuted with it, so
// Blocks(4, 5) becomes Blocks(5, 4). For a matrix, {2, 1} is the transpose
// (lazy, as transpose is) and {1, 2} the array itself; for a vector, {1};
// for 3 or more dimensions, {3, 1, 2} and the like.
template <class T>
DArray<T> permutedims(const DArray<T>& a, const std::vector<int>& perm) {
  detail::check_permutation(a.layout(), perm);
  if (a.ndims() > 2) return DArray<T>(detail::permuted(a.impl(), perm));
  if (perm.size() == 2 && perm[0] == 2) return transpose(a);
  return a;
}

// reshape(a, {d1, ..., dk}): the same elements, in the same column-major
// order, under a new shape of as many elements (any rank). No element moves
// between blocks, so only where the blocks allow it: blocks spanning every
// dimension but the last hold runs of b elements, which become blocks that
// span every new dimension but the last when their product divides b (a
// vector in Blocks(b) becomes rows x n/rows in Blocks(rows, b/rows)).
// Otherwise an ArrayError says which blocking would do.
template <class T>
DArray<T> reshape(const DArray<T>& a, const std::vector<std::int64_t>& shape) {
  return DArray<T>(detail::reshape_array(a.impl(), shape));
}

}  // namespace dagger
