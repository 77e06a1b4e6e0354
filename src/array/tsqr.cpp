// TSQR: the QR of a tall matrix of one column of tiles. The tiled
// Householder QR would factor that column as one panel, in one task; TSQR
// factors every row tile on its own (in parallel), then combines their R's
// two at a time up a binary tree, each combination a geqrf of two stacked
// triangles. Q is the leaves' reflectors followed by the tree's, so
// applying Q' runs the leaves, then the combinations in order; Q runs them
// in reverse.
//
// The tiles are square tiles of the matrix's width or more, so every row
// tile but a ragged last one holds a whole n x n R on top; the last one,
// shorter, is always the lower of its combination, which puts the combined
// R on the upper tile. The root's R lands on the first row tile's top rows,
// which is where least squares reads Q'b.
#include "array/tsqr.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "array/computed.hpp"
#include "array/householder.hpp"
#include "array/tiles.hpp"
#include "kernels/cpu/lapack.hpp"

namespace dagger::detail {
namespace {

// The top `rows` rows of a factored panel's first n columns, zero below
// the diagonal: the R it holds.
Block upper_part(const Block& p, std::int64_t rows, std::int64_t n) {
  Block out = Block::make(p.dtype, rows, n);
  const std::size_t size = element_size(p.dtype);
  std::memset(out.buffer.get(), 0, out.bytes());
  for (std::int64_t c = 0; c < n; ++c) {
    const std::int64_t kept = std::min(c + 1, rows);
    std::memcpy(out.buffer.get() + static_cast<std::size_t>(c * rows) * size,
                p.buffer.get() + static_cast<std::size_t>(c * p.rows) * size, static_cast<std::size_t>(kept) * size);
  }
  return out;
}

Thunk<Block> r_of(const Thunk<Block>& panel, std::int64_t rows, std::int64_t n) {
  return delayed([rows, n](const Block& p) { return upper_part(p, rows, n); }, {.name = "R of TSQR"})(panel);
}

// The rows of the top of each row tile: its R's height.
std::int64_t top_rows(const Layout& l, std::int64_t i) { return std::min(l.block_height(i), l.cols()); }

// Copies `rows` rows of `from` starting at `from_row` into `into` at `into_row`.
void copy_rows(const Block& from, std::int64_t from_row, Block& into, std::int64_t into_row, std::int64_t rows) {
  const std::size_t size = element_size(from.dtype);
  for (std::int64_t c = 0; c < into.cols; ++c) {
    std::memcpy(into.buffer.get() + static_cast<std::size_t>(into_row + c * into.rows) * size,
                from.buffer.get() + static_cast<std::size_t>(from_row + c * from.rows) * size,
                static_cast<std::size_t>(rows) * size);
  }
}

// A copy of `tile` whose first rows are `pair`'s rows from `offset`.
Thunk<Block> with_top(const Thunk<Block>& tile, const Thunk<Block>& pair, std::int64_t offset, std::int64_t rows) {
  return delayed([offset, rows](const Block& t, const Block& p) {
    Block out = Block::make(t.dtype, t.rows, t.cols);
    std::memcpy(out.buffer.get(), t.buffer.get(), out.bytes());
    copy_rows(p, offset, out, 0, rows);
    return out;
  }, {.name = "TSQR rows"})(tile, pair);
}

// Q' c or Q c of one row tile with its own reflectors.
Thunk<Block> leaf_applied(const Thunk<Block>& reflectors, const std::vector<double>& tau, const Thunk<Block>& tile,
                          bool transpose) {
  return delayed([tau, transpose](const Block& v, const Block& c) {
    Block out = Block::make(c.dtype, c.rows, c.cols);
    std::memcpy(out.buffer.get(), c.buffer.get(), out.bytes());
    kernels::cpu::apply_reflectors(v, tau, out, transpose);
    return out;
  }, {.name = transpose ? "ormqr (Q')" : "ormqr (Q)"})(reflectors, tile);
}

// A combination's Q' or Q on the tops of two row tiles, stacked.
Thunk<Block> combined_applied(const Block& stack, const Thunk<Block>& upper, const Thunk<Block>& lower,
                              std::int64_t upper_rows, std::int64_t lower_rows, bool transpose) {
  return delayed([upper_rows, lower_rows, transpose](const Block& s, const Block& u, const Block& l) {
    Block pair = Block::make(u.dtype, upper_rows + lower_rows, u.cols);
    copy_rows(u, 0, pair, 0, upper_rows);
    copy_rows(l, 0, pair, upper_rows, lower_rows);
    kernels::cpu::apply_reflectors(s, householder::scales_of(s), pair, transpose);
    return pair;
  }, {.name = transpose ? "TSQR Q'" : "TSQR Q"})(stack, upper, lower);
}

}  // namespace

bool tsqr_fits(const Layout& l) { return l.ndims() == 2 && l.grid_cols() == 1 && l.grid_rows() >= 2; }

QrParts tsqr_factor(const Context& context, const ArrayPtr& a) {
  const Layout& l = a->layout;
  const std::int64_t n = l.cols(), tiles = l.grid_rows();
  const std::vector<Thunk<Block>>& in = block_thunks(a);
  std::vector<Thunk<Block>> factors, wanted;  // wanted: each leaf's scales, then each combination
  struct Pending {
    std::int64_t tile;
    Thunk<Block> r;
  };
  std::vector<Pending> level;
  for (std::int64_t i = 0; i < tiles; ++i) {
    const Thunk<Block> leaf = householder::panel({in[static_cast<std::size_t>(i)]});
    factors.push_back(tiles::rows_of(leaf, 0, l.block_height(i), 1, "TSQR leaf"));
    wanted.push_back(delayed([](const Block& p) {
      const std::vector<double> tau = householder::scales_of(p);
      Block out = Block::make(DType::f64, static_cast<std::int64_t>(tau.size()), 1);
      std::copy(tau.begin(), tau.end(), out.mutable_data<double>());
      return out;
    }, {.name = "tau"})(leaf));
    level.push_back({i, r_of(leaf, top_rows(l, i), n)});
  }
  QrParts out;
  while (level.size() > 1) {
    std::vector<Pending> next;
    for (std::size_t k = 0; k < level.size(); k += 2) {
      if (k + 1 == level.size()) {
        next.push_back(level[k]);
        continue;
      }
      const Thunk<Block> stack = householder::panel({level[k].r, level[k + 1].r});
      out.tree.push_back({level[k].tile, level[k + 1].tile, Block{}});
      wanted.push_back(stack);
      next.push_back({level[k].tile, r_of(stack, n, n)});
    }
    level = std::move(next);
  }
  auto [computed, values] = compute_array_with(context, make_array(l, a->dtype, std::move(factors)), wanted);
  out.factors = std::move(computed);
  for (std::int64_t i = 0; i < tiles; ++i) {
    const Block& tau = values[static_cast<std::size_t>(i)];
    out.tau.emplace_back(tau.data<double>(), tau.data<double>() + tau.rows);
  }
  for (std::size_t k = 0; k < out.tree.size(); ++k) out.tree[k].stack = std::move(values[tiles + k]);
  return out;
}

void tsqr_apply(const QrParts& qr, const Layout& lt, std::vector<Thunk<Block>>& t, bool transpose) {
  const Layout& lf = qr.factors->layout;
  const std::vector<Thunk<Block>>& reflectors = block_thunks(qr.factors);
  for (std::int64_t j = 0; j < lt.grid_cols(); ++j) {
    auto tile = [&](std::int64_t i) -> Thunk<Block>& { return t[lt.block_index(i, j)]; };
    auto leaves = [&] {
      for (std::int64_t i = 0; i < lf.grid_rows(); ++i) {
        tile(i) = leaf_applied(reflectors[static_cast<std::size_t>(i)], qr.tau[static_cast<std::size_t>(i)], tile(i),
                               transpose);
      }
    };
    auto combination = [&](const QrParts::Combination& c) {
      const std::int64_t upper_rows = top_rows(lf, c.upper), lower_rows = top_rows(lf, c.lower);
      const Thunk<Block> pair = combined_applied(c.stack, tile(c.upper), tile(c.lower), upper_rows, lower_rows, transpose);
      tile(c.upper) = with_top(tile(c.upper), pair, 0, upper_rows);
      tile(c.lower) = with_top(tile(c.lower), pair, upper_rows, lower_rows);
    };
    if (transpose) {
      leaves();
      for (const auto& c : qr.tree) combination(c);
    } else {
      for (auto c = qr.tree.rbegin(); c != qr.tree.rend(); ++c) combination(*c);
      leaves();
    }
  }
}

ArrayPtr tsqr_r(const QrParts& qr) {
  const Layout& lf = qr.factors->layout;
  const std::int64_t n = lf.cols();
  const Thunk<Block> r =
      delayed([n](const Block& s) { return upper_part(s, n, n); }, {.name = "R of TSQR"})(qr.tree.back().stack);
  return make_array(Layout({n, n}, Blocks(lf.block_rows(), lf.block_cols())), qr.factors->dtype, {r});
}

}  // namespace dagger::detail
