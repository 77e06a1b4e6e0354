// compute and collect for arrays.
#pragma once

#include <Eigen/Core>

#include "dagger/array/darray.hpp"
#include "dagger/compute.hpp"

namespace dagger {

// Computes every block; the returned array's blocks are the results, kept
// for as long as the array (or an array made from it) exists.
template <class T>
DArray<T> compute(const Context& context, const DArray<T>& a) {
  return DArray<T>(detail::compute_array(context, a.impl()));
}
template <class T>
DArray<T> compute(const DArray<T>& a) {
  return compute(Context(), a);
}

// Gathers the array on the caller as an Eigen matrix (n x 1 for a 1-D array).
template <class T>
Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic> collect(const Context& context, const DArray<T>& a) {
  const Layout& layout = a.layout();
  // Blocks computed on a GPU or in a worker are brought here first.
  auto chunks = detail::results_here(context, a.block_thunks());
  Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic> out(layout.rows(), layout.cols());
  for (std::size_t k = 0; k < chunks.size(); ++k) {
    // Pinned while copied, not held: the computed blocks may spill again.
    const detail::ChunkPtr& chunk = chunks[k];
    detail::ScopedPin pin(*chunk);
    const Block& b = chunk->value.template get<Block>();
    const std::int64_t gi = layout.grid_row_of(k), gj = layout.grid_col_of(k);
    out.block(layout.row_start(gi), layout.col_start(gj), b.rows, b.cols) =
        Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>>(b.data<T>(), b.rows, b.cols);
  }
  return out;
}
template <class T>
Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic> collect(const DArray<T>& a) {
  return collect(Context(), a);
}

}  // namespace dagger
