// Reductions of DArrays. Each block is folded by one thunk that runs the
// array's element-wise kernel tile by tile (so `sum(pow(x, 2))` makes no
// intermediate array), then the partial results are combined as a tree.
#pragma once

#include <limits>
#include <optional>
#include <unordered_map>
#include <utility>

#include "dagger/array/block_operations.hpp"
#include "dagger/array/elementwise.hpp"
#include "dagger/array/element_kernel.hpp"
#include "dagger/array/fold_dims.hpp"
#include "dagger/array/tile_walk.hpp"
#include "dagger/delayed.hpp"

namespace dagger {

namespace detail {

[[noreturn]] void throw_empty_reduction(const char* operation);
[[noreturn]] void throw_bad_dimension(const char* operation, int dim, const Layout& layout);

// Calls visit(values, n, offset) for each tile of one block's elements:
// `values` are the n elements from `offset` on (in the block's column-major
// order), computed by the array's element-wise kernel from its sources.
template <class U, class Visit>
void for_each_tile(const ElementKernel& kernel, const BlockPlace& place, const std::vector<Block>& blocks, Visit&& visit) {
  U tmp[kTile];
  for (TileWalk walk(place, blocks, kernel.transposed); walk.next();) {
    visit(tile_values<U>(kernel.kernel, walk.pointers(), walk.size(), walk.at(), tmp), walk.size(), walk.at().offset);
  }
}

// Folds n >= 1 values with op, four partial folds side by side (op is
// associative), so the loop is not bound by the latency of one long chain
// of dependent operations; the partial folds stay in registers and the loop
// compiles to vector operations (scripts/vectorization_report.sh).
template <class Acc, class U, class Op>
Acc fold_values(const U* v, std::int64_t n, Op& op) {
  Acc acc = static_cast<Acc>(v[0]);
  std::int64_t i = 1;
  if (n >= 8) {
    Acc lanes[4] = {static_cast<Acc>(v[1]), static_cast<Acc>(v[2]), static_cast<Acc>(v[3]), static_cast<Acc>(v[4])};
    for (i = 5; i + 4 <= n; i += 4) {
      for (int l = 0; l < 4; ++l) lanes[l] = op(lanes[l], static_cast<Acc>(v[i + l]));
    }
    acc = op(acc, op(op(lanes[0], lanes[1]), op(lanes[2], lanes[3])));
  }
  for (; i < n; ++i) acc = op(acc, static_cast<Acc>(v[i]));
  return acc;
}

// Folds every element of `blocks` (the sources of one block) with op, a
// tile at a time. Blocks are never empty.
template <class Acc, class U, class Op>
Acc fold_block(const ElementKernel& kernel, const BlockPlace& place, const std::vector<Block>& blocks, Op& op) {
  U tmp[kTile];
  Acc acc{};
  bool first = true;
  for (TileWalk walk(place, blocks, kernel.transposed); walk.next();) {
    const Acc piece = fold_values<Acc>(tile_values<U>(kernel.kernel, walk.pointers(), walk.size(), walk.at(), tmp),
                                       walk.size(), op);
    acc = first ? piece : op(acc, piece);
    first = false;
  }
  return acc;
}

// Calls visit(row, col, i, count) for each piece of a tile that lies in one
// column: the tile's n elements start at element `offset` of a block of
// `rows` rows (column-major). Per piece, not per element, so the loops
// inside need no division and compile to vector loops.
template <class Visit>
void for_each_column_piece(std::int64_t offset, std::int64_t n, std::int64_t rows, Visit&& visit) {
  for (std::int64_t i = 0; i < n;) {
    const std::int64_t row = (offset + i) % rows, col = (offset + i) / rows;
    const std::int64_t count = std::min(n - i, rows - row);
    visit(row, col, i, count);
    i += count;
  }
}

// Combines values pairwise, as a balanced tree of thunks. Combining two
// host scalars is host work a GPU's driver thread may do as well, so partial
// results made on a GPU need not wait for a CPU thread.
template <class Acc, class Op>
Thunk<Acc> combine_tree(std::vector<Thunk<Acc>> level, Op op) {
  while (level.size() > 1) {
    std::vector<Thunk<Acc>> next;
    for (std::size_t i = 0; i + 1 < level.size(); i += 2) next.push_back(host_step({}, op, level[i], level[i + 1]));
    if (level.size() % 2 == 1) next.push_back(level.back());
    level.swap(next);
  }
  return level.front();
}

// The fold a host fold operation is, when it is one of kernels::Fold: then
// processors other than the CPU may fold the blocks with their own version
// (ops::FoldAll, ops::FoldLines) from the chain's element program.
template <class Op>
constexpr std::optional<kernels::Fold> portable_fold_of() {
  return std::nullopt;
}

// The CPU fold of one block of a chain (along a dimension: dim 1 or 2; of
// every element: dim 0), as a function object that can travel to a worker
// when the chain has an element program.
template <class Acc, class U, class Op>
Block fold_block_along(const TileKernel& kernel, const BlockPlace& place, const std::vector<Block>& blocks, int dim,
                       Op& op);

template <class Acc, class U, class Op>
struct FoldBlock {
  ElementKernel kernel;
  Op op{};
  int dim = 0;
  BlockPlace place;  // of the block this thunk folds

