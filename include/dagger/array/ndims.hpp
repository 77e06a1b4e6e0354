// Arrays of any rank: making one from flat data, gathering one, permuting
// its dimensions, and folding it over any set of dimensions. Every array's
// data is column-major (the first index varies fastest), as Julia's and
// Fortran's; a block of 3 or more dimensions is stored as the matrix of its
// first dimension by the rest, so element-wise operations, reductions of
// every element, save and load treat it as they treat a matrix.
#pragma once

#include <cstring>
#include <vector>

#include "dagger/array/array_compute.hpp"
#include "dagger/array/constructors.hpp"
#include "dagger/array/elementwise.hpp"
#include "dagger/array/reductions.hpp"

namespace dagger {

namespace detail {

// Copies the box of `extents` at `from` of a column-major array of shape
// `from_shape` into the box at `to` of one of shape `to_shape`.
void copy_box(const std::byte* source, const std::vector<std::int64_t>& source_shape,
              const std::vector<std::int64_t>& from, std::byte* target, const std::vector<std::int64_t>& target_shape,
              const std::vector<std::int64_t>& to, const std::vector<std::int64_t>& extents, std::size_t element_bytes);
// An array of `layout` cut from the column-major bytes of all its elements.
ArrayPtr cut_flat(Layout layout, DType dtype, const std::vector<std::byte>& whole, const Assignment& assignment);
// All elements of the array, column-major, from its computed blocks.
std::vector<std::byte> gather_flat(const Context& context, const ArrayPtr& array);
}  // namespace detail

// An array of `shape` (any rank) cut into blocks from `data`, its elements
// in column-major order. An ArrayError when data has another size.
template <class T>
DArray<T> distribute(const Blocks& blocks, const std::vector<T>& data, std::vector<std::int64_t> shape,
                     const Assignment& assignment = {}) {
  Layout layout(std::move(shape), blocks);
  if (static_cast<std::int64_t>(data.size()) != layout.size()) {
    throw ArrayError("distribute: " + std::to_string(data.size()) + " values for an array of shape " +
                     layout.shape_text() + " (" + std::to_string(layout.size()) + " elements)");
  }
  std::vector<std::byte> whole(data.size() * sizeof(T));
  for (std::size_t i = 0; i < data.size(); ++i) {
    const T value = data[i];
    std::memcpy(whole.data() + i * sizeof(T), &value, sizeof(T));
  }
  return DArray<T>(detail::cut_flat(std::move(layout), dtype_of<T>(), whole, assignment));
}

// Every element of an array of any rank, in column-major order (a 0-d
// array gives its one value).
template <class T>
std::vector<T> collect_flat(const Context& context, const DArray<T>& a) {
  const std::vector<std::byte> whole = detail::gather_flat(context, a.impl());
  std::vector<T> out(whole.size() / sizeof(T));
  for (std::size_t i = 0; i < out.size(); ++i) {
    T value;
    std::memcpy(&value, whole.data() + i * sizeof(T), sizeof(T));
    out[i] = value;
  }
  return out;
}
template <class T>
std::vector<T> collect_flat(const DArray<T>& a) {
  return collect_flat(Context(), a);
}

// Folds over a set of dimensions (numbered from 1), as Julia's
// sum(a; dims=(1, 3)): the folded dimensions stay, with extent 1.
template <class T>
DArray<detail::sum_t<T>> sum(const DArray<T>& a, const std::vector<int>& dims) {
  return DArray<detail::sum_t<T>>(detail::reduce_dims<detail::sum_t<T>, T>("sum", a.impl(), dims, detail::Plus{}));
}
template <class T>
DArray<detail::sum_t<T>> prod(const DArray<T>& a, const std::vector<int>& dims) {
  return DArray<detail::sum_t<T>>(
      detail::reduce_dims<detail::sum_t<T>, T>("prod", a.impl(), dims, detail::Multiplies{}));
}
template <class T>
DArray<T> minimum(const DArray<T>& a, const std::vector<int>& dims) {
  return DArray<T>(detail::reduce_dims<T, T>("minimum", a.impl(), dims, detail::Min{}));
}
template <class T>
DArray<T> maximum(const DArray<T>& a, const std::vector<int>& dims) {
  return DArray<T>(detail::reduce_dims<T, T>("maximum", a.impl(), dims, detail::Max{}));
}
template <class T>
DArray<double> mean(const DArray<T>& a, const std::vector<int>& dims) {
  DArray<detail::sum_t<T>> sums = sum(a, dims);
  const double n = static_cast<double>(a.size()) / static_cast<double>(std::max<std::int64_t>(sums.size(), 1));
  return map([n](detail::sum_t<T> s) { return static_cast<double>(s) / n; }, sums);
}
template <class F, class T>
DArray<T> reduce(F f, const DArray<T>& a, const std::vector<int>& dims) {
  return DArray<T>(detail::reduce_dims<T, T>("reduce", a.impl(), dims, std::move(f)));
}

}  // namespace dagger
