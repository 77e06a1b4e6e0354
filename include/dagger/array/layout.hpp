// The shape of an array and how it is cut into blocks. Arrays have 0 to
// Layout::kMaxDims dimensions, are column-major, and their grid of blocks is
// column-major too. Blocks need not divide the shape: the last block of a
// dimension may be smaller.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <string>
#include <vector>

#include "dagger/errors.hpp"

namespace dagger {

// A shape error, a bad block size, an out-of-range index: the message names
// the shapes or indices.
class ArrayError : public Error {
 public:
  using Error::Error;
};

// The block size of each dimension: Blocks(100), Blocks(100, 50),
// Blocks(10, 10, 4), or Blocks(std::vector{...}) for any rank (an empty one
// for a 0-d array).
struct Blocks {
  std::vector<std::int64_t> sizes;
  explicit Blocks(std::vector<std::int64_t> each) : sizes(std::move(each)) {}
  explicit Blocks(std::int64_t rows) : sizes{rows} {}
  Blocks(std::int64_t rows, std::int64_t cols) : sizes{rows, cols} {}
  template <std::integral... More>
  Blocks(std::int64_t d0, std::int64_t d1, std::int64_t d2, More... more)
      : sizes{d0, d1, d2, static_cast<std::int64_t>(more)...} {}
};

// Dagger.jl's AutoBlocks: the whole extent in every dimension but the last,
// which is cut into `parts` nearly equal blocks (one per processor, say).
Blocks auto_blocks(const std::vector<std::int64_t>& shape, std::int64_t parts);

class Layout {
 public:
  static constexpr int kMaxDims = 8;

  // Throws ArrayError for more than kMaxDims dimensions, negative sizes,
  // blocks of zero or negative size, or a Blocks of another rank than the
  // shape.
  Layout(std::vector<std::int64_t> shape, Blocks blocks);

  int ndims() const noexcept { return static_cast<int>(shape_.size()); }
  const std::vector<std::int64_t>& shape() const noexcept { return shape_; }
  const Blocks& blocks() const noexcept { return blocks_; }
  // Elements in all (1 for a 0-d array).
  std::int64_t size() const noexcept {
    std::int64_t n = 1;
    for (std::int64_t e : shape_) n *= e;
    return n;
  }

  // Any rank. Dimensions are numbered from 0 here (the user-facing
  // functions number them from 1, as Dagger.jl does).
  std::int64_t extent(int d) const noexcept { return shape_[static_cast<std::size_t>(d)]; }
  std::int64_t block_size(int d) const noexcept { return blocks_.sizes[static_cast<std::size_t>(d)]; }
  // Blocks along dimension d (none along an empty one).
  std::int64_t grid(int d) const noexcept { return (extent(d) + block_size(d) - 1) / block_size(d); }
  std::vector<std::int64_t> grid_shape() const;
  // Grid coordinates of block k, and back.
  std::vector<std::int64_t> block_coords(std::size_t k) const;
  std::size_t block_at(const std::vector<std::int64_t>& coords) const;
  // Where block k starts, and its extent, in each dimension.
  std::vector<std::int64_t> block_start(std::size_t k) const;
  std::vector<std::int64_t> block_extents(std::size_t k) const;

  // The matrix view, for 1-D and 2-D arrays (a 0-d array is 1x1). The grid
  // accessors also work on more dimensions, flattening dimensions 2 and up
  // of the grid into its columns; the element accessors of columns throw
  // an ArrayError there, so that 2-D code refuses an N-d array instead of
  // misreading it.
  std::int64_t rows() const noexcept { return shape_.empty() ? 1 : shape_[0]; }
  std::int64_t cols() const {
    if (ndims() > 2) throw_needs_matrix();
    return ndims() == 2 ? shape_[1] : 1;
  }
  std::int64_t block_rows() const noexcept { return blocks_.sizes.empty() ? 1 : blocks_.sizes[0]; }
  std::int64_t block_cols() const {
    if (ndims() > 2) throw_needs_matrix();
    return ndims() == 2 ? blocks_.sizes[1] : 1;
  }

  std::int64_t grid_rows() const noexcept { return shape_.empty() ? 1 : (rows() + block_rows() - 1) / block_rows(); }
  std::int64_t grid_cols() const noexcept {
    if (ndims() <= 2) return ndims() == 2 ? (shape_[1] + blocks_.sizes[1] - 1) / blocks_.sizes[1] : 1;
    std::int64_t n = 1;
    for (int d = 1; d < ndims(); ++d) n *= grid(d);
    return n;
  }
  std::size_t block_count() const noexcept { return static_cast<std::size_t>(grid_rows() * grid_cols()); }
  std::size_t block_index(std::int64_t gi, std::int64_t gj) const noexcept {
    return static_cast<std::size_t>(gi + gj * grid_rows());
  }
  std::int64_t row_start(std::int64_t gi) const noexcept { return gi * block_rows(); }
  std::int64_t col_start(std::int64_t gj) const { return gj * block_cols(); }
  std::int64_t block_height(std::int64_t gi) const noexcept {
    return std::min(block_rows(), rows() - row_start(gi));
  }
  std::int64_t block_width(std::int64_t gj) const { return std::min(block_cols(), cols() - col_start(gj)); }
  // Grid coordinates of block k.
  std::int64_t grid_row_of(std::size_t k) const noexcept { return static_cast<std::int64_t>(k) % grid_rows(); }
  std::int64_t grid_col_of(std::size_t k) const noexcept { return static_cast<std::int64_t>(k) / grid_rows(); }

  bool same_blocking(const Layout& other) const noexcept {
    if (shape_ != other.shape_) return false;
    // A block size at least the extent is one block whatever it says.
    for (int d = 0; d < ndims(); ++d) {
      if (std::min(block_size(d), std::max<std::int64_t>(extent(d), 1)) !=
          std::min(other.block_size(d), std::max<std::int64_t>(other.extent(d), 1))) {
        return false;
      }
    }
    return true;
  }
  // "10000x10000", "10000", "()" for 0-d
  std::string shape_text() const;
  std::string block_text() const;

 private:
  [[noreturn]] void throw_needs_matrix() const;

  std::vector<std::int64_t> shape_;
  Blocks blocks_;
};

}  // namespace dagger
