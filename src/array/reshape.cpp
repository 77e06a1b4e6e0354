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
    // A block of more dimensions is the matrix of its first by the rest.
    const std::vector<std::int64_t> extents = out.block_extents(k);
    Relabel shape{extents.empty() ? 1 : extents[0], 1};
    for (std::size_t d = 1; d < extents.size(); ++d) shape.cols *= extents[d];
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
  const bool valid = shape.size() <= static_cast<std::size_t>(Layout::kMaxDims) &&
                     std::all_of(shape.begin(), shape.end(), [](std::int64_t s) { return s >= 0; }) &&
                     std::accumulate(shape.begin(), shape.end(), std::int64_t{1}, std::multiplies<>()) == n;
  if (!valid) {
    throw ArrayError("reshape of a " + in.shape_text() + " array (" + std::to_string(n) + " elements) to " +
                     (shape.empty() ? "()" : join(shape)) + ": the new shape must have as many elements (and at most " +
                     std::to_string(Layout::kMaxDims) + " dimensions)");
  }
  if (shape == in.shape()) return a;
  // Column-major order runs through a block's elements in one piece only
  // when the block spans the whole of every dimension but the last (a
  // vector's blocks always do).
  const int last = in.ndims() - 1;
  for (int d = 0; d < last; ++d) {
    if (in.grid(d) > 1) {
      std::string whole;
      for (int e = 0; e <= last; ++e) whole += (e ? ", " : "") + std::to_string(e < last ? in.extent(e) : in.block_size(last));
      throw ArrayError("reshape of a " + in.shape_text() + " array in Blocks(" + in.block_text() + ") to " +
                       (shape.empty() ? "()" : join(shape)) +
                       ": its blocks do not span the whole of every dimension but the last, so elements would move "
                       "between blocks; re-block it as Blocks(" + whole + ") first (distribute or rechunk)");
    }
  }
  // Elements per block (all but the last are full).
  std::int64_t run = last >= 0 ? in.block_size(last) : 1;
  for (int d = 0; d < last; ++d) run *= in.extent(d);
  if (shape.empty()) return relabel_blocks(a, Layout({}, Blocks(std::vector<std::int64_t>{})));
  // The new shape's blocks span all its dimensions but the last, of which
  // each block holds run / (the product of the others).
  std::vector<std::int64_t> sizes(shape.size());
  std::int64_t inner = 1;
  for (std::size_t d = 0; d + 1 < shape.size(); ++d) {
    sizes[d] = std::max<std::int64_t>(shape[d], 1);
    inner *= shape[d];
  }
  if (inner == 0 || n == 0) {
    sizes.back() = 1;
    return relabel_blocks(a, Layout(shape, Blocks(std::move(sizes))));
  }
  if (run % inner != 0 && run < n) {
    throw ArrayError("reshape of a " + in.shape_text() + " array in blocks of " + std::to_string(run) +
                     " elements to " + join(shape) + ": " + std::to_string(inner) +
                     (shape.size() == 2 ? " rows do not" : " elements of the leading dimensions do not") +
                     " divide a block, so " + (shape.size() == 2 ? "columns" : "slices") +
                     " would straddle blocks; cut it into blocks of a multiple of " + std::to_string(inner) +
                     " elements first");
  }
  sizes.back() = std::max<std::int64_t>(run / inner, 1);
  return relabel_blocks(a, Layout(shape, Blocks(std::move(sizes))));
}

}  // namespace dagger::detail
