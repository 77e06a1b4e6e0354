// Indexing returns a lazy array: ranges, lists of indices and whole
// dimensions, in any combination. Indices start at 0; ranges are half-open.
#pragma once

#include <initializer_list>
#include <vector>

#include "dagger/array/darray.hpp"

namespace dagger {

// [begin, end)
struct Range {
  std::int64_t begin;
  std::int64_t end;
};
inline Range range(std::int64_t begin, std::int64_t end) { return {begin, end}; }

// A whole dimension.
struct All {};
inline constexpr All all{};

// What to take along one dimension.
class Index {
 public:
  Index(Range r) : kind_(Kind::range), range_(r) {}
  Index(All) : kind_(Kind::all) {}
  Index(std::vector<std::int64_t> list) : kind_(Kind::list), list_(std::move(list)) {}
  Index(std::initializer_list<std::int64_t> list) : kind_(Kind::list), list_(list) {}

  // The indices taken from a dimension of `extent`; throws ArrayError
  // naming the index and the extent if one is out of range.
  std::vector<std::int64_t> resolve(std::int64_t extent, int dimension) const;

 private:
  enum class Kind { range, all, list };
  Kind kind_;
  Range range_{0, 0};
  std::vector<std::int64_t> list_;
};

namespace detail {
ArrayPtr index_array(const ArrayPtr& a, const std::vector<std::int64_t>& rows,
                     const std::vector<std::int64_t>& cols);
ArrayPtr take_array(const ArrayPtr& a, const ArrayPtr& indices);
}

// v(p) for a distributed array of 0-based indices p (Julia's v[p] with p a
// DArray, numpy's take): the result has p's shape and blocks, and each of
// its blocks is one task that reads its block of p and every block of v,
// since where the indices point is known only once p is computed. An
// index out of range fails that task with an ArrayError naming it.
template <class T>
DArray<T> take(const DArray<T>& v, const DArray<std::int64_t>& indices) {
  if (v.ndims() != 1) throw ArrayError("take needs a 1-D array to take from, not " + v.layout().shape_text());
  return DArray<T>(detail::take_array(v.impl(), indices.impl()));
}

// X(rows, cols) of a matrix.
template <class T>
DArray<T> index(const DArray<T>& a, const Index& rows, const Index& cols) {
  if (a.ndims() != 2) throw ArrayError("two indices for a 1-D array of " + a.layout().shape_text());
  return DArray<T>(detail::index_array(a.impl(), rows.resolve(a.rows(), 1), cols.resolve(a.cols(), 2)));
}
// v(indices) of a 1-D array.
template <class T>
DArray<T> index(const DArray<T>& a, const Index& rows) {
  if (a.ndims() != 1) throw ArrayError("one index for a 2-D array of " + a.layout().shape_text());
  return DArray<T>(detail::index_array(a.impl(), rows.resolve(a.rows(), 1), {0}));
}

template <class T>
DArray<T> DArray<T>::operator()(const Index& rows) const {
  return index(*this, rows);
}
template <class T>
DArray<T> DArray<T>::operator()(const Index& rows, const Index& cols) const {
  return index(*this, rows, cols);
}

}  // namespace dagger
