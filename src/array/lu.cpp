// Tiled LU. With partial pivoting, each column of tiles k is one panel:
// its tiles from the diagonal down are factored as one tall block (getrf),
// the panel's row swaps are applied to the same rows of every column of
// tiles to its right (the columns to its left, which no later step reads,
// take every later panel's swaps at once, at the end), the tiles right of the diagonal tile are solved against its
// unit lower triangle (trsm), and the trailing tiles updated (gemm).
// Without pivoting, the diagonal tile alone is factored, as in Cholesky.
//
// A swap of the panel moves a row of the diagonal tile's range to a row
// below it and back, never between two rows below it: so after the swaps
// a tile below the diagonal depends on itself and the diagonal tile only,
// and only the diagonal tile gathers from the whole column.
#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "array/computed.hpp"
#include "array/tiles.hpp"
#include "dagger/array/block_operations.hpp"
#include "dagger/array/factorizations.hpp"
#include "kernels/cpu/lapack.hpp"

namespace dagger {

SingularMatrix::SingularMatrix(const std::string& operation, std::int64_t index)
    : LinearAlgebraError(operation + ": the matrix is singular: U(" + std::to_string(index) + ", " +
                         std::to_string(index) + ") is exactly zero (1-based, as LAPACK's info)"),
      index_(index) {}

namespace detail {
namespace {

template <class T>
std::int64_t panel_pivot(const Block& panel, std::int64_t r) {
  return static_cast<std::int64_t>(panel.data<T>()[r + (panel.cols - 1) * panel.rows]);
}
std::int64_t pivot_at(const Block& panel, std::int64_t r) {
  return panel.dtype == DType::f64 ? panel_pivot<double>(panel, r) : panel_pivot<float>(panel, r);
}

// source[p]: the panel row whose content is at row p after the swaps.
std::vector<std::int64_t> after_swaps(const Block& panel) {
  std::vector<std::int64_t> source(static_cast<std::size_t>(panel.rows));
  std::iota(source.begin(), source.end(), 0);
  for (std::int64_t r = 0; r < panel.cols - 1; ++r) {
    std::swap(source[static_cast<std::size_t>(r)], source[static_cast<std::size_t>(pivot_at(panel, r) - 1)]);
  }
  return source;
}

Thunk<Block> lu_panel(const std::vector<Thunk<Block>>& column, std::int64_t first_row) {
  auto on_cpu = [](const std::vector<Block>& tiles) {
    Block panel = tiles::stacked(tiles, 1);
    const std::int64_t rows = panel.rows, w = panel.cols - 1;
    Block factored{panel.dtype, rows, w, panel.buffer, nullptr, nullptr};  // the first w columns, in place
    std::vector<int> pivots;
    kernels::cpu::lu_with_pivoting(factored, pivots);  // a zero pivot shows on U's diagonal
    for (std::int64_t r = 0; r < w; ++r) {
      const double p = pivots[static_cast<std::size_t>(r)];
      if (panel.dtype == DType::f64) {
        panel.mutable_data<double>()[r + w * rows] = p;
      } else {
        panel.mutable_data<float>()[r + w * rows] = static_cast<float>(p);
      }
    }
    return panel;
  };
  return run_operation<ops::LuPanel>({.name = "getrf"}, on_cpu, TileRequest{first_row}, column);
}

// out(r, :) = source tile t[r]'s row at[r], for every row r of out: column
// by column, so each column's reads stay within a few cache lines per row.
template <class T>
void gather_from_tiles_typed(const std::vector<Block>& tiles, const std::vector<std::size_t>& t,
                             const std::vector<std::int64_t>& at, Block& out) {
  T* dst = out.mutable_data<T>();
  for (std::int64_t c = 0; c < out.cols; ++c) {
    T* into = dst + c * out.rows;
    for (std::int64_t r = 0; r < out.rows; ++r) {
      const Block& from = tiles[t[static_cast<std::size_t>(r)]];
      into[r] = from.data<T>()[at[static_cast<std::size_t>(r)] + c * from.rows];
    }
  }
}

// Row r of the stacked tiles `rows[r]`, gathered into a block of rows.size() rows.
Block gather_stacked_rows(const std::vector<Block>& tiles, const std::vector<std::int64_t>& rows) {
  std::vector<std::size_t> t(rows.size());
  std::vector<std::int64_t> at(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::int64_t from = rows[r];
    std::size_t k = 0;
    while (from >= tiles[k].rows) from -= tiles[k++].rows;
    t[r] = k;
    at[r] = from;
  }
  const Block& first = tiles.front();
  Block out = Block::make(first.dtype, static_cast<std::int64_t>(rows.size()), first.cols);
  if (first.dtype == DType::f64) {
    gather_from_tiles_typed<double>(tiles, t, at, out);
  } else {
    gather_from_tiles_typed<float>(tiles, t, at, out);
  }
  return out;
}

// The diagonal tile's rows of another column after the panel's swaps: from
// anywhere in that column (its tiles from the diagonal down).
Thunk<Block> swapped_top(const Thunk<Block>& panel, const std::vector<Thunk<Block>>& column) {
  return delayed([](const Block& p, const std::vector<Block>& tiles) {
    std::vector<std::int64_t> source = after_swaps(p);
    source.resize(static_cast<std::size_t>(tiles.front().rows));
    return gather_stacked_rows(tiles, source);
  }, {.name = "swap rows (top)"})(panel, column);
}

// A tile of column j below its diagonal tile after the swaps of every
// later panel, composed: no later step reads column j, so it is swapped
// once, at the end, instead of once per panel. `below` are column j's tiles
// under its diagonal tile as panel j left them, the first starting at row
// `first`; `pivots[k]` are a later panel's swaps (1-based within the panel,
// whose first row is `firsts[k]`). The tile is rows [offset, offset +
// rows) of `below`, stacked.
Thunk<Block> swapped_left(const std::vector<Thunk<Block>>& below, const std::vector<Thunk<Block>>& pivots,
                          const std::vector<std::int64_t>& firsts, std::int64_t first, std::int64_t offset,
                          std::int64_t rows) {
  return delayed([firsts, first, offset, rows](const std::vector<Block>& tiles, const std::vector<Block>& swaps) {
    std::int64_t height = 0;
    for (const Block& t : tiles) height += t.rows;
    std::vector<std::int64_t> source(static_cast<std::size_t>(height));
    std::iota(source.begin(), source.end(), 0);
    for (std::size_t k = 0; k < swaps.size(); ++k) {
      const std::int64_t base = firsts[k] - first;
      const std::int64_t* ipiv = swaps[k].data<std::int64_t>();
      for (std::int64_t r = 0; r < swaps[k].rows; ++r) {
        std::swap(source[static_cast<std::size_t>(base + r)], source[static_cast<std::size_t>(base + ipiv[r] - 1)]);
      }
    }
    return gather_stacked_rows(tiles, std::vector<std::int64_t>(source.begin() + offset, source.begin() + offset + rows));
  }, {.name = "swap rows (left)"})(below, pivots);
}

// A tile below the diagonal of another column after the panel's swaps:
// from itself or from the diagonal tile's rows (`top`, before the swaps).
Thunk<Block> swapped_below(const Thunk<Block>& panel, const Thunk<Block>& top, const Thunk<Block>& tile,
                           std::int64_t offset) {
  return delayed([offset](const Block& p, const Block& diagonal, const Block& own) {
    const std::vector<std::int64_t> source = after_swaps(p);
    Block out = Block::make(own.dtype, own.rows, own.cols);
    std::memcpy(out.buffer.get(), own.buffer.get(), own.bytes());
    // Only the rows the swaps reached change, each from the diagonal tile.
    const std::size_t size = element_size(own.dtype);
    for (std::int64_t r = 0; r < own.rows; ++r) {
      const std::int64_t from = source[static_cast<std::size_t>(offset + r)];
      if (from == offset + r) continue;
      for (std::int64_t c = 0; c < own.cols; ++c) {
        std::memcpy(out.buffer.get() + static_cast<std::size_t>(r + c * out.rows) * size,
                    diagonal.buffer.get() + static_cast<std::size_t>(from + c * diagonal.rows) * size, size);
      }
    }
    return out;
  }, {.name = "swap rows"})(panel, top, tile);
}

Thunk<Block> lu_tile_unpivoted(const Thunk<Block>& a) {
  return delayed([](const Block& tile) {
    Block out = Block::make(tile.dtype, tile.rows, tile.cols);
    std::memcpy(out.buffer.get(), tile.buffer.get(), tile.bytes());
    kernels::cpu::lu_without_pivoting(out);  // a zero pivot shows on U's diagonal
    return out;
  }, {.name = "getrf (no pivoting)"})(a);
}

// The first exactly zero entry of a square tile's diagonal (1-based, with
// the tile's offset), or 0.
std::int64_t first_zero_on_diagonal(const Block& tile, std::int64_t offset) {
  for (std::int64_t d = 0; d < tile.rows; ++d) {
    const double v = tile.dtype == DType::f64 ? tile.data<double>()[d + d * tile.rows]
                                              : tile.data<float>()[d + d * tile.rows];
    if (v == 0) return offset + d + 1;
  }
  return 0;
}

}  // namespace

LuGraph lu_graph(const ArrayPtr& input, bool pivoting) {
  tiles::check_square_float("lu", input);
  if (input->dtype == DType::f32 && input->layout.rows() > (std::int64_t{1} << 24)) {
    throw ArrayError("lu: a float matrix of more than 2^24 rows cannot carry its row swaps");
  }
  ArrayPtr a = tiles::square_tiles(input);
  const Layout& l = a->layout;
  const DType dtype = a->dtype;
  const std::int64_t nt = l.grid_rows();
  std::vector<Thunk<Block>> t = block_thunks(a);
  auto at = [&](std::int64_t i, std::int64_t j) -> Thunk<Block>& { return t[l.block_index(i, j)]; };
  std::vector<Thunk<Block>> panels;
  for (std::int64_t k = 0; k < nt; ++k) {
    if (pivoting) {
      std::vector<Thunk<Block>> column;
      for (std::int64_t i = k; i < nt; ++i) column.push_back(at(i, k));
      const Thunk<Block> panel = lu_panel(column, l.row_start(k));
      panels.push_back(panel);
      for (std::int64_t i = k; i < nt; ++i) {
        at(i, k) = tiles::rows_of(panel, l.row_start(i) - l.row_start(k), l.block_height(i), 1, "panel tile");
      }
      // Columns left of k are swapped at the end (swapped_left).
      for (std::int64_t j = k + 1; j < nt; ++j) {
        std::vector<Thunk<Block>> other;
        for (std::int64_t i = k; i < nt; ++i) other.push_back(at(i, j));
        const Thunk<Block> top = at(k, j);
        for (std::int64_t i = k + 1; i < nt; ++i) {
          at(i, j) = swapped_below(panel, top, at(i, j), l.row_start(i) - l.row_start(k));
        }
        at(k, j) = swapped_top(panel, other);
      }
    } else {
      at(k, k) = lu_tile_unpivoted(at(k, k));
      for (std::int64_t i = k + 1; i < nt; ++i) {
        at(i, k) = tiles::solve(at(k, k), at(i, k), /*left=*/false, /*lower=*/false, false, dtype);
      }
    }
    for (std::int64_t j = k + 1; j < nt; ++j) {
      at(k, j) = tiles::solve(at(k, k), at(k, j), /*left=*/true, /*lower=*/true, false, dtype, /*unit=*/true);
    }
    for (std::int64_t j = k + 1; j < nt; ++j) {
      for (std::int64_t i = k + 1; i < nt; ++i) {
        at(i, j) = tiles::multiply_subtract(at(i, j), at(i, k), at(k, j), false, false, dtype);
      }
    }
  }
  // The row permutation: every panel's swaps, in order, on the whole matrix.
  std::vector<Thunk<Block>> pivots;
  for (std::int64_t k = 0; k < static_cast<std::int64_t>(panels.size()); ++k) {
    pivots.push_back(delayed([](const Block& p) {
      Block out = Block::make(DType::i64, p.cols - 1, 1);
      for (std::int64_t r = 0; r < p.cols - 1; ++r) out.mutable_data<std::int64_t>()[r] = pivot_at(p, r);
      return out;
    }, {.name = "pivots"})(panels[static_cast<std::size_t>(k)]));
  }
  for (std::int64_t j = 0; pivoting && j + 1 < nt; ++j) {
    std::vector<Thunk<Block>> below, later;
    std::vector<std::int64_t> firsts;
    for (std::int64_t i = j + 1; i < nt; ++i) {
      below.push_back(at(i, j));
      later.push_back(pivots[static_cast<std::size_t>(i)]);
      firsts.push_back(l.row_start(i));
    }
    for (std::int64_t i = j + 1; i < nt; ++i) {
      at(i, j) = swapped_left(below, later, firsts, l.row_start(j + 1), l.row_start(i) - l.row_start(j + 1),
                              l.block_height(i));
    }
  }
  return {make_array(l, dtype, std::move(t)), std::move(pivots)};
}

LuParts lu_factor(const Context& context, const ArrayPtr& input, bool pivoting) {
  LuGraph graph = lu_graph(input, pivoting);
  const Layout& l = graph.factors->layout;
  const std::int64_t nt = l.grid_rows();
  LuParts out;
  auto [factors, swaps] = compute_array_with(context, graph.factors, graph.pivots);
  out.factors = std::move(factors);
  out.p.resize(static_cast<std::size_t>(l.rows()));
  std::iota(out.p.begin(), out.p.end(), 0);
  for (std::size_t k = 0; k < swaps.size(); ++k) {
    const std::int64_t first = l.row_start(static_cast<std::int64_t>(k));
    for (std::int64_t r = 0; r < swaps[k].rows; ++r) {
      std::swap(out.p[static_cast<std::size_t>(first + r)],
                out.p[static_cast<std::size_t>(first + swaps[k].data<std::int64_t>()[r] - 1)]);
    }
  }
  std::vector<Thunk<std::int64_t>> zeros;
  const auto& factored = block_thunks(out.factors);
  for (std::int64_t k = 0; k < nt; ++k) {
    const std::int64_t offset = l.row_start(k);
    zeros.push_back(delayed([offset](const Block& b) { return first_zero_on_diagonal(b, offset); },
                            {.name = "singular?"})(factored[l.block_index(k, k)]));
  }
  for (std::int64_t index : collect(context, zeros)) {
    if (index != 0) throw SingularMatrix("lu", index);
  }
  return out;
}

ArrayPtr triangular_part(const ArrayPtr& factors, bool unit_lower) {
  const Layout& l = factors->layout;
  const DType dtype = factors->dtype;
  const auto& f = block_thunks(factors);
  std::vector<Thunk<Block>> t(f.size());
  for (std::int64_t j = 0; j < l.grid_cols(); ++j) {
    for (std::int64_t i = 0; i < l.grid_rows(); ++i) {
      const std::size_t k = l.block_index(i, j);
      if (i == j) {
        t[k] = tiles::triangle_of(f[k], unit_lower, dtype);
      } else if ((i > j) == unit_lower) {
        t[k] = f[k];
      } else {
        t[k] = tiles::zeros(l.block_height(i), l.block_width(j), dtype);
      }
    }
  }
  return make_array(l, dtype, std::move(t));
}

ArrayPtr permuted_identity(const Layout& l, DType dtype, const std::vector<std::int64_t>& p) {
  // Row i of P has its one in column p[i]; column c of block (bi, bj) thus
  // has it in the rows i of the block with p[i] == its global column.
  std::vector<std::int64_t> row_of(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) row_of[static_cast<std::size_t>(p[i])] = static_cast<std::int64_t>(i);
  std::vector<Thunk<Block>> t;
  for (std::size_t k = 0; k < l.block_count(); ++k) {
    const std::int64_t bi = l.grid_row_of(k), bj = l.grid_col_of(k);
    const std::int64_t r0 = l.row_start(bi), c0 = l.col_start(bj), h = l.block_height(bi), w = l.block_width(bj);
    std::vector<std::int64_t> rows(row_of.begin() + c0, row_of.begin() + c0 + w);
    t.push_back(delayed([r0, h, w, dtype](const std::vector<std::int64_t>& ones_at) {
      Block b = Block::make(dtype, h, w);
      std::memset(b.buffer.get(), 0, b.bytes());
      for (std::int64_t c = 0; c < w; ++c) {
        const std::int64_t r = ones_at[static_cast<std::size_t>(c)] - r0;
        if (r < 0 || r >= h) continue;
        if (dtype == DType::f64) {
          b.mutable_data<double>()[r + c * h] = 1.0;
        } else {
          b.mutable_data<float>()[r + c * h] = 1.0f;
        }
      }
      return b;
    }, {.name = "permutation"})(std::move(rows)));
  }
  return make_array(l, dtype, std::move(t));
}

}  // namespace detail
}  // namespace dagger
