// The shape of an array and how it is cut into blocks. Arrays are 1-D or
// 2-D, column-major, and their grid of blocks is column-major too. Blocks
// need not divide the shape: the last block of a dimension may be smaller.
#pragma once

#include <algorithm>
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

// The block size of each dimension.
struct Blocks {
  std::vector<std::int64_t> sizes;
  explicit Blocks(std::int64_t rows) : sizes{rows} {}
  Blocks(std::int64_t rows, std::int64_t cols) : sizes{rows, cols} {}
};

class Layout {
 public:
  // Throws ArrayError for 0 or >2 dimensions, negative sizes, blocks of zero
  // or negative size, or a Blocks of another dimensionality than the shape.
  Layout(std::vector<std::int64_t> shape, Blocks blocks);

  int ndims() const noexcept { return static_cast<int>(shape_.size()); }
  const std::vector<std::int64_t>& shape() const noexcept { return shape_; }
  std::int64_t rows() const noexcept { return shape_[0]; }
  std::int64_t cols() const noexcept { return ndims() == 2 ? shape_[1] : 1; }
  std::int64_t size() const noexcept { return rows() * cols(); }
  const Blocks& blocks() const noexcept { return blocks_; }
  std::int64_t block_rows() const noexcept { return blocks_.sizes[0]; }
  std::int64_t block_cols() const noexcept { return ndims() == 2 ? blocks_.sizes[1] : 1; }

  std::int64_t grid_rows() const noexcept { return (rows() + block_rows() - 1) / block_rows(); }
  std::int64_t grid_cols() const noexcept { return (cols() + block_cols() - 1) / block_cols(); }
  std::size_t block_count() const noexcept {
    return static_cast<std::size_t>(grid_rows() * grid_cols());
  }
  std::size_t block_index(std::int64_t gi, std::int64_t gj) const noexcept {
    return static_cast<std::size_t>(gi + gj * grid_rows());
  }
  std::int64_t row_start(std::int64_t gi) const noexcept { return gi * block_rows(); }
  std::int64_t col_start(std::int64_t gj) const noexcept { return gj * block_cols(); }
  std::int64_t block_height(std::int64_t gi) const noexcept {
    return std::min(block_rows(), rows() - row_start(gi));
  }
  std::int64_t block_width(std::int64_t gj) const noexcept {
    return std::min(block_cols(), cols() - col_start(gj));
  }
  // Grid coordinates of block k.
  std::int64_t grid_row_of(std::size_t k) const noexcept { return static_cast<std::int64_t>(k) % grid_rows(); }
  std::int64_t grid_col_of(std::size_t k) const noexcept { return static_cast<std::int64_t>(k) / grid_rows(); }

  bool same_blocking(const Layout& other) const noexcept {
    return shape_ == other.shape_ && block_rows() == other.block_rows() &&
           block_cols() == other.block_cols();
  }
  // "10000x10000" or "10000"
  std::string shape_text() const;
  std::string block_text() const;

 private:
  std::vector<std::int64_t> shape_;
  Blocks blocks_;
};

}  // namespace dagger
