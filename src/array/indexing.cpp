// Indexing: each block of the result gathers its elements from the source
// blocks it touches.
#include <algorithm>
#include <cstring>
#include <map>

#include "array/element_gather.hpp"
#include "dagger/array.hpp"

namespace dagger {

std::vector<std::int64_t> Index::resolve(std::int64_t extent, int dimension) const {
  std::vector<std::int64_t> out;
  auto check = [&](std::int64_t i) {
    if (i < 0 || i >= extent) {
      throw ArrayError("index " + std::to_string(i) + " is out of range for dimension " +
                       std::to_string(dimension) + " of size " + std::to_string(extent));
    }
  };
  switch (kind_) {
    case Kind::all:
      out.resize(static_cast<std::size_t>(extent));
      for (std::int64_t i = 0; i < extent; ++i) out[static_cast<std::size_t>(i)] = i;
      break;
    case Kind::range:
      if (range_.end < range_.begin) {
        throw ArrayError("range(" + std::to_string(range_.begin) + ", " + std::to_string(range_.end) +
                         ") ends before it begins");
      }
      if (range_.end > range_.begin) {
        check(range_.begin);
        check(range_.end - 1);
      }
      for (std::int64_t i = range_.begin; i < range_.end; ++i) out.push_back(i);
      break;
    case Kind::list:
      for (std::int64_t i : list_) check(i);
      out = list_;
      break;
  }
  return out;
}

namespace detail {
namespace {

// The task of one result block: the source's rows and columns it takes.
struct IndexBlock {
  DType dtype = DType::f64;
  std::vector<std::int64_t> rows, cols;
  ElementSources sources;

  Block operator()(const std::vector<Block>& in) const {
    const auto h = static_cast<std::int64_t>(rows.size()), w = static_cast<std::int64_t>(cols.size());
    Block out = Block::make(dtype, h, w);
    const std::size_t es = element_size(dtype);
    for (std::int64_t j = 0; j < w; ++j) {
      for (std::int64_t i = 0; i < h; ++i) {
        std::memcpy(out.buffer.get() + static_cast<std::size_t>(i + j * h) * es,
                    sources.element(in, rows[static_cast<std::size_t>(i)], cols[static_cast<std::size_t>(j)], es), es);
      }
    }
    return out;
  }
};

// It travels: a worker gathers from the blocks it holds.
void dagger_wire_save(const IndexBlock& b, WireWriter& out) {
  out.pod(b.dtype);
  wire_save(b.rows, out);
  wire_save(b.cols, out);
  dagger_wire_save(b.sources, out);
}
void dagger_wire_load(IndexBlock& b, WireReader& in) {
  b.dtype = in.pod<DType>();
  wire_load(b.rows, in);
  wire_load(b.cols, in);
  dagger_wire_load(b.sources, in);
}

// The task of one block of take(v, p): v's element at each index.
struct TakeBlock {
  DType dtype = DType::f64;
  std::int64_t extent = 0;      // v's length
  std::int64_t block_rows = 1;  // v's blocks

  Block operator()(const Block& indices, const std::vector<Block>& blocks) const {
    Block out = Block::make(dtype, indices.rows, indices.cols);
    const std::size_t es = element_size(dtype);
    const std::int64_t* at = indices.data<std::int64_t>();
    for (std::int64_t i = 0; i < indices.size(); ++i) {
      if (at[i] < 0 || at[i] >= extent) {
        throw ArrayError("take: index " + std::to_string(at[i]) + " is out of range for an array of " +
                         std::to_string(extent));
      }
      const Block& from = blocks[static_cast<std::size_t>(at[i] / block_rows)];
      std::memcpy(out.buffer.get() + static_cast<std::size_t>(i) * es,
                  from.buffer.get() + static_cast<std::size_t>(at[i] % block_rows) * es, es);
    }
    return out;
  }
};

}  // namespace

ArrayPtr take_array(const ArrayPtr& a, const ArrayPtr& indices) {
  const std::vector<Thunk<Block>>& from = block_thunks(a);
  std::vector<Thunk<Block>> blocks;
  for (const Thunk<Block>& index_block : block_thunks(indices)) {
    blocks.push_back(delayed(TakeBlock{a->dtype, a->layout.rows(), a->layout.block_rows()}, {.name = "take"})(
        index_block, from));
  }
  return make_array(indices->layout, a->dtype, std::move(blocks));
}

ArrayPtr index_array(const ArrayPtr& a, const std::vector<std::int64_t>& rows,
                     const std::vector<std::int64_t>& cols) {
  const Layout& from = a->layout;
  const auto nr = static_cast<std::int64_t>(rows.size()), nc = static_cast<std::int64_t>(cols.size());
  Layout to = from.ndims() == 2
                  ? Layout({nr, nc}, Blocks(std::max<std::int64_t>(1, std::min(from.block_rows(), nr)),
                                            std::max<std::int64_t>(1, std::min(from.block_cols(), nc))))
                  : Layout({nr}, Blocks(std::max<std::int64_t>(1, std::min(from.block_rows(), nr))));
  const auto& sources = block_thunks(a);
  std::vector<Thunk<Block>> blocks;
  for (std::size_t k = 0; k < to.block_count(); ++k) {
    const std::int64_t oi = to.grid_row_of(k), oj = to.grid_col_of(k);
    IndexBlock task{a->dtype,
                    {rows.begin() + to.row_start(oi), rows.begin() + to.row_start(oi) + to.block_height(oi)},
                    {cols.begin() + to.col_start(oj), cols.begin() + to.col_start(oj) + to.block_width(oj)},
                    {}};
    std::vector<Thunk<Block>> inputs;
    task.sources = ElementSources::of(from, sources, task.rows, task.cols, inputs);
    blocks.push_back(delayed(std::move(task), {.name = "index"})(inputs));
  }
  return make_array(std::move(to), a->dtype, std::move(blocks));
}

}  // namespace detail
}  // namespace dagger
