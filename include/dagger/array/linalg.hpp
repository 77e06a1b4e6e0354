// Matrix product and transpose of DArrays, and reduceblock.
#pragma once

#include <Eigen/Core>

#include "dagger/array/elementwise.hpp"
#include "dagger/delayed.hpp"

namespace dagger {

namespace detail {
ArrayPtr matmul_arrays(const ArrayPtr& a, const ArrayPtr& b);
ArrayPtr transpose_array(const ArrayPtr& a);
}  // namespace detail

// Matrix-matrix (a: m x k, b: k x n) or matrix-vector (b: 1-D of k) product.
// Each block of the result is one thunk over a row of a's blocks and a
// column of b's (b is re-blocked when its rows are cut unlike a's columns).
template <class T>
DArray<T> matmul(const DArray<T>& a, const DArray<T>& b) {
  return DArray<T>(detail::matmul_arrays(a.impl(), b.impl()));
}
template <class T>
DArray<T> operator*(const DArray<T>& a, const DArray<T>& b) {
  return matmul(a, b);
}

// Lazy transpose: block (i, j) of the result is the transpose of block
// (j, i). A 1-D array of n becomes a 1 x n matrix.
template <class T>
DArray<T> transpose(const DArray<T>& a) {
  return DArray<T>(detail::transpose_array(a.impl()));
}
// Arrays are real: the adjoint is the transpose.
template <class T>
DArray<T> adjoint(const DArray<T>& a) {
  return transpose(a);
}

template <class F, class T>
auto reduceblock(F f, const DArray<T>& a) {
  using Map = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>>;
  using R = detail::element_t<std::remove_cvref_t<std::invoke_result_t<F&, const Map&>>>;
  const Layout& layout = a.layout();
  std::vector<Thunk<R>> values;
  for (const Thunk<Block>& block : a.block_thunks()) {
    values.push_back(delayed([f](const Block& b) mutable {
      return static_cast<R>(f(Map(b.data<T>(), b.rows, b.cols)));
    }, {.name = "reduceblock"})(block));
  }
  const std::int64_t gr = layout.grid_rows(), gc = layout.grid_cols();
  Layout out = layout.ndims() == 2 ? Layout({gr, gc}, Blocks(std::max<std::int64_t>(gr, 1), std::max<std::int64_t>(gc, 1)))
                                   : Layout({gr}, Blocks(std::max<std::int64_t>(gr, 1)));
  std::vector<Thunk<Block>> blocks;
  if (out.block_count() == 1) {
    blocks.push_back(delayed([gr, gc](const std::vector<R>& v) {
      Block b = Block::make(dtype_of<R>(), gr, gc);
      std::copy(v.begin(), v.end(), b.template mutable_data<R>());
      return b;
    })(values));
  }
  return DArray<R>(detail::make_array(std::move(out), dtype_of<R>(), std::move(blocks)));
}

}  // namespace dagger
