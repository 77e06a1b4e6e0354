#include "dagger/array/tile_walk.hpp"

#include <algorithm>

namespace dagger::detail {
namespace {

// A panel of one transposed source is at most this big, so that it and the
// result's columns it feeds stay in the core's L2 cache.
constexpr std::int64_t kPanelBytes = 256 * 1024;
constexpr std::int64_t kPrefetchRows = 16;

// Rows [q0, q1) of columns [c0, c1) of the result, from a source block s
// that holds the result's transpose (s(c, r) is element (r, c)): read a
// row of s at a time (contiguous, a cache line for 8 doubles), write one
// element into each column of the panel.
template <class E>
void transpose_rows(const E* s, std::int64_t s_rows, E* panel, std::int64_t stride, std::int64_t c0, std::int64_t c1,
                    std::int64_t q0, std::int64_t q1) {
  const std::int64_t width = c1 - c0;
  for (std::int64_t r = q0; r < q1; ++r) {
    const E* line = s + r * s_rows + c0;
    // Consecutive rows of s lie a whole column apart, a stride the hardware
    // does not prefetch: ask for the row a few ahead.
    if (r + kPrefetchRows < q1) __builtin_prefetch(line + kPrefetchRows * s_rows);
    E* out = panel + (r - q0);
    for (std::int64_t c = 0; c < width; ++c) out[c * stride] = line[c];
  }
}

void transpose_rows(const Block& s, std::byte* panel, std::int64_t stride, std::int64_t c0, std::int64_t c1,
                    std::int64_t q0, std::int64_t q1) {
  switch (element_size(s.dtype)) {
    case 1: return transpose_rows(s.data<std::uint8_t>(), s.rows, reinterpret_cast<std::uint8_t*>(panel), stride, c0, c1, q0, q1);
    case 2: return transpose_rows(s.data<std::uint16_t>(), s.rows, reinterpret_cast<std::uint16_t*>(panel), stride, c0, c1, q0, q1);
    case 4: return transpose_rows(s.data<std::uint32_t>(), s.rows, reinterpret_cast<std::uint32_t*>(panel), stride, c0, c1, q0, q1);
    default: return transpose_rows(s.data<std::uint64_t>(), s.rows, reinterpret_cast<std::uint64_t*>(panel), stride, c0, c1, q0, q1);
  }
}

// The distance between a panel's columns, in elements: at least `rows`, and
// an odd number of cache lines, so that the columns written side by side
// fall in different sets of the L1 cache (a power-of-two stride, as blocks
// of 4096 rows give, would put them all in one set).
std::int64_t panel_stride(std::int64_t rows, std::int64_t element_bytes) {
  constexpr std::int64_t kLine = 64;
  std::int64_t lines = (rows * element_bytes + kLine - 1) / kLine;
  if (lines % 2 == 0) ++lines;
  return lines * kLine / element_bytes;
}

}  // namespace

TileWalk::TileWalk(const BlockPlace& place, const std::vector<Block>& blocks, const std::vector<bool>& transposed)
    : blocks_(blocks), rows_(place.rows), cols_(place.cols), pointers_(blocks.size()) {
  at_.block = place.spot;
  std::size_t widest = 1, narrowest = 8;
  for (std::size_t s = 0; s < blocks.size(); ++s) {
    transposed_.push_back(s < transposed.size() && transposed[s]);
    if (!transposed_.back()) continue;
    panels_ = true;
    widest = std::max(widest, element_size(blocks[s].dtype));
    narrowest = std::min(narrowest, element_size(blocks[s].dtype));
  }
  if (!panels_) return;
  // As many columns as one cache line of the narrowest transposed source
  // holds, and as many rows as the panel's bytes allow.
  panel_cols_ = std::clamp<std::int64_t>(static_cast<std::int64_t>(64 / narrowest), 1, std::max<std::int64_t>(cols_, 1));
  // At least one tile's worth of rows, at most the block's (which may be fewer).
  panel_rows_ = std::min(std::max(kPanelBytes / (panel_cols_ * static_cast<std::int64_t>(widest)), kTile),
                         std::max<std::int64_t>(rows_, 1));
  panel_.resize(blocks.size());
  panel_stride_.resize(blocks.size(), 0);
  for (std::size_t s = 0; s < blocks.size(); ++s) {
    if (!transposed_[s]) continue;
    const auto size = static_cast<std::int64_t>(element_size(blocks[s].dtype));
    panel_stride_[s] = panel_stride(panel_rows_, size);
    // Not value-initialized: every element is written before it is read.
    panel_[s].reset(new std::byte[static_cast<std::size_t>(panel_stride_[s] * panel_cols_ * size)]);
  }
}

bool TileWalk::next() { return panels_ ? next_panel_tile() : next_run(); }

// No source is transposed: the block's elements in runs of kTile.
bool TileWalk::next_run() {
  const std::int64_t size = rows_ * cols_;
  if (started_) at_.offset += n_;
  started_ = true;
  if (at_.offset >= size) return false;
  n_ = std::min(kTile, size - at_.offset);
  for (std::size_t s = 0; s < blocks_.size(); ++s) {
    pointers_[s] = blocks_[s].buffer.get() + static_cast<std::size_t>(at_.offset) * element_size(blocks_[s].dtype);
  }
  return true;
}

// Panels of columns [c0, c1), each in stretches of rows [q0, q1); in a
// stretch, each column's rows in tiles of at most kTile (a tile never
// crosses a column).
bool TileWalk::next_panel_tile() {
  if (!started_) {
    started_ = true;
    if (rows_ * cols_ == 0) return false;
    c0_ = 0;
    c1_ = std::min(panel_cols_, cols_);
    q0_ = 0;
    q1_ = std::min(panel_rows_, rows_);
    fill_panels();
    point_at(q0_, c0_);
    return true;
  }
  std::int64_t row = row_ + n_, col = col_;
  if (row >= q1_) {
    row = q0_;
    ++col;
  }
  if (col >= c1_) {
    q0_ = q1_;
    if (q0_ >= rows_) {
      c0_ = c1_;
      if (c0_ >= cols_) return false;
      c1_ = std::min(c0_ + panel_cols_, cols_);
      q0_ = 0;
    }
    q1_ = std::min(q0_ + panel_rows_, rows_);
    fill_panels();
    row = q0_;
    col = c0_;
  }
  point_at(row, col);
  return true;
}

void TileWalk::fill_panels() {
  for (std::size_t s = 0; s < blocks_.size(); ++s) {
    if (transposed_[s]) transpose_rows(blocks_[s], panel_[s].get(), panel_stride_[s], c0_, c1_, q0_, q1_);
  }
}

void TileWalk::point_at(std::int64_t row, std::int64_t col) {
  row_ = row;
  col_ = col;
  n_ = std::min(kTile, q1_ - row);
  at_.offset = col * rows_ + row;
  for (std::size_t s = 0; s < blocks_.size(); ++s) {
    const std::size_t size = element_size(blocks_[s].dtype);
    const std::int64_t in_panel = (col - c0_) * panel_stride_[s] + (row - q0_);
    pointers_[s] = transposed_[s] ? panel_[s].get() + static_cast<std::size_t>(in_panel) * size
                                  : blocks_[s].buffer.get() + static_cast<std::size_t>(at_.offset) * size;
  }
}

}  // namespace dagger::detail
