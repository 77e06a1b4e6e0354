// Blocks of a new layout gathered from arrays placed in it: what rechunk
// and cat have in common. An output block that is exactly one input block
// is that block's thunk (no copy); any other is one task that copies the
// overlapping parts of the input blocks it touches.
#include <algorithm>
#include <array>
#include <cstring>

#include "dagger/array/darray.hpp"
#include "dagger/config.hpp"
#include "dagger/array/concatenate.hpp"
#include "dagger/delayed.hpp"
#include "dagger/detail/wire.hpp"

namespace dagger::detail {

namespace {

// The task of one output block: its place and size, and where each input
// block it reads lies in the output.
struct AssembleBlock {
  DType dtype = DType::f64;
  std::int64_t row0 = 0, col0 = 0, rows = 0, cols = 0;
  std::vector<std::pair<std::int64_t, std::int64_t>> origins;  // per input block

  Block operator()(const std::vector<Block>& in) const {
    Block b = Block::make(dtype, rows, cols);
    const std::size_t es = element_size(dtype);
    for (std::size_t p = 0; p < in.size(); ++p) {
      const auto [sr, sc] = origins[p];
      const std::int64_t row_lo = std::max(row0, sr), row_hi = std::min(row0 + rows, sr + in[p].rows);
      const std::int64_t col_lo = std::max(col0, sc), col_hi = std::min(col0 + cols, sc + in[p].cols);
      for (std::int64_t c = col_lo; c < col_hi; ++c) {
        std::memcpy(b.buffer.get() + static_cast<std::size_t>((row_lo - row0) + (c - col0) * rows) * es,
                    in[p].buffer.get() + static_cast<std::size_t>((row_lo - sr) + (c - sc) * in[p].rows) * es,
                    static_cast<std::size_t>(row_hi - row_lo) * es);
      }
    }
    return b;
  }
};

// It travels: the origins go as a list.
void dagger_wire_save(const AssembleBlock& a, WireWriter& out) {
  out.pod(a.dtype);
  out.pod(a.row0);
  out.pod(a.col0);
  out.pod(a.rows);
  out.pod(a.cols);
  wire_save(a.origins, out);
}
void dagger_wire_load(AssembleBlock& a, WireReader& in) {
  a.dtype = in.pod<DType>();
  a.row0 = in.pod<std::int64_t>();
  a.col0 = in.pod<std::int64_t>();
  a.rows = in.pod<std::int64_t>();
  a.cols = in.pod<std::int64_t>();
  wire_load(a.origins, in);
  if (a.rows < 0 || a.cols < 0) throw ProtocolError("an assembled block of negative size");
}

// Cuts one block into its parts that lie in the blocks of another
// blocking: each part is (row, column within the block, rows, columns).
struct CutPieces {
  DType dtype = DType::f64;
  std::vector<std::array<std::int64_t, 4>> parts;

