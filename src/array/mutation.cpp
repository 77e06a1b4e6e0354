// New versions of an array after an in-place update: the blocks a region
// touches become tasks that write the new elements into a copy of the old
// block (or into a fresh block where the region covers it all); the other
// blocks stay the old version's thunks.
#include <algorithm>
#include <cstring>

#include "array/element_gather.hpp"
#include "dagger/array/mutation.hpp"

namespace dagger::detail {
namespace {

// The task of one touched block: which of its rows and columns take which
// element of the source (or the one value), over a copy of the old block
// when the region does not cover it all.
struct ScatterBlock {
  DType dtype = DType::f64;
  std::int64_t rows = 0, cols = 0;
  bool reads_old = false;  // in[0] is the old block
  bool fills = false;      // every touched element takes `value`
  std::uint64_t value = 0; // its bytes
  // Pairs: a row of this block, and the row of the source it takes (the
  // same for columns). Later pairs win, as in numpy.
  std::vector<std::int64_t> local_rows, source_rows, local_cols, source_cols;
  ElementSources sources;

  Block operator()(const std::vector<Block>& in) const {
    Block out = Block::make(dtype, rows, cols);
    const std::size_t es = element_size(dtype);
    if (fills && !reads_old) {
      // The whole block takes the value (fill): one pass, not one copy per element.
      visit_dtype(dtype, [&]<class T>() {
        T v;
        std::memcpy(&v, &value, sizeof(T));
        std::fill_n(out.mutable_data<T>(), out.size(), v);
      });
      return out;
    }
    if (reads_old) std::memcpy(out.buffer.get(), in[0].buffer.get(), static_cast<std::size_t>(rows * cols) * es);
    for (std::size_t j = 0; j < local_cols.size(); ++j) {
      for (std::size_t i = 0; i < local_rows.size(); ++i) {
        std::byte* to = out.buffer.get() + static_cast<std::size_t>(local_rows[i] + local_cols[j] * rows) * es;
        const void* from = fills ? static_cast<const void*>(&value) : sources.element(in, source_rows[i], source_cols[j], es);
        std::memcpy(to, from, es);
      }
    }
    return out;
  }
};

void dagger_wire_save(const ScatterBlock& s, WireWriter& out) {
  out.pod(s.dtype);
  out.pod(s.rows);
  out.pod(s.cols);
  out.pod(s.reads_old);
  out.pod(s.fills);
  out.pod(s.value);
  wire_save(s.local_rows, out);
  wire_save(s.source_rows, out);
  wire_save(s.local_cols, out);
  wire_save(s.source_cols, out);
  dagger_wire_save(s.sources, out);
}
void dagger_wire_load(ScatterBlock& s, WireReader& in) {
  s.dtype = in.pod<DType>();
  s.rows = in.pod<std::int64_t>();
  s.cols = in.pod<std::int64_t>();
  s.reads_old = in.pod<bool>();
  s.fills = in.pod<bool>();
  s.value = in.pod<std::uint64_t>();
  wire_load(s.local_rows, in);
  wire_load(s.source_rows, in);
  wire_load(s.local_cols, in);
  wire_load(s.source_cols, in);
  dagger_wire_load(s.sources, in);
  auto inside = [](const std::vector<std::int64_t>& v, std::int64_t n) {
    return std::all_of(v.begin(), v.end(), [n](std::int64_t x) { return x >= 0 && x < n; });
  };
  if (s.rows < 0 || s.cols < 0 || !inside(s.local_rows, s.rows) || !inside(s.local_cols, s.cols) ||
      s.local_rows.size() != s.source_rows.size() || s.local_cols.size() != s.source_cols.size()) {
    throw ProtocolError("a scatter outside its block");
  }
}

// For each block row (or column) of a layout, the (local, source) pairs of
// the region's indices that fall in it: index p of the region is position
// indices[p] of the array.
struct Touches {
  std::vector<std::vector<std::int64_t>> local, source;
  std::vector<std::int64_t> distinct;  // how many different locals each has
};

Touches touches(const std::vector<std::int64_t>& indices, std::int64_t block, std::int64_t grid) {
  Touches t{std::vector<std::vector<std::int64_t>>(static_cast<std::size_t>(grid)),
            std::vector<std::vector<std::int64_t>>(static_cast<std::size_t>(grid)),
            std::vector<std::int64_t>(static_cast<std::size_t>(grid), 0)};
  for (std::size_t p = 0; p < indices.size(); ++p) {
    const auto g = static_cast<std::size_t>(indices[p] / block);
    t.local[g].push_back(indices[p] % block);
    t.source[g].push_back(static_cast<std::int64_t>(p));
  }
  for (std::size_t g = 0; g < t.local.size(); ++g) {
    std::vector<std::int64_t> seen = t.local[g];
    std::sort(seen.begin(), seen.end());
    t.distinct[g] = std::unique(seen.begin(), seen.end()) - seen.begin();
  }
  return t;
}

// The new version: each touched block one ScatterBlock task; `src` (null
// when filling) has the region's shape.
ArrayPtr scattered(const ArrayPtr& dest, const std::vector<std::int64_t>& rows, const std::vector<std::int64_t>& cols,
                   const ArrayPtr& src, std::uint64_t value) {
  const Layout& to = dest->layout;
  const Touches by_row = touches(rows, to.block_rows(), to.grid_rows());
  const Touches by_col = touches(cols, to.block_cols(), to.grid_cols());
  const std::vector<Thunk<Block>>& old = block_thunks(dest);
  const std::vector<Thunk<Block>>* src_blocks = src ? &block_thunks(src) : nullptr;
  std::vector<Thunk<Block>> blocks;
  blocks.reserve(to.block_count());
  for (std::size_t k = 0; k < to.block_count(); ++k) {
    const auto gi = static_cast<std::size_t>(to.grid_row_of(k)), gj = static_cast<std::size_t>(to.grid_col_of(k));
    if (by_row.local[gi].empty() || by_col.local[gj].empty()) {
      blocks.push_back(old[k]);
      continue;
    }
    ScatterBlock task;
    task.dtype = dest->dtype;
    task.rows = to.block_height(static_cast<std::int64_t>(gi));
    task.cols = to.block_width(static_cast<std::int64_t>(gj));
    task.reads_old = by_row.distinct[gi] < task.rows || by_col.distinct[gj] < task.cols;
    task.fills = src == nullptr;
    task.value = value;
    task.local_rows = by_row.local[gi];
    task.source_rows = by_row.source[gi];
    task.local_cols = by_col.local[gj];
    task.source_cols = by_col.source[gj];
    std::vector<Thunk<Block>> inputs;
    if (task.reads_old) inputs.push_back(old[k]);
    // A region one column wide has source column 0 only, so a vector
    // source filling it is read as it is.
    if (src) task.sources = ElementSources::of(src->layout, *src_blocks, task.source_rows, task.source_cols, inputs);
    blocks.push_back(delayed(std::move(task), {.name = src ? "assign region" : "fill region"})(inputs));
  }
  return make_array(to, dest->dtype, std::move(blocks));
}

}  // namespace

ArrayPtr assigned(const ArrayPtr& dest, const ArrayPtr& src) {
  if (dest->layout.shape() != src->layout.shape()) throw_shape_mismatch("assignment", dest->layout, src->layout);
  const ArrayPtr cut = dest->layout.same_blocking(src->layout) ? src : rechunk(src, dest->layout.blocks());
  return make_array(dest->layout, dest->dtype, block_thunks(cut));
}

ArrayPtr assigned_region(const ArrayPtr& dest, const std::vector<std::int64_t>& rows,
                         const std::vector<std::int64_t>& cols, const ArrayPtr& src) {
  return scattered(dest, rows, cols, src, 0);
}

ArrayPtr filled_region(const ArrayPtr& dest, const std::vector<std::int64_t>& rows,
                       const std::vector<std::int64_t>& cols, kernels::ElementValue value) {
  std::uint64_t bits = 0;
  visit_dtype(dest->dtype, [&]<class T>() {
    const T v = kernels::held<T>(value);
    std::memcpy(&bits, &v, sizeof(T));
  });
  return scattered(dest, rows, cols, nullptr, bits);
}

}  // namespace dagger::detail
