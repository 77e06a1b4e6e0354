// Tiled Householder QR. Each column of tiles k is one panel: its tiles from
// the diagonal down are factored as one tall block (geqrf), and the
// panel's reflectors are applied (ormqr, as Q') to the same rows of every
// column of tiles to its right. The factors keep R on and above the
// diagonal and the reflectors below it, as LAPACK's geqrf; their scales
// are kept per panel. Q is applied, never formed, except by Q(). A tall
// matrix of one column of tiles, which would be one panel in one task, is
// factored by TSQR instead (tsqr.cpp).
#include <algorithm>
#include <cstring>
#include <tuple>
#include <vector>

#include "array/computed.hpp"
#include "array/householder.hpp"
#include "array/tiles.hpp"
#include "array/tsqr.hpp"
#include "dagger/array/block_operations.hpp"
#include "dagger/array/factorizations.hpp"
#include "kernels/cpu/lapack.hpp"

namespace dagger::detail {
namespace {

// The same as a task, with scales known (a finished factorization).
Thunk<Block> apply_panel(const std::vector<Thunk<Block>>& reflectors, const std::vector<double>& tau,
                         const std::vector<Thunk<Block>>& column, bool transpose) {
  return delayed([tau, transpose](const std::vector<Block>& v, const std::vector<Block>& c) {
    return householder::reflected(v, c, tau, transpose);
  }, {.name = transpose ? "ormqr (Q')" : "ormqr (Q)"})(reflectors, column);
}

// Applies every panel's Q' (in order) or Q (in reverse) to the blocks `t`
// of layout `lt`, whose row tiles are the factors' (columns from `first`).
void apply_q(const Layout& lf, const std::vector<Thunk<Block>>& factors, const std::vector<std::vector<double>>& taus,
             const Layout& lt, std::vector<Thunk<Block>>& t, bool transpose, bool identity) {
  const auto panels = static_cast<std::int64_t>(taus.size());
  for (std::int64_t step = 0; step < panels; ++step) {
    const std::int64_t k = transpose ? step : panels - 1 - step;
    std::vector<Thunk<Block>> reflectors;
    for (std::int64_t i = k; i < lf.grid_rows(); ++i) reflectors.push_back(factors[lf.block_index(i, k)]);
    // Columns of the identity left of panel k are untouched by Q_k.
    for (std::int64_t j = identity ? k : 0; j < lt.grid_cols(); ++j) {
      std::vector<Thunk<Block>> column;
      for (std::int64_t i = k; i < lt.grid_rows(); ++i) column.push_back(t[lt.block_index(i, j)]);
      const Thunk<Block> applied = apply_panel(reflectors, taus[static_cast<std::size_t>(k)], column, transpose);
      for (std::int64_t i = k; i < lt.grid_rows(); ++i) {
        t[lt.block_index(i, j)] =
            tiles::rows_of(applied, lt.row_start(i) - lt.row_start(k), lt.block_height(i), 0, "tile of Q'c");
      }
    }
  }
}

}  // namespace

QrParts qr_factor(const Context& context, const ArrayPtr& input) {
  const Layout& li = input->layout;
  if (li.ndims() != 2) throw ArrayError("qr: the operand must be a matrix, not " + li.shape_text());
  if (input->dtype != DType::f64 && input->dtype != DType::f32) throw_unsupported("qr", input->dtype);
  ArrayPtr a = tiles::square_tiles(input);
  if (tsqr_fits(a->layout)) return tsqr_factor(context, a);
  const Layout& l = a->layout;
  std::vector<Thunk<Block>> t = block_thunks(a);
  auto at = [&](std::int64_t i, std::int64_t j) -> Thunk<Block>& { return t[l.block_index(i, j)]; };
  const std::int64_t panels = std::min(l.grid_rows(), l.grid_cols());
  std::vector<Thunk<std::vector<double>>> scales;
  for (std::int64_t k = 0; k < panels; ++k) {
    std::vector<Thunk<Block>> column;
    for (std::int64_t i = k; i < l.grid_rows(); ++i) column.push_back(at(i, k));
    const Thunk<Block> panel = householder::panel(column);
    scales.push_back(delayed([](const Block& p) { return householder::scales_of(p); }, {.name = "tau"})(panel));
    for (std::int64_t i = k; i < l.grid_rows(); ++i) {
      at(i, k) = tiles::rows_of(panel, l.row_start(i) - l.row_start(k), l.block_height(i), 1, "panel tile");
    }
    std::vector<Thunk<Block>> reflectors;
    for (std::int64_t i = k; i < l.grid_rows(); ++i) reflectors.push_back(at(i, k));
    for (std::int64_t j = k + 1; j < l.grid_cols(); ++j) {
      std::vector<Thunk<Block>> other;
      for (std::int64_t i = k; i < l.grid_rows(); ++i) other.push_back(at(i, j));
      // The scales are the panel task's: read from its block as this runs.
      const Thunk<Block> applied = delayed([](const Block& p, const std::vector<Block>& v, const std::vector<Block>& c) {
        return householder::reflected(v, c, householder::scales_of(p), true);
      }, {.name = "ormqr (Q')"})(panel, reflectors, other);
      for (std::int64_t i = k; i < l.grid_rows(); ++i) {
        at(i, j) = tiles::rows_of(applied, l.row_start(i) - l.row_start(k), l.block_height(i), 0, "tile of Q'A");
      }
    }
  }
  QrParts out;
  std::tie(out.factors, out.tau) = compute_array_with(context, make_array(l, a->dtype, std::move(t)), scales);
  return out;
}

ArrayPtr qr_q(const QrParts& qr) {
  const Layout& lf = qr.factors->layout;
  const std::int64_t m = lf.rows(), k = std::min(lf.rows(), lf.cols());
  const std::vector<std::int64_t> rows_of_identity = [&] {
    std::vector<std::int64_t> p(static_cast<std::size_t>(m));
    for (std::int64_t i = 0; i < m; ++i) p[static_cast<std::size_t>(i)] = i;
    return p;
  }();
  // The first k columns of the m x m identity, blocked like the factors.
  const Layout lq({m, k}, Blocks(lf.block_rows(), lf.block_cols()));
  const Layout square({m, m}, Blocks(lf.block_rows(), lf.block_cols()));
  const ArrayPtr identity = permuted_identity(square, qr.factors->dtype, rows_of_identity);
  std::vector<Thunk<Block>> t;
  for (std::int64_t j = 0; j < lq.grid_cols(); ++j) {
    for (std::int64_t i = 0; i < lq.grid_rows(); ++i) {
      const Thunk<Block>& full = block_thunks(identity)[square.block_index(i, j)];
      t.push_back(lq.block_width(j) == square.block_width(j)
                      ? full
                      : delayed([h = lq.block_height(i), w = lq.block_width(j)](const Block& b) {
                          Block out = Block::make(b.dtype, h, w);
                          std::memcpy(out.buffer.get(), b.buffer.get(), out.bytes());  // its first columns
                          return out;
                        }, {.name = "identity"})(full));
    }
  }
  if (qr.tree.empty()) {
    apply_q(lf, block_thunks(qr.factors), qr.tau, lq, t, false, true);
  } else {
    tsqr_apply(qr, lq, t, false);
  }
  return make_array(lq, qr.factors->dtype, std::move(t));
}

ArrayPtr qr_r(const QrParts& qr) {
  if (!qr.tree.empty()) return tsqr_r(qr);
  const Layout& lf = qr.factors->layout;
  const std::int64_t k = std::min(lf.rows(), lf.cols());
  const Layout lr({k, lf.cols()}, Blocks(lf.block_rows(), lf.block_cols()));
  const auto& f = block_thunks(qr.factors);
  const DType dtype = qr.factors->dtype;
  std::vector<Thunk<Block>> t;
  for (std::int64_t j = 0; j < lr.grid_cols(); ++j) {
    for (std::int64_t i = 0; i < lr.grid_rows(); ++i) {
      const std::int64_t h = lr.block_height(i), w = lr.block_width(j);
      if (i > j) {
        t.push_back(tiles::zeros(h, w, dtype));
        continue;
      }
      Thunk<Block> tile = f[lf.block_index(i, j)];
      if (h != lf.block_height(i)) tile = tiles::rows_of(tile, 0, h, 0, "tile of R");
      t.push_back(i == j ? tiles::triangle_of(tile, false, dtype) : tile);
    }
  }
  return make_array(lr, dtype, std::move(t));
}

ArrayPtr qr_solve(const QrParts& qr, const ArrayPtr& b_in) {
  const Layout& lf = qr.factors->layout;
  if (lf.rows() < lf.cols()) {
    throw ArrayError("qr: least squares needs at least as many rows as columns, not " + lf.shape_text());
  }
  if (b_in->dtype != qr.factors->dtype) {
    throw ArrayError("qr: the matrix holds " + to_string(qr.factors->dtype) + " and b " + to_string(b_in->dtype));
  }
  if (b_in->layout.rows() != lf.rows()) {
    throw ArrayError("qr: b is " + b_in->layout.shape_text() + " but the matrix is " + lf.shape_text());
  }
  const bool matrix = b_in->layout.ndims() == 2;
  ArrayPtr b = b_in;
  if (b->layout.block_rows() != lf.block_rows()) {
    b = rechunk(b, matrix ? Blocks(lf.block_rows(), b->layout.block_cols()) : Blocks(lf.block_rows()));
  }
  const Layout& lb = b->layout;
  std::vector<Thunk<Block>> y = block_thunks(b);
  if (qr.tree.empty()) {
    apply_q(lf, block_thunks(qr.factors), qr.tau, lb, y, true, false);
  } else {
    tsqr_apply(qr, lb, y, true);
  }
  // The first n rows of Q'b, against R.
  const std::int64_t n = lf.cols();
  const Layout top = matrix ? Layout({n, lb.cols()}, Blocks(lb.block_rows(), lb.block_cols()))
                            : Layout({n}, Blocks(lb.block_rows()));
  std::vector<Thunk<Block>> head;
  for (std::int64_t j = 0; j < top.grid_cols(); ++j) {
    for (std::int64_t i = 0; i < top.grid_rows(); ++i) {
      Thunk<Block> tile = y[lb.block_index(i, j)];
      if (top.block_height(i) != lb.block_height(i)) tile = tiles::rows_of(tile, 0, top.block_height(i), 0, "tile of Q'b");
      head.push_back(std::move(tile));
    }
  }
  return triangular_solve_arrays(qr_r(qr), make_array(top, b->dtype, std::move(head)), false, true, false);
}

}  // namespace dagger::detail