  std::vector<Block> operator()(const Block& from) const {
    const std::size_t es = element_size(dtype);
    std::vector<Block> out;
    out.reserve(parts.size());
    for (const auto& [row0, col0, rows, cols] : parts) {
      Block b = Block::make(dtype, rows, cols);
      for (std::int64_t c = 0; c < cols; ++c) {
        std::memcpy(b.buffer.get() + static_cast<std::size_t>(c * rows) * es,
                    from.buffer.get() + static_cast<std::size_t>(row0 + (col0 + c) * from.rows) * es,
                    static_cast<std::size_t>(rows) * es);
      }
      out.push_back(std::move(b));
    }
    return out;
  }
};

void dagger_wire_save(const CutPieces& c, WireWriter& out) {
  out.pod(c.dtype);
  wire_save(c.parts, out);
}
void dagger_wire_load(CutPieces& c, WireReader& in) {
  c.dtype = in.pod<DType>();
  wire_load(c.parts, in);
  for (const auto& part : c.parts) {
    if (std::any_of(part.begin(), part.end(), [](std::int64_t x) { return x < 0; })) {
      throw ProtocolError("a piece of negative place or size");
    }
  }
}

// The block numbers [first, end) that [lo, hi) of one dimension touches.
std::pair<std::int64_t, std::int64_t> grid_span(std::int64_t lo, std::int64_t hi, std::int64_t block) {
  return {lo / block, (hi - 1) / block + 1};
}

// How many pairs of an input and an output block overlap.
std::size_t overlaps(const Layout& from, const Layout& to) {
  std::size_t pairs = 0;
  for (std::int64_t gi = 0; gi < to.grid_rows(); ++gi) {
    const auto [r0, r1] = grid_span(to.row_start(gi), to.row_start(gi) + to.block_height(gi), from.block_rows());
    for (std::int64_t gj = 0; gj < to.grid_cols(); ++gj) {
      const auto [c0, c1] = grid_span(to.col_start(gj), to.col_start(gj) + to.block_width(gj), from.block_cols());
      pairs += static_cast<std::size_t>((r1 - r0) * (c1 - c0));
    }
  }
  return pairs;
}

// An all-to-all re-blocking (row blocks to column blocks) in two steps:
// one task cuts each input block into its pieces, one per output block it
// meets (each piece then a task's result of its own, sharing the cut's
// buffers), and each output block is assembled from its pieces. A task
// holds about one block's worth of data, not every input block its output
// touches, so the memory limit holds; and since a finished cut's pieces
// are taken right after it, each input block is read (or read back from
// disk) once, and each spilled piece written and read once.
ArrayPtr rechunk_by_pieces(const ArrayPtr& array, Layout out) {
  const Layout& from = array->layout;
  const auto& sources = block_thunks(array);
  std::vector<std::vector<Thunk<Block>>> pieces(out.block_count());
  std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> origins(out.block_count());
  for (std::size_t s = 0; s < from.block_count(); ++s) {
    const std::int64_t si = from.grid_row_of(s), sj = from.grid_col_of(s);
    const std::int64_t top = from.row_start(si), left = from.col_start(sj);
    const std::int64_t bottom = top + from.block_height(si), right = left + from.block_width(sj);
    const auto [r0, r1] = grid_span(top, bottom, out.block_rows());
    const auto [c0, c1] = grid_span(left, right, out.block_cols());
    CutPieces cut{array->dtype, {}};
    std::vector<std::size_t> targets;
    for (std::int64_t tj = c0; tj < c1; ++tj) {
      for (std::int64_t ti = r0; ti < r1; ++ti) {
        const std::int64_t lo_r = std::max(top, out.row_start(ti)), hi_r = std::min(bottom, out.row_start(ti) + out.block_height(ti));
        const std::int64_t lo_c = std::max(left, out.col_start(tj)), hi_c = std::min(right, out.col_start(tj) + out.block_width(tj));
        cut.parts.push_back({lo_r - top, lo_c - left, hi_r - lo_r, hi_c - lo_c});
        targets.push_back(out.block_index(ti, tj));
        origins[targets.back()].emplace_back(lo_r, lo_c);
      }
    }
    const auto all_pieces = delayed(std::move(cut), {.name = "rechunk cut"})(sources[s]);
    for (std::size_t p = 0; p < targets.size(); ++p) {
      // A copy: a piece that shared the cut's buffers could not be spilled
      // while the cut lives, nor the cut (a list) at all.
      pieces[targets[p]].push_back(delayed([p](const std::vector<Block>& parts) {
        const Block& part = parts[p];
        Block own = Block::make(part.dtype, part.rows, part.cols);
        std::memcpy(own.buffer.get(), part.buffer.get(), part.bytes());
        return own;
      }, {.name = "rechunk piece"})(all_pieces));
    }
  }
  std::vector<Thunk<Block>> blocks;
  blocks.reserve(out.block_count());
  for (std::size_t t = 0; t < out.block_count(); ++t) {
    const std::int64_t ti = out.grid_row_of(t), tj = out.grid_col_of(t);
    AssembleBlock task{array->dtype, out.row_start(ti), out.col_start(tj), out.block_height(ti), out.block_width(tj),
                       std::move(origins[t])};
    blocks.push_back(delayed(std::move(task), {.name = "rechunk"})(pieces[t]));
  }
  return make_array(std::move(out), array->dtype, std::move(blocks));
}

}  // namespace

ArrayPtr assemble(Layout out, DType dtype, const std::vector<PlacedArray>& parts, const char* name) {
  std::vector<const std::vector<Thunk<Block>>*> sources;
  for (const PlacedArray& p : parts) sources.push_back(&block_thunks(p.array));
  std::vector<Thunk<Block>> blocks;
  blocks.reserve(out.block_count());
  for (std::size_t k = 0; k < out.block_count(); ++k) {
    const std::int64_t ti = out.grid_row_of(k), tj = out.grid_col_of(k);
    AssembleBlock task{dtype, out.row_start(ti), out.col_start(tj), out.block_height(ti), out.block_width(tj), {}};
    std::vector<Thunk<Block>> inputs;
    bool one_exact_block = false;  // the only input is a block of exactly this place and size
    for (std::size_t a = 0; a < parts.size(); ++a) {
      const Layout& from = parts[a].array->layout;
      const std::int64_t r0 = parts[a].row0, c0 = parts[a].col0;
      // The part's blocks that overlap this output block.
      const std::int64_t lo_r = std::max(task.row0, r0), hi_r = std::min(task.row0 + task.rows, r0 + from.rows());
      const std::int64_t lo_c = std::max(task.col0, c0), hi_c = std::min(task.col0 + task.cols, c0 + from.cols());
      if (lo_r >= hi_r || lo_c >= hi_c) continue;
      for (std::int64_t sj = (lo_c - c0) / from.block_cols(); sj <= (hi_c - 1 - c0) / from.block_cols(); ++sj) {
        for (std::int64_t si = (lo_r - r0) / from.block_rows(); si <= (hi_r - 1 - r0) / from.block_rows(); ++si) {
          inputs.push_back((*sources[a])[from.block_index(si, sj)]);
          task.origins.emplace_back(r0 + from.row_start(si), c0 + from.col_start(sj));
          one_exact_block = inputs.size() == 1 && task.origins.back() == std::make_pair(task.row0, task.col0) &&
                            from.block_height(si) == task.rows && from.block_width(sj) == task.cols;
        }
      }
    }
    if (one_exact_block && inputs.size() == 1) {
      blocks.push_back(std::move(inputs.front()));
      continue;
    }
    blocks.push_back(delayed(std::move(task), {.name = name})(inputs));
  }
  return make_array(std::move(out), dtype, std::move(blocks));
}

ArrayPtr rechunk(const ArrayPtr& array, const Blocks& blocks) {
  Layout out(array->layout.shape(), blocks);
  if (out.ndims() > 2) return rechunk_any_rank(array, std::move(out));
  // Directly while an output block reads a few input blocks and an input
  // block is read a few times (merging, splitting, shifting blocks), or
  // while input and output fit well in memory: one copy, where pieces cost
  // two. An all-to-all re-blocking of more goes through pieces.
  const std::size_t most = std::max(out.block_count(), array->layout.block_count());
  const std::size_t bytes = static_cast<std::size_t>(out.size()) * element_size(array->dtype);
  const bool fits = 2 * bytes <= dagger::config().memory_limit / 2;
  if (!fits && overlaps(array->layout, out) > 4 * most) return rechunk_by_pieces(array, std::move(out));
  return assemble(std::move(out), array->dtype, {{array, 0, 0}}, "rechunk");
}

ArrayPtr concatenate(const std::vector<ArrayPtr>& arrays, int dim) {
  if (arrays.empty()) throw ArrayError("cat of no arrays");
  const bool any_rank = dim > 2 || std::any_of(arrays.begin(), arrays.end(), [](const ArrayPtr& a) { return a->layout.ndims() > 2; });
  if (any_rank) return concatenate_any_rank(arrays, dim);
  if (dim != 1 && dim != 2) throw ArrayError("cat along dimension " + std::to_string(dim) + ": dimensions are 1 and 2");
  const Layout& first = arrays.front()->layout;
  // Vectors side by side make a matrix; along dimension 1 a vector stays one.
  const bool vectors = std::all_of(arrays.begin(), arrays.end(), [](const ArrayPtr& a) { return a->layout.ndims() == 1; });
  std::int64_t along = 0;
  std::vector<PlacedArray> parts;
  for (const ArrayPtr& a : arrays) {
    const Layout& l = a->layout;
    const std::int64_t other = dim == 1 ? l.cols() : l.rows(), first_other = dim == 1 ? first.cols() : first.rows();
    if (other != first_other || (dim == 1 && l.ndims() != first.ndims())) {
      std::string shapes;
      for (const ArrayPtr& b : arrays) shapes += (shapes.empty() ? "" : ", ") + b->layout.shape_text();
      throw ArrayError(std::string(dim == 1 ? "vcat" : "hcat") + " of arrays " + shapes + ": their " +
                       (dim == 1 ? "column counts" : "row counts") + " differ");
    }
    parts.push_back({a, dim == 1 ? along : 0, dim == 1 ? 0 : along});
    along += dim == 1 ? l.rows() : l.cols();
  }
  // The result is cut like the first array (a vector's columns one by one).
  if (dim == 1 && vectors) return assemble(Layout({along}, Blocks(first.block_rows())), arrays.front()->dtype, parts, "vcat");
  const std::int64_t rows = dim == 1 ? along : first.rows(), cols = dim == 1 ? first.cols() : along;
  return assemble(Layout({rows, cols}, Blocks(first.block_rows(), first.block_cols())), arrays.front()->dtype, parts,
                  dim == 1 ? "vcat" : "hcat");
}

}  // namespace dagger::detail
