// Folding an array over any set of its dimensions (sum(a, {1, 3})), for
// arrays of any rank: each block folds into a block of extent 1 in the
// folded dimensions, and the blocks that fold into one are combined.
#pragma once

#include <algorithm>
#include <functional>
#include <numeric>
#include <vector>

#include "dagger/array/darray.hpp"
#include "dagger/delayed.hpp"
#include "dagger/detail/wire.hpp"

namespace dagger::detail {

[[noreturn]] void throw_empty_reduction(const char* operation);

// Which dimensions (numbered from 1 in `dims`) a fold over `dims` folds;
// an ArrayError for a dimension the array lacks or a repeated one.
std::vector<bool> folded_dimensions(const char* operation, const Layout& layout, const std::vector<int>& dims);
// What folding those dimensions leaves: each of extent 1, in one block.
Layout folded_layout(const Layout& in, const std::vector<bool>& folded);

// Folds one block (of `extents`) of U elements over the folded dimensions
// into a block of Acc, extent 1 in each of them.
template <class Acc, class U, class Op>
Block fold_box(const Block& block, const std::vector<std::int64_t>& extents, const std::vector<bool>& folded, Op& op) {
  const std::size_t n = extents.size();
  const std::int64_t height = n ? extents[0] : 1;
  const bool fold_columns = n && folded[0];
  std::int64_t columns = 1, out_columns = 1;
  for (std::size_t d = 1; d < n; ++d) {
    columns *= extents[d];
    out_columns *= folded[d] ? 1 : extents[d];
  }
  Block out = Block::make(dtype_of<Acc>(), fold_columns ? 1 : height, out_columns);
  const U* x = block.data<U>();
  Acc* o = out.mutable_data<Acc>();
  std::vector<std::int64_t> at(n, 0);  // the column's coordinates in dimensions 1 and up
  for (std::int64_t c = 0; c < columns; ++c) {
    std::int64_t oc = 0, stride = 1;
    bool first = true;  // the first column folded into its output column
    for (std::size_t d = 1; d < n; ++d) {
      if (!folded[d]) {
        oc += at[d] * stride;
        stride *= extents[d];
      } else if (at[d] != 0) {
        first = false;
      }
    }
    const U* column = x + c * height;
    if (fold_columns) {
      Acc v = static_cast<Acc>(column[0]);
      for (std::int64_t i = 1; i < height; ++i) v = op(v, static_cast<Acc>(column[i]));
      o[oc] = first ? v : op(o[oc], v);
    } else {
      Acc* target = o + oc * height;
      for (std::int64_t i = 0; i < height; ++i) {
        target[i] = first ? static_cast<Acc>(column[i]) : op(target[i], static_cast<Acc>(column[i]));
      }
    }
    for (std::size_t d = 1; d < n; ++d) {
      if (++at[d] < extents[d]) break;
      at[d] = 0;
    }
  }
  return out;
}

// The task that folds one block, and the one that combines the folded
// blocks of one result block. They travel when op does (dagger's own
// folds; a user's lambda runs in this process).
template <class Acc, class U, class Op>
struct FoldBox {
  Op op{};
  std::vector<std::int64_t> extents;
  std::vector<bool> folded;

  Block operator()(const Block& b) {
    if (b.size() != std::accumulate(extents.begin(), extents.end(), std::int64_t{1}, std::multiplies<>())) {
      throw ArrayError("a fold over dimensions got a block that is not the one it folds");
    }
    return fold_box<Acc, U>(b, extents, folded, op);
  }
  bool travels() const { return wire_capable<Op>; }
};
template <class Acc, class U, class Op>
void dagger_wire_save(const FoldBox<Acc, U, Op>& f, WireWriter& out) {
  wire_save(f.op, out);
  wire_save(f.extents, out);
  wire_save(f.folded, out);
}
template <class Acc, class U, class Op>
void dagger_wire_load(FoldBox<Acc, U, Op>& f, WireReader& in) {
  wire_load(f.op, in);
  wire_load(f.extents, in);
  wire_load(f.folded, in);
  if (f.extents.size() != f.folded.size() || f.extents.size() > static_cast<std::size_t>(Layout::kMaxDims) ||
      std::any_of(f.extents.begin(), f.extents.end(), [](std::int64_t e) { return e <= 0; })) {
    throw ProtocolError("a fold over dimensions of an impossible block");
  }
}

template <class Acc, class Op>
struct CombineFolded {
  Op op{};

  Block operator()(const std::vector<Block>& parts) {
    Block out = Block::make(parts.front().dtype, parts.front().rows, parts.front().cols);
    Acc* o = out.mutable_data<Acc>();
    std::copy(parts.front().data<Acc>(), parts.front().data<Acc>() + out.size(), o);
    for (std::size_t p = 1; p < parts.size(); ++p) {
      if (parts[p].size() != out.size()) throw ArrayError("folded blocks of different sizes to combine");
      const Acc* x = parts[p].data<Acc>();
      for (std::int64_t i = 0; i < out.size(); ++i) o[i] = op(o[i], x[i]);
    }
    return out;
  }
  bool travels() const { return wire_capable<Op>; }
};
template <class Acc, class Op>
void dagger_wire_save(const CombineFolded<Acc, Op>& c, WireWriter& out) {
  wire_save(c.op, out);
}
template <class Acc, class Op>
void dagger_wire_load(CombineFolded<Acc, Op>& c, WireReader& in) {
  wire_load(c.op, in);
}

template <class Acc, class U, class Op>
ArrayPtr reduce_dims(const char* operation, const ArrayPtr& a, const std::vector<int>& dims, Op op) {
  const Layout& in = a->layout;
  const std::vector<bool> folded = folded_dimensions(operation, in, dims);
  if (in.size() == 0) throw_empty_reduction(operation);
  Layout out = folded_layout(in, folded);
  const std::vector<Thunk<Block>>& blocks = block_thunks(a);
  std::vector<std::vector<Thunk<Block>>> partials(out.block_count());
  for (std::size_t k = 0; k < in.block_count(); ++k) {
    std::vector<std::int64_t> at = in.block_coords(k);
    for (std::size_t d = 0; d < at.size(); ++d) at[d] = folded[d] ? 0 : at[d];
    partials[out.block_at(at)].push_back(
        delayed(FoldBox<Acc, U, Op>{op, in.block_extents(k), folded}, {.name = operation})(blocks[k]));
  }
  std::vector<Thunk<Block>> results;
  for (auto& parts : partials) {
    if (parts.size() == 1) {
      results.push_back(parts.front());
      continue;
    }
    results.push_back(delayed(CombineFolded<Acc, Op>{op}, {.name = operation})(parts));
  }
  return make_array(std::move(out), dtype_of<Acc>(), std::move(results));
}

}  // namespace dagger::detail