  bool travels() const { return kernel.travels() && wire_capable<Op>; }
};
template <class Acc, class U, class Op>
void dagger_wire_save(const FoldBlock<Acc, U, Op>& f, WireWriter& out) {
  dagger_wire_save(f.kernel, out);
  wire_save(f.op, out);
  out.pod(f.dim);
  dagger_wire_save(f.place, out);
}
template <class Acc, class U, class Op>
void dagger_wire_load(FoldBlock<Acc, U, Op>& f, WireReader& in) {
  dagger_wire_load(f.kernel, in);
  wire_load(f.op, in);
  f.dim = in.pod<int>();
  if (f.dim < 0 || f.dim > 2) throw ProtocolError("a fold along dimension " + std::to_string(f.dim));
  dagger_wire_load(f.place, in);
}

template <class Acc, class U, class Op>
struct FoldAll : FoldBlock<Acc, U, Op> {
  Acc operator()(const std::vector<Block>& blocks) {
    check_sources(this->kernel, this->place, blocks);
    return fold_block<Acc, U>(this->kernel, this->place, blocks, this->op);
  }
};
template <class Acc, class U, class Op>
struct FoldLines : FoldBlock<Acc, U, Op> {
  Block operator()(const std::vector<Block>& blocks) {
    check_sources(this->kernel, this->place, blocks);
    return fold_block_along<Acc, U>(this->kernel, this->place, blocks, this->dim, this->op);
  }
};

template <class Acc, class U, class Op>
Thunk<Acc> reduce_array(const char* operation, const ArrayPtr& a, Op op) {
  if (a->layout.size() == 0) throw_empty_reduction(operation);
  Elementwise e = as_elementwise(a);
  std::vector<Thunk<Acc>> partials;
  partials.reserve(a->layout.block_count());
  FoldAll<Acc, U, Op> on_cpu{{e.element_kernel(), op, 0, {}}};
  for (std::size_t k = 0; k < a->layout.block_count(); ++k) {
    on_cpu.place = block_place(a->layout, k);
    if constexpr (portable_fold_of<Op>().has_value()) {
      if (e.program) {
        partials.push_back(run_operation<ops::FoldAll<Acc>>(
            {.name = operation}, on_cpu, {on_cpu.kernel, on_cpu.place, *portable_fold_of<Op>(), 0},
            source_blocks(e.sources, k)));
        continue;
      }
    }
    partials.push_back(delayed(on_cpu, {.name = operation})(source_blocks(e.sources, k)));
  }
  return combine_tree(std::move(partials), op);
}

// What sum and prod accumulate in: bools and integers narrower than 64 bits
// widen to int64 (signed) or uint64 (unsigned), as numpy and Julia do.
template <class T>
using sum_t = std::conditional_t<std::is_same_v<T, bool> || (std::is_integral_v<T> && std::is_signed_v<T>), std::int64_t,
                                 std::conditional_t<std::is_integral_v<T>, std::uint64_t, T>>;

// Integer sums and products wrap around (kernels::add), as element-wise + does.
struct Plus {
  template <class X>
  X operator()(X a, X b) const { return static_cast<X>(kernels::add(a, b)); }
};
struct Multiplies {
  template <class X>
  X operator()(X a, X b) const { return static_cast<X>(kernels::multiply(a, b)); }
};
struct Min {
  template <class X>
  X operator()(X a, X b) const { return b < a ? b : a; }
};
struct Max {
  template <class X>
  X operator()(X a, X b) const { return a < b ? b : a; }
};

template <>
constexpr std::optional<kernels::Fold> portable_fold_of<Plus>() { return kernels::Fold::sum; }
template <>
constexpr std::optional<kernels::Fold> portable_fold_of<Multiplies>() { return kernels::Fold::prod; }
template <>
constexpr std::optional<kernels::Fold> portable_fold_of<Min>() { return kernels::Fold::min; }
template <>
constexpr std::optional<kernels::Fold> portable_fold_of<Max>() { return kernels::Fold::max; }

// What folding along `dim` leaves: one row (dim 1) or one column (dim 2),
// cut like the input's other dimension.
inline Layout reduced_layout(const Layout& in, int dim) {
  const bool matrix = in.ndims() == 2;
  return dim == 1 ? (matrix ? Layout({1, in.cols()}, Blocks(1, in.block_cols())) : Layout({1}, Blocks(1)))
                  : (matrix ? Layout({in.rows(), 1}, Blocks(in.block_rows(), 1))
                            : Layout({in.rows()}, Blocks(in.block_rows())));
}

// Folds along dimension `dim` (1: down each column, 2: along each row).
template <class Acc, class U, class Op>
ArrayPtr reduce_dim(const char* operation, const ArrayPtr& a, int dim, Op op);

}  // namespace detail

namespace detail {

// Folds one block along `dim` into a 1 x w (dim 1) or h x 1 (dim 2) block.
template <class Acc, class U, class Op>
Block fold_block_along(const ElementKernel& kernel, const BlockPlace& place, const std::vector<Block>& blocks, int dim,
                       Op& op) {
  const std::int64_t h = place.rows, w = place.cols;
  Block out = Block::make(dtype_of<Acc>(), dim == 1 ? 1 : h, dim == 1 ? w : 1);
  Acc* acc = out.mutable_data<Acc>();
  U tmp[kTile];
  for (TileWalk walk(place, blocks, kernel.transposed); walk.next();) {
    const std::int64_t n = walk.size(), offset = walk.at().offset;
    const U* values = tile_values<U>(kernel.kernel, walk.pointers(), n, walk.at(), tmp);
    for_each_column_piece(offset, n, h, [&](std::int64_t r, std::int64_t c, std::int64_t i, std::int64_t count) {
      const U* v = values + i;
      if (dim == 1) {  // down column c: one fold
        const Acc piece = fold_values<Acc>(v, count, op);
        acc[c] = r == 0 ? piece : op(acc[c], piece);
      } else if (c == 0) {  // along rows r ... r + count - 1: each row's first element
        for (std::int64_t k = 0; k < count; ++k) acc[r + k] = static_cast<Acc>(v[k]);
      } else {
        for (std::int64_t k = 0; k < count; ++k) acc[r + k] = op(acc[r + k], static_cast<Acc>(v[k]));
      }
    });
  }
  return out;
}

template <class Acc, class U, class Op>
ArrayPtr reduce_dim(const char* operation, const ArrayPtr& a, int dim, Op op) {
  const Layout& in = a->layout;
  if (in.ndims() > 2) return reduce_dims<Acc, U>(operation, a, {dim}, std::move(op));
  if (dim != 1 && dim != 2) throw_bad_dimension(operation, dim, in);
  if (in.size() == 0) throw_empty_reduction(operation);
  Layout out = reduced_layout(in, dim);
  Elementwise e = as_elementwise(a);
  const std::int64_t lines = dim == 1 ? in.grid_cols() : in.grid_rows();
  const std::int64_t along = dim == 1 ? in.grid_rows() : in.grid_cols();
  std::vector<Thunk<Block>> blocks;
  for (std::int64_t line = 0; line < lines; ++line) {
    std::vector<Thunk<Block>> partials;
    for (std::int64_t j = 0; j < along; ++j) {
      const std::size_t k = dim == 1 ? in.block_index(j, line) : in.block_index(line, j);
      FoldLines<Acc, U, Op> on_cpu{{e.element_kernel(), op, dim, block_place(in, k)}};
      if constexpr (portable_fold_of<Op>().has_value()) {
        if (e.program) {
          partials.push_back(run_operation<ops::FoldLines<Acc>>(
              {.name = operation}, on_cpu, {on_cpu.kernel, on_cpu.place, *portable_fold_of<Op>(), dim},
              source_blocks(e.sources, k)));
          continue;
        }
      }
      partials.push_back(delayed(on_cpu, {.name = operation})(source_blocks(e.sources, k)));
    }
    blocks.push_back(delayed([op](const std::vector<Block>& parts) mutable {
      Block out = Block::make(parts.front().dtype, parts.front().rows, parts.front().cols);
      Acc* o = out.mutable_data<Acc>();
      std::copy(parts.front().data<Acc>(), parts.front().data<Acc>() + out.size(), o);
      for (std::size_t p = 1; p < parts.size(); ++p) {
        const Acc* x = parts[p].data<Acc>();
        for (std::int64_t i = 0; i < out.size(); ++i) o[i] = op(o[i], x[i]);
      }
      return out;
    }, {.name = operation})(partials));
  }
  return make_array(std::move(out), dtype_of<Acc>(), std::move(blocks));
}

}  // namespace detail

// reduce(f, a): f must be associative; it is applied within blocks and then
// as a tree across blocks. An empty array is an ArrayError.
template <class F, class T>
Thunk<T> reduce(F f, const DArray<T>& a) {
  return detail::reduce_array<T, T>("reduce", a.impl(), std::move(f));
}

template <class T>
Thunk<detail::sum_t<T>> sum(const DArray<T>& a) {
  if (a.size() == 0) return delayed([] { return detail::sum_t<T>(0); })();
  return detail::reduce_array<detail::sum_t<T>, T>("sum", a.impl(), detail::Plus{});
}
template <class T>
Thunk<detail::sum_t<T>> prod(const DArray<T>& a) {
  if (a.size() == 0) return delayed([] { return detail::sum_t<T>(1); })();
  return detail::reduce_array<detail::sum_t<T>, T>("prod", a.impl(), detail::Multiplies{});
}
template <class T>
Thunk<T> minimum(const DArray<T>& a) {
  return detail::reduce_array<T, T>("minimum", a.impl(), detail::Min{});
}
template <class T>
Thunk<T> maximum(const DArray<T>& a) {
  return detail::reduce_array<T, T>("maximum", a.impl(), detail::Max{});
}
template <class T>
Thunk<double> mean(const DArray<T>& a) {
  if (a.size() == 0) detail::throw_empty_reduction("mean");
  const double n = static_cast<double>(a.size());
  return delayed([n](detail::sum_t<T> s) { return static_cast<double>(s) / n; })(sum(a));
}

// Along a dimension: dim 1 gives one value per column (a 1 x cols array),
// dim 2 one value per row (rows x 1).
template <class T>
DArray<detail::sum_t<T>> sum(const DArray<T>& a, int dim) {
  return DArray<detail::sum_t<T>>(detail::reduce_dim<detail::sum_t<T>, T>("sum", a.impl(), dim, detail::Plus{}));
}
template <class T>
DArray<detail::sum_t<T>> prod(const DArray<T>& a, int dim) {
  return DArray<detail::sum_t<T>>(
      detail::reduce_dim<detail::sum_t<T>, T>("prod", a.impl(), dim, detail::Multiplies{}));
}
template <class T>
DArray<T> minimum(const DArray<T>& a, int dim) {
  return DArray<T>(detail::reduce_dim<T, T>("minimum", a.impl(), dim, detail::Min{}));
}
template <class T>
DArray<T> maximum(const DArray<T>& a, int dim) {
  return DArray<T>(detail::reduce_dim<T, T>("maximum", a.impl(), dim, detail::Max{}));
}
template <class T>
DArray<double> mean(const DArray<T>& a, int dim) {
  const DArray<detail::sum_t<T>> sums = sum(a, dim);
  const double n = static_cast<double>(a.size()) / static_cast<double>(std::max<std::int64_t>(sums.size(), 1));
  return map([n](detail::sum_t<T> s) { return static_cast<double>(s) / n; }, sums);
}

// reduce(f, a, dim): f folded along a dimension, as sum(a, dim) folds +.
template <class F, class T>
DArray<T> reduce(F f, const DArray<T>& a, int dim) {
  return DArray<T>(detail::reduce_dim<T, T>("reduce", a.impl(), dim, std::move(f)));
}

// mapreduce(f, op, a): op folded over f of every element, fused: f runs
// inside the fold, and no array of f's values is made. With `init`, the
// fold starts from it (an empty array then gives init, not an error); op
// must be associative, and init neutral for op where the result should
// not depend on the blocking (Julia's rule).
template <class F, class Op, class T>
auto mapreduce(F f, Op op, const DArray<T>& a) {
  return reduce(std::move(op), map(std::move(f), a));
}
template <class F, class Op, class T, class I>
auto mapreduce(F f, Op op, const DArray<T>& a, I init) {
  using R = typename decltype(map(f, a))::value_type;
  if (a.size() == 0) return delayed([init] { return static_cast<R>(init); }, {.name = "mapreduce"})();
  return delayed([op, init](R r) { return static_cast<R>(op(static_cast<R>(init), r)); }, {.name = "mapreduce"})(
      mapreduce(std::move(f), op, a));
}
template <class F, class Op, class T>
auto mapreduce(F f, Op op, const DArray<T>& a, int dim) {
  return reduce(std::move(op), map(std::move(f), a), dim);
}
template <class F, class Op, class T, class I>
auto mapreduce(F f, Op op, const DArray<T>& a, int dim, I init) {
  using R = typename decltype(map(f, a))::value_type;
  return map([op, init](R r) { return static_cast<R>(op(static_cast<R>(init), r)); }, mapreduce(std::move(f), op, a, dim));
}

// Whether any (all) elements of a bool array are true: false (true) for an
// empty one. With f, whether f is true of any (all) elements. (Named as
// std::any_of and std::all_of: `all` is the whole-dimension index.)
inline Thunk<bool> any_of(const DArray<bool>& a) {
  if (a.size() == 0) return delayed([] { return false; })();
  return detail::reduce_array<bool, bool>("any_of", a.impl(), detail::Max{});
}
inline Thunk<bool> all_of(const DArray<bool>& a) {
  if (a.size() == 0) return delayed([] { return true; })();
  return detail::reduce_array<bool, bool>("all_of", a.impl(), detail::Min{});
}
namespace detail {
// Whether f holds of each element: the bool array the predicate forms read.
template <class F, class T>
DArray<bool> holds(F f, const DArray<T>& a) {
  return map([f](T x) { return static_cast<bool>(f(x)); }, a);
}
}  // namespace detail
template <class F, class T>
Thunk<bool> any_of(F f, const DArray<T>& a) {
  return any_of(detail::holds(std::move(f), a));
}
template <class F, class T>
Thunk<bool> all_of(F f, const DArray<T>& a) {
  return all_of(detail::holds(std::move(f), a));
}
// How many elements are true (f is true of).
inline Thunk<std::int64_t> count(const DArray<bool>& a) { return sum(a); }
template <class F, class T>
Thunk<std::int64_t> count(F f, const DArray<T>& a) {
  return count(detail::holds(std::move(f), a));
}

// The sum of the element-wise products of two arrays of one shape (for
// matrices, the Frobenius inner product), fused into one pass.
template <class A, class B>
auto dot(const DArray<A>& a, const DArray<B>& b) {
  if (a.shape() != b.shape()) {
    throw ArrayError("dot of a " + a.layout().shape_text() + " and a " + b.layout().shape_text() +
                     " array: the shapes must be the same");
  }
  return sum(times(a, b));
}

// reduceblock(f, a): f applied to each block (an Eigen::Map of it), giving
// an array of one value per block, shaped like the grid of blocks.
template <class F, class T>
auto reduceblock(F f, const DArray<T>& a);

// reducebykey(f, parts): parts are thunks of key/value pair lists; the values
// of equal keys are combined with the associative f, within each part and
// then as a tree across parts.
template <class F, class K, class V>
Thunk<std::unordered_map<K, V>> reducebykey(F f, const std::vector<Thunk<std::vector<std::pair<K, V>>>>& parts) {
  using Map = std::unordered_map<K, V>;
  std::vector<Thunk<Map>> partials;
  for (const auto& part : parts) {
    partials.push_back(delayed([f](const std::vector<std::pair<K, V>>& pairs) {
      Map out;
      for (const auto& [k, v] : pairs) {
        auto [it, added] = out.try_emplace(k, v);
        if (!added) it->second = f(it->second, v);
      }
      return out;
    })(part));
  }
  if (partials.empty()) return delayed([] { return Map{}; })();
  return detail::combine_tree(std::move(partials), [f](const Map& a, const Map& b) {
    Map out = a;
    for (const auto& [k, v] : b) {
      auto [it, added] = out.try_emplace(k, v);
      if (!added) it->second = f(it->second, v);
    }
    return out;
  });
}

}  // namespace dagger
