// The tile thunks of the dense factorizations and solves, and the failure
// marker they pass on: a tile that cannot be factored becomes a 1 x 1
// int64 block holding the failing order, and every tile operation that
// reads a marker returns it, so a failure ends the graph in cheap steps and
// is read off the diagonal tiles afterwards, in any process.
#pragma once

#include <cstdint>

#include "dagger/array/block.hpp"
#include "dagger/array/darray.hpp"
#include "dagger/thunk.hpp"

namespace dagger::detail::tiles {

Block failure_marker(std::int64_t order);
// The order a marker holds, 0 for a tile of the array's own element type.
std::int64_t failure_of(const Block& b, DType dtype);

Thunk<Block> cholesky(const Thunk<Block>& a, std::int64_t first_row, DType dtype);
// op(t)^-1 b (left) or b op(t)^-1 (right); `unit`: t's diagonal is ones.
Thunk<Block> solve(const Thunk<Block>& t, const Thunk<Block>& b, bool left, bool lower, bool transpose, DType dtype,
                   bool unit = false);
// c - op(a) op(b).
Thunk<Block> multiply_subtract(const Thunk<Block>& c, const Thunk<Block>& a, const Thunk<Block>& b, bool transpose_a,
                               bool transpose_b, DType dtype);
// The lower triangle of c - a a'.
Thunk<Block> symmetric_subtract(const Thunk<Block>& c, const Thunk<Block>& a, DType dtype);
Thunk<Block> zeros(std::int64_t rows, std::int64_t cols, DType dtype);
// The lower (unit diagonal) or the upper triangle of a tile.
Thunk<Block> triangle_of(const Thunk<Block>& a, bool unit_lower, DType dtype);

// The tiles of one column stacked into one tall block, with `extra`
// uninitialized columns after theirs (a panel's pivots or scales).
Block stacked(const std::vector<Block>& column, std::int64_t extra);
// Rows [offset, offset + rows) of a tall block, without its last `drop`
// columns.
Thunk<Block> rows_of(const Thunk<Block>& tall, std::int64_t offset, std::int64_t rows, std::int64_t drop, const char* name);

// The array re-blocked to square tiles of its row block size, if it is not.
ArrayPtr square_tiles(const ArrayPtr& a);
// Throws ArrayError unless `a` is a square matrix of double or float.
void check_square_float(const char* operation, const ArrayPtr& a);

}  // namespace dagger::detail::tiles
