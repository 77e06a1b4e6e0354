// Cumulative sums and products along a dimension. Each block is scanned on
// its own; then the carry into each block (the op of the last lines of the
// blocks before it along the dimension) goes down the grid as a chain of
// small thunks, and each block is finished with its carry. So the blocks'
// scans run in parallel and only one line per block moves along the chain.
#pragma once

#include <cstdint>
#include <vector>

#include "dagger/array/reductions.hpp"

namespace dagger {

namespace detail {

// A block scanned along dim (1: down each column, 2: along each row).
template <class Acc, class U, class Op>
struct ScanBlock {
  int dim = 1;
  Op op{};
  Block operator()(const Block& in) const {
    Block out = Block::make(dtype_of<Acc>(), in.rows, in.cols);
    const U* x = in.data<U>();
    Acc* o = out.mutable_data<Acc>();
    const std::int64_t h = in.rows, w = in.cols;
    if (dim == 1) {
      for (std::int64_t c = 0; c < w; ++c) {
        Acc run = static_cast<Acc>(x[c * h]);
        o[c * h] = run;
        for (std::int64_t r = 1; r < h; ++r) o[c * h + r] = run = op(run, static_cast<Acc>(x[c * h + r]));
      }
    } else if (w > 0) {
      for (std::int64_t r = 0; r < h; ++r) o[r] = static_cast<Acc>(x[r]);
      for (std::int64_t c = 1; c < w; ++c) {
        for (std::int64_t r = 0; r < h; ++r) o[c * h + r] = op(o[(c - 1) * h + r], static_cast<Acc>(x[c * h + r]));
      }
    }
    return out;
  }
};

// The last line of a scanned block along dim: its last row (dim 1) or its
// last column (dim 2), as a 1 x w or h x 1 block.
template <class Acc>
struct LastLine {
  int dim = 1;
  Block operator()(const Block& in) const {
    const std::int64_t h = in.rows, w = in.cols;
    Block out = Block::make(in.dtype, dim == 1 ? 1 : h, dim == 1 ? w : 1);
    const Acc* x = in.data<Acc>();
    Acc* o = out.mutable_data<Acc>();
    if (dim == 1) {
      for (std::int64_t c = 0; c < w; ++c) o[c] = x[c * h + h - 1];
    } else {
      for (std::int64_t r = 0; r < h; ++r) o[r] = x[(w - 1) * h + r];
    }
    return out;
  }
};

// Element-wise op of two lines: the carry into the next block.
template <class Acc, class Op>
struct CombineLines {
  Op op{};
  Block operator()(const Block& carry, const Block& line) const {
    Block out = Block::make(carry.dtype, carry.rows, carry.cols);
    const Acc* a = carry.data<Acc>();
    const Acc* b = line.data<Acc>();
    Acc* o = out.mutable_data<Acc>();
    for (std::int64_t i = 0; i < out.size(); ++i) o[i] = op(a[i], b[i]);
    return out;
  }
};

// A scanned block with the carry from the blocks before it applied.
template <class Acc, class Op>
struct ApplyCarry {
  int dim = 1;
  Op op{};
  Block operator()(const Block& scanned, const Block& carry) const {
    Block out = Block::make(scanned.dtype, scanned.rows, scanned.cols);
    const Acc* x = scanned.data<Acc>();
    const Acc* k = carry.data<Acc>();
    Acc* o = out.mutable_data<Acc>();
    const std::int64_t h = scanned.rows, w = scanned.cols;
    for (std::int64_t c = 0; c < w; ++c) {
      for (std::int64_t r = 0; r < h; ++r) o[c * h + r] = op(k[dim == 1 ? c : r], x[c * h + r]);
    }
    return out;
  }
};

template <class Acc, class U, class Op>
ArrayPtr scan_array(const char* operation, const ArrayPtr& a, int dim, Op op) {
  const Layout& in = a->layout;
  if (dim != 1 && !(dim == 2 && in.ndims() == 2)) {
    throw ArrayError(std::string(operation) + " along dimension " + std::to_string(dim) + " of a " + in.shape_text() +
                     " array: its dimensions are " + (in.ndims() == 2 ? "1 and 2" : "1"));
  }
  const std::vector<Thunk<Block>>& blocks = block_thunks(a);
  std::vector<Thunk<Block>> out(blocks.size());
  const std::int64_t lines = dim == 1 ? in.grid_cols() : in.grid_rows();
  const std::int64_t along = dim == 1 ? in.grid_rows() : in.grid_cols();
  const Options named{.name = operation};
  for (std::int64_t line = 0; line < lines; ++line) {
    Thunk<Block> carry;
    for (std::int64_t j = 0; j < along; ++j) {
      const std::size_t k = dim == 1 ? in.block_index(j, line) : in.block_index(line, j);
      Thunk<Block> scanned = delayed(ScanBlock<Acc, U, Op>{dim, op}, named)(blocks[k]);
      Thunk<Block> last = delayed(LastLine<Acc>{dim}, named)(scanned);
      if (j == 0) {
        out[k] = scanned;
        carry = last;
        continue;
      }
      out[k] = delayed(ApplyCarry<Acc, Op>{dim, op}, named)(scanned, carry);
      if (j + 1 < along) carry = delayed(CombineLines<Acc, Op>{op}, named)(carry, last);
    }
  }
  return make_array(in, dtype_of<Acc>(), std::move(out));
}

}  // namespace detail

// Cumulative sums (products) along dim: 1 down each column (the only
// dimension of a vector), 2 along each row. The result has a's shape and
// blocks; bool elements sum as int64.
template <class T>
DArray<detail::sum_t<T>> cumsum(const DArray<T>& a, int dim = 1) {
  return DArray<detail::sum_t<T>>(detail::scan_array<detail::sum_t<T>, T>("cumsum", a.impl(), dim, detail::Plus{}));
}
template <class T>
DArray<detail::sum_t<T>> cumprod(const DArray<T>& a, int dim = 1) {
  return DArray<detail::sum_t<T>>(
      detail::scan_array<detail::sum_t<T>, T>("cumprod", a.impl(), dim, detail::Multiplies{}));
}

}  // namespace dagger
