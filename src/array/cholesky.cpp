// Tiled right-looking Cholesky: for each column of tiles k, factor the
// diagonal tile (potrf), solve the tiles below it against it (trsm), and
// update the trailing lower triangle (syrk on diagonal tiles, gemm off it).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "array/tiles.hpp"
#include "dagger/array/factorizations.hpp"

namespace dagger {

NotSymmetric::NotSymmetric(std::int64_t row, std::int64_t col, double value, double mirror)
    : LinearAlgebraError("cholesky: the matrix is not symmetric: entry (" + std::to_string(row) + ", " +
                         std::to_string(col) + ") is " + std::to_string(value) + " but (" + std::to_string(col) +
                         ", " + std::to_string(row) + ") is " + std::to_string(mirror)),
      row_(row),
      col_(col) {}

NotPositiveDefinite::NotPositiveDefinite(std::int64_t order)
    : LinearAlgebraError("cholesky: the matrix is not positive definite: its leading minor of order " +
                         std::to_string(order) + " is not"),
      order_(order) {}

namespace detail {
namespace {

void upper_zeros(const Layout& l, DType dtype, std::vector<Thunk<Block>>& t) {
  for (std::int64_t j = 1; j < l.grid_cols(); ++j) {
    for (std::int64_t i = 0; i < j; ++i) t[l.block_index(i, j)] = tiles::zeros(l.block_height(i), l.block_width(j), dtype);
  }
}

// The first entry (global row, column, value, mirror) of tile (i, j) that
// differs from its mirror in tile (j, i) by more than 64 ulps of the
// larger; empty if none.
template <class T>
std::vector<double> asymmetry(const Block& a, const Block& mirror, std::int64_t row0, std::int64_t col0) {
  const T tolerance = 64 * std::numeric_limits<T>::epsilon();
  const T* x = a.data<T>();
  const T* y = mirror.data<T>();
  // In 32 x 32 squares, so that the mirror's transposed reads stay in cache.
  constexpr std::int64_t kSquare = 32;
  for (std::int64_t c0 = 0; c0 < a.cols; c0 += kSquare) {
    for (std::int64_t r0 = 0; r0 < a.rows; r0 += kSquare) {
      const std::int64_t c1 = std::min(c0 + kSquare, a.cols), r1 = std::min(r0 + kSquare, a.rows);
      for (std::int64_t c = c0; c < c1; ++c) {
        for (std::int64_t r = r0; r < r1; ++r) {
          const T v = x[r + c * a.rows], w = y[c + r * mirror.rows];
          if (!(std::abs(v - w) <= tolerance * std::max(std::abs(v), std::abs(w)))) {
            return {static_cast<double>(row0 + r), static_cast<double>(col0 + c), static_cast<double>(v),
                    static_cast<double>(w)};
          }
        }
      }
    }
  }
  return {};
}

void check_symmetric(const Context& context, const ArrayPtr& a) {
  const Layout& l = a->layout;
  const auto& blocks = block_thunks(a);
  const DType dtype = a->dtype;
  std::vector<Thunk<std::vector<double>>> checks;
  for (std::int64_t j = 0; j < l.grid_cols(); ++j) {
    for (std::int64_t i = j; i < l.grid_rows(); ++i) {
      const std::int64_t row0 = l.row_start(i), col0 = l.col_start(j);
      checks.push_back(delayed([dtype, row0, col0](const Block& tile, const Block& mirror) {
        return dtype == DType::f64 ? asymmetry<double>(tile, mirror, row0, col0)
                                   : asymmetry<float>(tile, mirror, row0, col0);
      }, {.name = "symmetric?"})(blocks[l.block_index(i, j)], blocks[l.block_index(j, i)]));
    }
  }
  for (const std::vector<double>& found : collect(context, checks)) {
    if (!found.empty()) {
      throw NotSymmetric(static_cast<std::int64_t>(found[0]), static_cast<std::int64_t>(found[1]), found[2], found[3]);
    }
  }
}

}  // namespace

ArrayPtr cholesky_graph(const ArrayPtr& a) {
  const Layout& l = a->layout;
  const DType dtype = a->dtype;
  const std::int64_t nt = l.grid_rows();
  std::vector<Thunk<Block>> t = block_thunks(a);
  auto at = [&](std::int64_t i, std::int64_t j) -> Thunk<Block>& { return t[l.block_index(i, j)]; };
  for (std::int64_t k = 0; k < nt; ++k) {
    at(k, k) = tiles::cholesky(at(k, k), l.row_start(k), dtype);
    for (std::int64_t m = k + 1; m < nt; ++m) {
      at(m, k) = tiles::solve(at(k, k), at(m, k), /*left=*/false, /*lower=*/true, /*transpose=*/true, dtype);
    }
    for (std::int64_t m = k + 1; m < nt; ++m) {
      at(m, m) = tiles::symmetric_subtract(at(m, m), at(m, k), dtype);
      for (std::int64_t n = k + 1; n < m; ++n) {
        at(m, n) = tiles::multiply_subtract(at(m, n), at(m, k), at(n, k), false, true, dtype);
      }
    }
  }
  upper_zeros(l, dtype, t);
  return make_array(l, dtype, std::move(t));
}

ArrayPtr cholesky_factor(const Context& context, const ArrayPtr& input) {
  tiles::check_square_float("cholesky", input);
  ArrayPtr a = tiles::square_tiles(input);
  check_symmetric(context, a);
  // The lower tiles are computed; the zeros above stay lazy, made only
  // where something reads them.
  ArrayPtr graph = cholesky_graph(a);
  const Layout& l = graph->layout;
  const DType dtype = graph->dtype;
  const std::int64_t nt = l.grid_rows();
  std::vector<Thunk<Block>> lower;
  for (std::int64_t j = 0; j < nt; ++j) {
    for (std::int64_t i = j; i < nt; ++i) lower.push_back(graph->blocks[l.block_index(i, j)]);
  }
  lower = computed_blocks(context, lower);
  std::vector<Thunk<Block>> t = graph->blocks;
  std::size_t next = 0;
  for (std::int64_t j = 0; j < nt; ++j) {
    for (std::int64_t i = j; i < nt; ++i) t[l.block_index(i, j)] = lower[next++];
  }
  auto factor = std::make_shared<ArrayImpl>(l, dtype);
  factor->blocks = std::move(t);

  // A failure shows on the diagonal tiles from the first that failed on.
  std::vector<Thunk<std::int64_t>> failures;
  const auto& computed = block_thunks(factor);
  for (std::int64_t k = 0; k < nt; ++k) {
    failures.push_back(delayed([dtype](const Block& b) { return tiles::failure_of(b, dtype); },
                               {.name = "factored?"})(computed[l.block_index(k, k)]));
  }
  for (std::int64_t order : collect(context, failures)) {
    if (order != 0) throw NotPositiveDefinite(order);
  }
  return factor;
}

}  // namespace detail
}  // namespace dagger
