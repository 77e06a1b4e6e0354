#include "dagger/array/reshape.hpp"

#include <algorithm>
#include <numeric>

#include "dagger/delayed.hpp"

namespace dagger::detail {

namespace {

std::string join(const std::vector<std::int64_t>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "x" : "") + std::to_string(v[i]);
  return out;
}

// The same buffer under another shape: column-major order is kept, so a
// block's elements need no copy.
struct Relabel {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  Block operator()(const Block& in) const {
    if (in.rows * in.cols != rows * cols) {
      throw ArrayError("reshape: a block of " + std::to_string(in.rows) + "x" + std::to_string(in.cols) +
                       " cannot hold " + std::to_string(rows) + "x" + std::to_string(cols));
    }
    Block out = in;
    out.rows = rows;
    out.cols = cols;
    out.source = nullptr;  // its bytes are the file's, but its shape is not
    return out;
  }
};

// Each block relabelled to the output layout's block of the same index.
ArrayPtr relabel_blocks(const ArrayPtr& a, Layout out) {
  const auto& source = block_thunks(a);
  if (source.size() != out.block_count()) {
    throw ArrayError("reshape: " + std::to_string(source.size()) + " blocks cannot be relabelled as the " +
                     std::to_string(out.block_count()) + " of Blocks(" + out.block_text() + ")");
  }
  std::vector<Thunk<Block>> blocks;
  blocks.reserve(source.size());
  for (std::size_t k = 0; k < source.size(); ++k) {
    const Relabel shape{out.block_height(out.grid_row_of(k)), out.block_width(out.grid_col_of(k))};
    blocks.push_back(delayed(shape, {.name = "reshape"})(source[k]));
  }
  return make_array(std::move(out), a->dtype, std::move(blocks));
}

}  // namespace

void check_permutation(const Layout& layout, const std::vector<int>& perm) {
  std::vector<int> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int> expected(static_cast<std::size_t>(layout.ndims()));
  std::iota(expected.begin(), expected.end(), 1);
  if (sorted != expected) {
    std::string text;
    for (int p : perm) text += (text.empty() ? "" : ", ") + std::to_string(p);
    throw ArrayError("permutedims of a " + layout.shape_text() + " array by {" + text +
                     "}: not a permutation of its dimensions 1.." + std::to_string(layout.ndims()));
  }
}

ArrayPtr reshape_array(const ArrayPtr& a, const std::vector<std::int64_t>& shape) {
  const Layout& in = a->layout;
  const std::int64_t n = in.size();
  const bool valid = (shape.size() == 1 || shape.size() == 2) &&
                     std::all_of(shape.begin(), shape.end(), [](std::int64_t s) { return s >= 0; }) &&
                     std::accumulate(shape.begin(), shape.end(), std::int64_t{1}, std::multiplies<>()) == n;
  if (!valid) {
    throw ArrayError("reshape of a " + in.shape_text() + " array (" + std::to_string(n) + " elements) to " +
                     join(shape) + ": the new shape must have 1 or 2 dimensions and as many elements");
  }
  if (shape == in.shape()) return a;
  // Column-major order runs through a block's elements in one piece only
  // when the block spans the whole height (a vector's blocks always do).
  if (in.ndims() == 2 && in.grid_rows() > 1) {
    throw ArrayError("reshape of a " + in.shape_text() + " array in Blocks(" + in.block_text() + ") to " + join(shape) +
                     ": its blocks do not span whole columns, so elements would move between blocks; re-block it "
                     "with blocks of " + std::to_string(in.rows()) + " rows first (distribute or rechunk)");
  }
  const std::int64_t run = in.block_rows() >= in.rows() ? in.rows() * in.block_cols() : in.block_rows();  // elements per block
  if (shape.size() == 1) return relabel_blocks(a, Layout({n}, Blocks(std::max<std::int64_t>(run, 1))));
  const std::int64_t rows = shape[0], cols = shape[1];
  if (rows == 0 || n == 0) return relabel_blocks(a, Layout({rows, cols}, Blocks(std::max<std::int64_t>(rows, 1), 1)));
  // Each block of `run` elements becomes run / rows whole columns.
  if (run % rows != 0 && run < n) {
    throw ArrayError("reshape of a " + in.shape_text() + " array in blocks of " + std::to_string(run) +
                     " elements to " + join(shape) + ": " + std::to_string(rows) + " rows do not divide a block, so "
                     "columns would straddle blocks; cut it into blocks of a multiple of " + std::to_string(rows) +
                     " elements first");
  }
  return relabel_blocks(a, Layout({rows, cols}, Blocks(rows, std::max<std::int64_t>(run / rows, 1))));
}

}  // namespace dagger::detail
