// Concatenation: vcat (along dimension 1, stacking rows), hcat (along
// dimension 2, side by side) and cat(dim, arrays). The result is cut like
// the first array; a block of the result that is exactly a block of an
// input is that block (no copy), any other one task that gathers the parts
// of the input blocks it covers.
#pragma once

#include <initializer_list>
#include <vector>

#include "dagger/array/darray.hpp"

namespace dagger {

namespace detail {

// An array placed in a larger one with its first element at (row0, col0).
struct PlacedArray {
  ArrayPtr array;
  std::int64_t row0 = 0;
  std::int64_t col0 = 0;
};
// The blocks of `out` gathered from the placed arrays (which must cover it
// and not overlap), their thunks named `name`.
ArrayPtr assemble(Layout out, DType dtype, const std::vector<PlacedArray>& parts, const char* name);
// Throws ArrayError naming the shapes when the other dimension differs.
ArrayPtr concatenate(const std::vector<ArrayPtr>& arrays, int dim);
// The same when an array has more than 2 dimensions or dim is above 2:
// each array is taken with trailing dimensions of extent 1 up to the
// result's rank (cat(3, {a, b}) of matrices is a 3-D array, as in Julia),
// and every dimension but dim must agree.
ArrayPtr concatenate_any_rank(const std::vector<ArrayPtr>& arrays, int dim);

}  // namespace detail

// cat(dim, {a, b, ...}): dim 1 stacks them (their column counts must agree;
// vectors give a vector), dim 2 puts them side by side (their row counts
// must agree; vectors become the columns of a matrix), as Julia's vcat and
// hcat; any other dim, or arrays of more dimensions, along that dimension
// (every other extent must agree).
template <class T>
DArray<T> cat(int dim, const std::vector<DArray<T>>& arrays) {
  std::vector<detail::ArrayPtr> impls;
  for (const DArray<T>& a : arrays) impls.push_back(a.impl());
  return DArray<T>(detail::concatenate(impls, dim));
}
template <class T>
DArray<T> cat(int dim, std::initializer_list<DArray<T>> arrays) {
  return cat(dim, std::vector<DArray<T>>(arrays));
}
template <class T, class... More>
DArray<T> vcat(const DArray<T>& a, const More&... more) {
  return cat(1, std::vector<DArray<T>>{a, more...});
}
template <class T, class... More>
DArray<T> hcat(const DArray<T>& a, const More&... more) {
  return cat(2, std::vector<DArray<T>>{a, more...});
}

}  // namespace dagger
