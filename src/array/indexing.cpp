// Indexing: each block of the result gathers its elements from the source
// blocks it touches.
#include <algorithm>
#include <cstring>
#include <map>

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

ArrayPtr index_array(const ArrayPtr& a, const std::vector<std::int64_t>& rows,
                     const std::vector<std::int64_t>& cols) {
  const Layout& from = a->layout;
  const auto nr = static_cast<std::int64_t>(rows.size()), nc = static_cast<std::int64_t>(cols.size());
  Layout to = from.ndims() == 2
                  ? Layout({nr, nc}, Blocks(std::max<std::int64_t>(1, std::min(from.block_rows(), nr)),
                                            std::max<std::int64_t>(1, std::min(from.block_cols(), nc))))
                  : Layout({nr}, Blocks(std::max<std::int64_t>(1, std::min(from.block_rows(), nr))));
  const auto& sources = block_thunks(a);
  const std::size_t esize = element_size(a->dtype);
  std::vector<Thunk<Block>> blocks;
  for (std::size_t k = 0; k < to.block_count(); ++k) {
    const std::int64_t oi = to.grid_row_of(k), oj = to.grid_col_of(k);
    const std::int64_t h = to.block_height(oi), w = to.block_width(oj);
    std::vector<std::int64_t> rs(rows.begin() + to.row_start(oi), rows.begin() + to.row_start(oi) + h);
    std::vector<std::int64_t> cs(cols.begin() + to.col_start(oj), cols.begin() + to.col_start(oj) + w);
    // The source blocks this block reads, and where each is among the inputs.
    std::map<std::size_t, std::size_t> position;
    std::vector<Thunk<Block>> inputs;
    for (std::int64_t c : cs) {
      for (std::int64_t r : rs) {
        const std::size_t s = from.block_index(r / from.block_rows(), c / from.block_cols());
        if (position.emplace(s, inputs.size()).second) inputs.push_back(sources[s]);
      }
    }
    const std::int64_t br = from.block_rows(), bc = from.block_cols(), grid_rows = from.grid_rows();
    blocks.push_back(delayed([rs, cs, position, br, bc, grid_rows, esize, dtype = a->dtype](
                                 const std::vector<Block>& in) {
      const auto h = static_cast<std::int64_t>(rs.size()), w = static_cast<std::int64_t>(cs.size());
      Block out = Block::make(dtype, h, w);
      for (std::int64_t j = 0; j < w; ++j) {
        for (std::int64_t i = 0; i < h; ++i) {
          const std::int64_t r = rs[static_cast<std::size_t>(i)], c = cs[static_cast<std::size_t>(j)];
          const Block& src = in[position.at(static_cast<std::size_t>(r / br + (c / bc) * grid_rows))];
          std::memcpy(out.buffer.get() + static_cast<std::size_t>(i + j * h) * esize,
                      src.buffer.get() + static_cast<std::size_t>(r % br + (c % bc) * src.rows) * esize, esize);
        }
      }
      return out;
    }, {.name = "index"})(inputs));
  }
  return make_array(std::move(to), a->dtype, std::move(blocks));
}

}  // namespace detail
}  // namespace dagger
