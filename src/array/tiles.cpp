#include "array/tiles.hpp"

#include <cstring>

#include "dagger/array/block_operations.hpp"
#include "dagger/array/elementwise.hpp"
#include "dagger/delayed.hpp"
#include "kernels/cpu/lapack.hpp"

namespace dagger::detail::tiles {
namespace {

Block copy_of(const Block& b) {
  Block c = Block::make(b.dtype, b.rows, b.cols);
  if (b.bytes() > 0) std::memcpy(c.buffer.get(), b.buffer.get(), b.bytes());
  return c;
}

}  // namespace

Block failure_marker(std::int64_t order) {
  Block b = Block::make(DType::i64, 1, 1);
  *b.mutable_data<std::int64_t>() = order;
  return b;
}

std::int64_t failure_of(const Block& b, DType dtype) { return b.dtype == dtype ? 0 : *b.data<std::int64_t>(); }

Thunk<Block> cholesky(const Thunk<Block>& a, std::int64_t first_row, DType dtype) {
  auto on_cpu = [first_row, dtype](const Block& tile) {
    if (failure_of(tile, dtype) != 0) return tile;
    Block l = copy_of(tile);
    const std::int64_t info = kernels::cpu::cholesky_lower(l);
    return info == 0 ? l : failure_marker(first_row + info);
  };
  return run_operation<ops::CholeskyTile>({.name = "potrf"}, on_cpu, TileRequest{first_row}, a);
}

Thunk<Block> solve(const Thunk<Block>& t, const Thunk<Block>& b, bool left, bool lower, bool transpose, DType dtype,
                   bool unit) {
  auto on_cpu = [left, lower, transpose, unit, dtype](const Block& tri, const Block& rhs) {
    if (failure_of(tri, dtype) != 0) return tri;
    if (failure_of(rhs, dtype) != 0) return rhs;
    Block x = copy_of(rhs);
    kernels::cpu::triangular_solve(tri, x, left, lower, transpose, unit);
    return x;
  };
  return run_operation<ops::SolveTile>({.name = "trsm"}, on_cpu, SolveRequest{left, lower, transpose, unit}, t, b);
}

Thunk<Block> multiply_subtract(const Thunk<Block>& c, const Thunk<Block>& a, const Thunk<Block>& b, bool transpose_a,
                               bool transpose_b, DType dtype) {
  auto on_cpu = [transpose_a, transpose_b, dtype](const Block& into, const Block& x, const Block& y) {
    for (const Block* in : {&into, &x, &y}) {
      if (failure_of(*in, dtype) != 0) return *in;
    }
    Block out = copy_of(into);
    kernels::cpu::multiply_subtract(x, y, out, transpose_a, transpose_b);
    return out;
  };
  return run_operation<ops::MultiplySubtractTile>({.name = "gemm"}, on_cpu, ProductRequest{transpose_a, transpose_b},
                                                   c, a, b);
}

Thunk<Block> symmetric_subtract(const Thunk<Block>& c, const Thunk<Block>& a, DType dtype) {
  auto on_cpu = [dtype](const Block& into, const Block& x) {
    if (failure_of(into, dtype) != 0) return into;
    if (failure_of(x, dtype) != 0) return x;
    Block out = copy_of(into);
    kernels::cpu::symmetric_subtract(x, out);
    return out;
  };
  return run_operation<ops::SymmetricSubtractTile>({.name = "syrk"}, on_cpu, NoRequest{}, c, a);
}

Thunk<Block> zeros(std::int64_t rows, std::int64_t cols, DType dtype) {
  return delayed([rows, cols, dtype] {
    Block b = Block::make(dtype, rows, cols);
    if (b.bytes() > 0) std::memset(b.buffer.get(), 0, b.bytes());
    return b;
  }, {.name = "zeros"})();
}

namespace {

template <class T>
void keep_triangle(T* a, std::int64_t rows, std::int64_t cols, bool unit_lower) {
  for (std::int64_t c = 0; c < cols; ++c) {
    for (std::int64_t r = 0; r < rows; ++r) {
      if (unit_lower && r < c) a[r + c * rows] = T(0);
      if (unit_lower && r == c) a[r + c * rows] = T(1);
      if (!unit_lower && r > c) a[r + c * rows] = T(0);
    }
  }
}

}  // namespace

Thunk<Block> triangle_of(const Thunk<Block>& a, bool unit_lower, DType dtype) {
  return delayed([unit_lower, dtype](const Block& tile) {
    Block out = copy_of(tile);
    if (dtype == DType::f64) {
      keep_triangle(out.mutable_data<double>(), out.rows, out.cols, unit_lower);
    } else {
      keep_triangle(out.mutable_data<float>(), out.rows, out.cols, unit_lower);
    }
    return out;
  }, {.name = unit_lower ? "unit lower" : "upper"})(a);
}

Block stacked(const std::vector<Block>& column, std::int64_t extra) {
  std::int64_t rows = 0;
  for (const Block& t : column) rows += t.rows;
  const Block& first = column.front();
  Block out = Block::make(first.dtype, rows, first.cols + extra);
  const std::size_t size = element_size(first.dtype);
  std::int64_t at = 0;
  for (const Block& t : column) {
    for (std::int64_t c = 0; c < t.cols; ++c) {
      std::memcpy(out.buffer.get() + static_cast<std::size_t>(at + c * rows) * size,
                  t.buffer.get() + static_cast<std::size_t>(c * t.rows) * size, static_cast<std::size_t>(t.rows) * size);
    }
    at += t.rows;
  }
  return out;
}

Thunk<Block> rows_of(const Thunk<Block>& tall, std::int64_t offset, std::int64_t rows, std::int64_t drop, const char* name) {
  return delayed([offset, rows, drop](const Block& p) {
    Block out = Block::make(p.dtype, rows, p.cols - drop);
    const std::size_t size = element_size(p.dtype);
    for (std::int64_t c = 0; c < out.cols; ++c) {
      std::memcpy(out.buffer.get() + static_cast<std::size_t>(c * rows) * size,
                  p.buffer.get() + static_cast<std::size_t>(offset + c * p.rows) * size, static_cast<std::size_t>(rows) * size);
    }
    return out;
  }, {.name = name})(tall);
}

ArrayPtr square_tiles(const ArrayPtr& a) {
  const Layout& l = a->layout;
  if (l.block_rows() == l.block_cols()) return a;
  return rechunk(a, Blocks(l.block_rows(), l.block_rows()));
}

void check_square_float(const char* operation, const ArrayPtr& a) {
  const Layout& l = a->layout;
  if (l.ndims() != 2 || l.rows() != l.cols()) {
    throw ArrayError(std::string(operation) + ": the matrix must be square, not " + l.shape_text());
  }
  if (a->dtype != DType::f64 && a->dtype != DType::f32) throw_unsupported(operation, a->dtype);
}

}  // namespace dagger::detail::tiles
