// Tiled triangular solves: forward substitution down the tiles of a lower
// op(T), back substitution up those of an upper one, one column of blocks
// of B at a time; each tile step is a gemm update then a trsm.
#include "array/tiles.hpp"
#include "dagger/array/factorizations.hpp"

namespace dagger::detail {

ArrayPtr triangular_solve_arrays(const ArrayPtr& t_in, const ArrayPtr& b_in, bool lower, bool left, bool transpose_t,
                                 bool unit) {
  tiles::check_square_float("triangular_solve", t_in);
  if (b_in->dtype != t_in->dtype) {
    throw ArrayError("triangular_solve: the triangle holds " + to_string(t_in->dtype) + " and the right-hand side " +
                     to_string(b_in->dtype));
  }
  const std::int64_t n = t_in->layout.rows();
  if (!left) {
    // X op(T) = B is op(T)' X' = B'.
    if (b_in->layout.ndims() != 2) throw ArrayError("triangular_solve: on the right, b must be a matrix");
    if (b_in->layout.cols() != n) {
      throw ArrayError("triangular_solve: b is " + b_in->layout.shape_text() + " but the triangle is " +
                       t_in->layout.shape_text());
    }
    return transpose_array(triangular_solve_arrays(t_in, transpose_array(b_in), lower, true, !transpose_t, unit));
  }
  if (b_in->layout.rows() != n) {
    throw ArrayError("triangular_solve: b is " + b_in->layout.shape_text() + " but the triangle is " +
                     t_in->layout.shape_text());
  }
  ArrayPtr t = tiles::square_tiles(t_in);
  const Layout& lt = t->layout;
  const std::int64_t tb = lt.block_rows();
  const bool matrix = b_in->layout.ndims() == 2;
  ArrayPtr b = b_in;
  if (b->layout.block_rows() != tb) {
    b = rechunk(b, matrix ? Blocks(tb, b->layout.block_cols()) : Blocks(tb));
  }
  const Layout& lb = b->layout;
  const DType dtype = t->dtype;
  const auto& tt = block_thunks(t);
  std::vector<Thunk<Block>> x = block_thunks(b);
  const std::int64_t nt = lt.grid_rows();
  // op(T)'s tile (i, p), and whether it is read transposed.
  auto op_tile = [&](std::int64_t i, std::int64_t p) -> const Thunk<Block>& {
    return transpose_t ? tt[lt.block_index(p, i)] : tt[lt.block_index(i, p)];
  };
  const bool forward = lower != transpose_t;  // op(T) is lower
  for (std::int64_t j = 0; j < lb.grid_cols(); ++j) {
    for (std::int64_t step = 0; step < nt; ++step) {
      const std::int64_t i = forward ? step : nt - 1 - step;
      Thunk<Block>& xi = x[lb.block_index(i, j)];
      const std::int64_t first = forward ? 0 : i + 1, last = forward ? i : nt;
      for (std::int64_t p = first; p < last; ++p) {
        xi = tiles::multiply_subtract(xi, op_tile(i, p), x[lb.block_index(p, j)], transpose_t, false, dtype);
      }
      xi = tiles::solve(tt[lt.block_index(i, i)], xi, true, lower, transpose_t, dtype, unit);
    }
  }
  return make_array(lb, dtype, std::move(x));
}

}  // namespace dagger::detail
