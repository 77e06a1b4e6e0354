// The walk over one block's tiles that every host runner of an element-wise
// chain shares (the element-wise block, the folds, norms and statistics).
//
// A chain's sources are cut like its result, so tile t of the result is
// made from tile t of each source block. A source read transposed is the
// exception: transpose(m) in a chain reads m's own block (j, i) for the
// result's block (i, j). The walk then goes panel by panel, a few columns of
// the result at a time, and transposes the matching rows of m's block into a
// scratch panel that stays in cache: no transposed block is ever made, and
// `A + transpose(A)` reads A twice and writes the sum once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "dagger/array/block.hpp"
#include "dagger/array/darray.hpp"

namespace dagger::detail {

class TileWalk {
 public:
  // `transposed[s]` (when present) says source s holds the transpose of the
  // block at `place`: place.cols rows and place.rows columns.
  TileWalk(const BlockPlace& place, const std::vector<Block>& blocks, const std::vector<bool>& transposed);

  // Moves to the next tile; false once every element of the block was visited.
  bool next();

  // The tile's elements of each source, n of them, in the result's order.
  const std::byte* const* pointers() const { return pointers_.data(); }
  std::int64_t size() const { return n_; }
  // Where the tile lies; its elements are at.offset ... at.offset + n - 1 of
  // the block, in column-major order.
  const TileAt& at() const { return at_; }

 private:
  bool next_run();
  bool next_panel_tile();
  void fill_panels();
  void point_at(std::int64_t row, std::int64_t col);

  const std::vector<Block>& blocks_;
  std::vector<bool> transposed_;
  std::int64_t rows_, cols_;
  std::vector<const std::byte*> pointers_;
  std::int64_t n_ = 0;
  TileAt at_;
  bool started_ = false;

  // Panel walk (a source is read transposed): columns [c0, c1) of the
  // result, rows [q0, q1), now at (row_, col_).
  bool panels_ = false;
  std::int64_t panel_cols_ = 1, panel_rows_ = 1;
  std::vector<std::int64_t> panel_stride_;  // per source: elements between a panel's columns
  std::int64_t c0_ = 0, c1_ = 0, q0_ = 0, q1_ = 0, row_ = 0, col_ = 0;
  std::vector<std::unique_ptr<std::byte[]>> panel_;  // per source; null if read as it is
};

}  // namespace dagger::detail
